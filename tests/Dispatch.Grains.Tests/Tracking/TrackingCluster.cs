using Dispatch.Domain.Identity;
using Dispatch.Domain.Technicians;
using Dispatch.Domain.Tracking;
using Dispatch.Grains.Events;
using Dispatch.Grains.Hosting;
using Dispatch.Grains.ReadModel;
using Dispatch.Grains.Technicians;
using Dispatch.Grains.Tracking;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Dispatch.Grains.Tests.Tracking;

/// <summary>Two in-process silos with live tracking on, in-memory storage, tight limits so tests can hit them.</summary>
public sealed class TrackingCluster : IAsyncLifetime
{
    public const int Burst = 50;

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public IReadOnlyList<IServiceProvider> Hosts => Cluster.Silos.Select(s => s.ServiceProvider).ToArray();

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
            // Technicians are real technician grains, which need the dispatch services (index, read model, event feed).
            silo.AddDispatchGrains(new DispatchStorageOptions { Mode = StorageMode.Memory }, new InMemoryWorkOrderReadModel());
            silo.AddDispatchTracking();
            silo.Services.Configure<TrackingOptions>(o =>
            {
                o.RateLimit = new DeviceRateLimit { Burst = Burst, PerSecond = 0.01 };
                o.PersistInterval = TimeSpan.FromSeconds(1);
                o.FanOut.HostRefreshInterval = TimeSpan.FromSeconds(1);
                o.Eta.ReportEvery = TimeSpan.FromSeconds(1);
            });
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        foreach (var host in Hosts)
            await host.GetRequiredService<IWorkOrderEventFeed>().WhenReady.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();

    public static Actor Dispatcher(string tenant) => new("disp", "Dispatcher", tenant, [Roles.Dispatcher]);

    /// <summary>Devices are managed by admins.</summary>
    public static Actor Admin(string tenant) => new("admin", "Admin", tenant, [Roles.Admin]);

    public static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..20];

    /// <summary>A technician and a registered device bound to it; returns the device key.</summary>
    public async Task<(string TechnicianId, string DeviceId, string Key)> NewDeviceAsync(string tenant, bool osmAnd = false)
    {
        var technicianId = NewId("tech");
        await Grains.GetGrain<ITechnicianGrain>($"{tenant}/{technicianId}")
            .Create(new NewTechnician { Name = "Test Tech", UserId = "user-" + technicianId }, Dispatcher(tenant));
        var deviceId = NewId("dev");
        var key = DeviceKeys.Generate();
        await Grains.GetGrain<IDeviceGrain>($"{tenant}/{deviceId}")
            .Register(new NewDevice { TechnicianId = technicianId, OsmAnd = osmAnd }, DeviceKeys.Hash(key), Admin(tenant));
        return (technicianId, deviceId, key);
    }
}

[CollectionDefinition(Name)]
public sealed class TrackingClusterCollection : ICollectionFixture<TrackingCluster>
{
    public const string Name = "tracking-cluster";
}
