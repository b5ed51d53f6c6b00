using Dispatch.Testing;

// One throwaway PostgreSQL for the assembly, started on first use; every cluster gets its own database.
[assembly: AssemblyFixture(typeof(PostgresServer))]
