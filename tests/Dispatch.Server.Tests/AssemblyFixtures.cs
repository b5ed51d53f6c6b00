using Dispatch.Testing;

// One throwaway PostgreSQL cluster for the assembly, started on first use; each test makes its own database.
[assembly: AssemblyFixture(typeof(PostgresServer))]
