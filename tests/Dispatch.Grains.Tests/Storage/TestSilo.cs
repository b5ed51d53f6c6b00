using Dispatch.Grains.Hosting;
using Dispatch.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Dispatch.Grains.Tests.Storage;

/// <summary>A real silo host (generic host + UseOrleans + UseDispatchStorage), logging warnings to the test output only.</summary>
internal static class TestSilo
{
    public static async Task<IHost> StartAsync(DispatchStorageOptions options, Action<ISiloBuilder>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddProvider(new TestOutputLoggerProvider(LogLevel.Warning));
        builder.UseOrleans(silo =>
        {
            silo.UseDispatchStorage(options);
            configure?.Invoke(silo);
        });
        var host = builder.Build();
        try
        {
            await host.StartAsync(TestContext.Current.CancellationToken);
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return host;
    }

    public static async Task StopAsync(IHost host)
    {
        await host.StopAsync(CancellationToken.None);
        if (host is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync();
        }
        else
        {
            host.Dispose();
        }
    }

    public static IGrainFactory Grains(this IHost host) => host.Services.GetRequiredService<IGrainFactory>();

    /// <summary>Fresh options for one test: unique service/cluster ids (so tests sharing a database don't see each other) and free ports.</summary>
    public static DispatchStorageOptions Options(StorageMode mode, string? connectionString = null, string? dataDirectory = null)
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        return new DispatchStorageOptions
        {
            Mode = mode,
            ConnectionString = connectionString,
            DataDirectory = dataDirectory ?? "data",
            ServiceId = $"svc-{id}",
            ClusterId = $"cluster-{id}",
            SiloPort = FreePort.Get(),
            GatewayPort = FreePort.Get(),
        };
    }

    /// <summary>Same storage and identity, new ports: the next incarnation of a silo.</summary>
    public static DispatchStorageOptions WithNewPorts(this DispatchStorageOptions options) => new()
    {
        Mode = options.Mode,
        ConnectionString = options.ConnectionString,
        DataDirectory = options.DataDirectory,
        ServiceId = options.ServiceId,
        ClusterId = options.ClusterId,
        AdvertisedAddress = options.AdvertisedAddress,
        ApplySchemaOnStartup = options.ApplySchemaOnStartup,
        SiloPort = FreePort.Get(),
        GatewayPort = FreePort.Get(),
    };
}
