using Dispatch.Domain.Tracking;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Dispatch.Grains.Tracking;

/// <summary>
/// Collects the location updates of the technicians active on this silo and sends them in batches, once per host. A
/// stateless worker: every silo has its own (calls to it never leave the silo), and Orleans adds local workers under load,
/// so no single activation sees every fix of the cluster.
/// </summary>
/// <remarks>
/// Idle, an update goes out at once (no added latency); busy, updates wait at most <see cref="FanOutOptions.FlushInterval"/>
/// or until <see cref="FanOutOptions.MaxBatch"/> are pending. Delivery to hosts is one-way: a slow or vanished host never
/// holds up the batcher, and the registry forgets hosts that left the cluster.
/// </remarks>
[StatelessWorker]
public sealed class LocationBatcherGrain(IOptions<TrackingOptions> options, TimeProvider clock, ILogger<LocationBatcherGrain> logger)
    : Grain, ILocationBatcherGrain
{
    private readonly FanOutOptions _options = options.Value.FanOut;
    private List<LocationUpdate> _pending = [];
    private ILocationFeedObserver[] _hosts = [];
    private DateTimeOffset _lastFlush = DateTimeOffset.MinValue;
    private DateTimeOffset _lastRefresh = DateTimeOffset.MinValue;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await RefreshHostsAsync(cancellationToken);
        this.RegisterGrainTimer(_ =>
        {
            Flush();
            return Task.CompletedTask;
        }, new GrainTimerCreationOptions(_options.FlushInterval, _options.FlushInterval));
        this.RegisterGrainTimer(RefreshHostsAsync,
            new GrainTimerCreationOptions(_options.HostRefreshInterval, _options.HostRefreshInterval) { Interleave = true });
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        Flush();
        return Task.CompletedTask;
    }

    public Task Publish(LocationUpdate update)
    {
        var wasIdle = _pending.Count == 0;
        _pending.Add(update with { EnteredFanOutAt = clock.GetUtcNow() });
        if (_pending.Count >= _options.MaxBatch || (wasIdle && clock.GetUtcNow() - _lastFlush >= _options.FlushInterval))
            Flush();
        return Task.CompletedTask;
    }

    private void Flush()
    {
        if (_pending.Count == 0)
            return;
        if (_hosts.Length == 0)
        {
            // No host known yet (start-up) or right now: keep a bounded backlog and look again soon.
            if (_pending.Count > _options.MaxBatch * 4)
                _pending.RemoveRange(0, _pending.Count - _options.MaxBatch * 4);
            if (clock.GetUtcNow() - _lastRefresh > TimeSpan.FromMilliseconds(250))
                _ = RefreshHostsAsync(CancellationToken.None);
            return;
        }

        _lastFlush = clock.GetUtcNow();
        for (var start = 0; start < _pending.Count; start += _options.MaxBatch)
        {
            var batch = _pending.GetRange(start, Math.Min(_options.MaxBatch, _pending.Count - start)).ToArray();
            foreach (var host in _hosts)
            {
                try
                {
                    _ = host.OnLocations(batch);
                }
                catch (Exception ex)
                {
                    logger.LogWarning(ex, "Could not send a location batch to a host");
                }
            }
        }
        _pending = new List<LocationUpdate>(_pending.Count); // batches handed out share nothing with the next ones
    }

    private async Task RefreshHostsAsync(CancellationToken cancellationToken)
    {
        _lastRefresh = clock.GetUtcNow();
        try
        {
            _hosts = await GrainFactory.GetGrain<ILocationFeedRegistryGrain>(0).GetHosts();
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Could not refresh the list of location feed hosts; keeping the previous one");
        }
    }
}
