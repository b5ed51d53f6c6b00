using Dispatch.Testing;

// One throwaway PostgreSQL for the assembly, started on first use; every cluster gets its own database.
[assembly: AssemblyFixture(typeof(PostgresServer))]

namespace Dispatch.Cluster.Tests
{
    /// <summary>
    /// The multi-silo tests run one after another: three silos each under load already keep two cores busy, and a
    /// starved silo is what the failure detector is there to evict.
    /// </summary>
    [CollectionDefinition(Name)]
    public sealed class ClusterCollection
    {
        public const string Name = "three-silo clusters";
    }
}
