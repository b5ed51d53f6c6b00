using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Dispatch.Grains.Tests;

/// <summary>
/// Two in-process silos with in-memory storage, shared by the grain tests of this assembly. Tests use unique keys, so
/// they can run in parallel on one cluster.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public async ValueTask InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMemoryGrainStorageAsDefault();
            silo.AddMemoryGrainStorage("PubSubStore");
            silo.UseInMemoryReminderService();
            silo.Services.AddSingleton(TimeProvider.System);
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
