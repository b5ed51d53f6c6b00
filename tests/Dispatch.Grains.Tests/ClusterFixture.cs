using Dispatch.Grains.Events;
using Dispatch.Grains.Hosting;
using Dispatch.Grains.ReadModel;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Dispatch.Grains.Tests;

/// <summary>
/// Two in-process silos with in-memory storage and reminders, shared by the grain tests of this assembly. The silos
/// share one in-memory read model (as they would share a database). Tests use unique keys and tenants, so they can run
/// in parallel on one cluster.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public InMemoryWorkOrderReadModel ReadModel { get; } = new();

    /// <summary>The live feed of one silo's host (each silo is a host with its own feed).</summary>
    public IWorkOrderEventFeed Feed(int silo = 0) => Cluster.Silos[silo].ServiceProvider.GetRequiredService<IWorkOrderEventFeed>();

    public async ValueTask InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.Options.ConfigureFileLogging = false;
        var readModel = ReadModel;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMemoryGrainStorageAsDefault();
            silo.AddMemoryGrainStorage("PubSubStore");
            silo.UseInMemoryReminderService();
            silo.Services.AddSingleton(TimeProvider.System);
            silo.AddDispatchGrains(new DispatchStorageOptions { Mode = StorageMode.Memory }, readModel);
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        foreach (var silo in Cluster.Silos)
        {
            await silo.ServiceProvider.GetRequiredService<IWorkOrderEventFeed>().WhenReady.WaitAsync(TimeSpan.FromSeconds(30));
        }
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
