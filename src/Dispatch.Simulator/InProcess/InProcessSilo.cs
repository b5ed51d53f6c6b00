using Dispatch.Grains.Hosting;
using Dispatch.Grains.Tracking;
using Dispatch.Simulator.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Dispatch.Simulator.InProcess;

/// <summary>
/// A silo inside the simulator's own process (no HTTP, no GraphQL): the in-process legs measure what the grains cost by
/// themselves. Storage: <c>embedded</c> (SQLite in a temp directory, as the server runs by default) or <c>memory</c>.
/// </summary>
public sealed class InProcessSilo : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly string? _directory;

    private InProcessSilo(IHost host, string? directory, StorageMode mode)
    {
        _host = host;
        _directory = directory;
        Mode = mode;
    }

    public StorageMode Mode { get; }

    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    /// <summary>The storage a <c>--storage</c> value names: <c>embedded</c> (or <c>sqlite</c>) or <c>memory</c>.</summary>
    public static StorageMode ParseMode(string storage) => storage.ToLowerInvariant() switch
    {
        "memory" => StorageMode.Memory,
        "embedded" or "sqlite" => StorageMode.Embedded,
        _ => throw new ArgumentException($"--storage must be embedded or memory, not '{storage}'."),
    };

    public static async Task<InProcessSilo> StartAsync(string storage)
    {
        var mode = ParseMode(storage);
        var directory = mode == StorageMode.Embedded ? Path.Combine(Path.GetTempPath(), "dispatch-sim-silo-" + Guid.NewGuid().ToString("N")[..8]) : null;
        if (directory is not null)
            Directory.CreateDirectory(directory);
        var options = new DispatchStorageOptions
        {
            Mode = mode,
            DataDirectory = directory ?? "data",
            SiloPort = LocalServer.FreePort(),
            GatewayPort = LocalServer.FreePort(),
            ServiceId = "sim",
            ClusterId = "sim",
        };
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.UseOrleans(silo => silo.UseDispatchStorage(options).AddDispatchTracking());
        var host = builder.Build();
        await host.StartAsync();
        return new InProcessSilo(host, directory, mode);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        if (_directory is not null)
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // temp directory
            }
        }
    }
}

/// <summary>The cheapest grain call there is: the ceiling for "what a grain hop costs on this machine".</summary>
[Alias("Dispatch.Simulator.ICeilingGrain")]
public interface ICeilingGrain : IGrainWithIntegerKey
{
    [Alias("Ping")]
    Task<int> Ping(int value);
}

public sealed class CeilingGrain : Grain, ICeilingGrain
{
    public Task<int> Ping(int value) => Task.FromResult(value + 1);
}

/// <summary>
/// The cheapest durable grain write there is: one state of a given size stored through the silo's grain storage. On the
/// embedded file this is the ceiling for anything that must store state before it answers (a dispatch stores three).
/// </summary>
[Alias("Dispatch.Simulator.ICeilingWriteGrain")]
public interface ICeilingWriteGrain : IGrainWithIntegerKey
{
    [Alias("Write")]
    Task Write(int value, int payloadBytes);
}

[GenerateSerializer, Alias("Dispatch.Simulator.CeilingWriteState")]
public sealed class CeilingWriteState
{
    [Id(0)] public int Value { get; set; }
    [Id(1)] public byte[] Payload { get; set; } = [];
}

public sealed class CeilingWriteGrain([PersistentState("ceilingWrite")] IPersistentState<CeilingWriteState> state) : Grain, ICeilingWriteGrain
{
    public Task Write(int value, int payloadBytes)
    {
        if (state.State.Payload.Length != payloadBytes)
        {
            // Random bytes: nothing on the way to the file gets to make the payload smaller than it is.
            state.State.Payload = new byte[payloadBytes];
            Random.Shared.NextBytes(state.State.Payload);
        }

        state.State.Value = value;
        return state.WriteStateAsync();
    }
}
