using Dispatch.Testing;

// One throwaway PostgreSQL cluster for the whole test assembly, started on first use; test classes take it as a
// constructor parameter and create their own database in it.
[assembly: AssemblyFixture(typeof(PostgresServer))]
