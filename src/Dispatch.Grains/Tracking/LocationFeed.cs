using Dispatch.Domain.Tracking;
using Dispatch.Grains.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dispatch.Grains.Tracking;

/// <summary>
/// This host's end of the fan-out: the one observer the location publishers of every silo send to. It updates the host's position
/// index and hands the batch to the local subscribers, which filter per client. Cheap and non-blocking by design: calls
/// to one observer are serialized, so nothing slow may happen here.
/// </summary>
public sealed class LocationFeed(LivePositions positions, LocationSubscribers subscribers, TimeProvider clock) : ILocationFeedObserver
{
    private long _batches;
    private long _updates;

    public long BatchesReceived => Interlocked.Read(ref _batches);

    public long UpdatesReceived => Interlocked.Read(ref _updates);

    public Task OnLocations(LocationUpdate[] batch)
    {
        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _updates, batch.Length);
        // Subscribers first: once the index shows an update, every subscriber's filter has already seen it.
        subscribers.Dispatch(batch);
        positions.Apply(batch);
        if (DispatchMetrics.FanOutLag.Enabled)
        {
            var now = clock.GetUtcNow();
            foreach (var update in batch)
            {
                if (update.EnteredFanOutAt != default)
                    DispatchMetrics.FanOutLag.Record(Math.Max(0, (now - update.EnteredFanOutAt).TotalMilliseconds));
            }
        }

        return Task.CompletedTask;
    }
}

/// <summary>
/// Registers this host's <see cref="LocationFeed"/> with the registry once the silo is active, and again every
/// <see cref="FanOutOptions.HostRefreshInterval"/> (the registry keeps no state of its own); unregisters on shutdown.
/// </summary>
internal sealed class LocationFeedRegistration(
    IGrainFactory grains,
    ILocalSiloDetails silo,
    LocationFeed feed,
    IOptions<TrackingOptions> options,
    ILogger<LocationFeedRegistration> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly CancellationTokenSource _stopping = new();
    private ILocationFeedObserver? _reference;
    private Task _loop = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(LocationFeedRegistration), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        _reference = grains.CreateObjectReference<ILocationFeedObserver>(feed);
        await RegisterAsync();
        _loop = Task.Run(RefreshLoopAsync);
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _loop;
        try
        {
            await grains.GetGrain<ILocationFeedRegistryGrain>(0).Unregister(silo.SiloAddress).WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
        }
        catch (Exception ex)
        {
            logger.LogDebug(ex, "Could not unregister the location feed; the registry drops it when the silo leaves");
        }

        if (_reference is not null)
            grains.DeleteObjectReference<ILocationFeedObserver>(_reference);
    }

    private async Task RefreshLoopAsync()
    {
        using var timer = new PeriodicTimer(options.Value.FanOut.HostRefreshInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                try
                {
                    await RegisterAsync();
                }
                catch (Exception ex) when (!_stopping.IsCancellationRequested)
                {
                    logger.LogWarning(ex, "Could not refresh the location feed registration; retrying");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private Task RegisterAsync() => grains.GetGrain<ILocationFeedRegistryGrain>(0).Register(silo.SiloAddress, _reference!);
}
