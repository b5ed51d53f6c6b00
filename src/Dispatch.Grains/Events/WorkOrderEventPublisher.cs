using System.Collections.Immutable;
using System.Threading.Channels;
using Dispatch.Domain.WorkOrders;
using Dispatch.Grains.Hosting;
using Microsoft.Extensions.Logging;

namespace Dispatch.Grains.Events;

/// <summary>
/// Per silo: takes every work-order change from the grains that made it (a non-blocking enqueue), and delivers them in
/// batches to every registered host observer, in order, through one lane per host.
/// </summary>
/// <remarks>
/// <para>Why observers and not Orleans streams: the live feed is best-effort by nature (a GraphQL subscriber that
/// reconnects re-queries the list; the read model and grain state are the record), the event rate per tenant is modest,
/// and delivery must cross silos. A registry of host observers does exactly that with no pub/sub storage, no queue
/// sizing and no subscription handles to resume after a restart; it is the GPSTracker sample's design. Memory streams
/// would add a pulling delay, fixed queues that throw when full, and durable pub/sub state for subscribers that are
/// not durable anyway.</para>
/// <para>Order: Orleans does not promise that two messages to the same target arrive in the order they were sent, and
/// a host drops a change older than one it has already delivered (so it never reorders a work order's history). Sending
/// fire-and-forget batches therefore lost changes now and then. Each host has its own lane instead: the next batch goes
/// only when the host has acknowledged the previous one. Batches grow while a call is in flight, so a lane costs one
/// round trip per batch, not per change; a slow or dead host fills only its own bounded lane (oldest batches dropped and
/// logged) and never holds up the grains or the other hosts.</para>
/// <para>The registry is read once per batch, so a host that registered before a change was made receives it, whichever
/// silo made it. A host missing from the registry keeps its lane until it has been missing for the registry's expiry:
/// a registry that was just re-activated on another silo (empty until hosts renew) does not cut every host off.</para>
/// </remarks>
public sealed class WorkOrderEventPublisher(IGrainFactory grains, TimeProvider clock, ILogger<WorkOrderEventPublisher> logger)
    : SiloBackgroundLoop
{
    private const int MaxBatch = 256;
    private const int LaneBatches = 256;
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(10);

    private readonly Channel<WorkOrderChanged> _queue = Channel.CreateBounded<WorkOrderChanged>(
        new BoundedChannelOptions(50_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
        dropped => logger.LogWarning("Work-order event queue full: dropped the change of {WorkOrderId} v{Version}.", dropped.WorkOrderId, dropped.Version));

    private readonly ILogger _logger = logger;
    private readonly Dictionary<GrainId, HostLane> _lanes = [];

    public void Publish(WorkOrderChanged change) => _queue.Writer.TryWrite(change);

    /// <summary>On stop, deliver what is queued if it can be done quickly.</summary>
    protected override bool DrainsOnStop => true;

    protected override void CompleteQueue() => _queue.Writer.TryComplete();

    /// <summary>The loop first (it completes every lane as it ends, and only it touches the lanes), then the lanes' last calls.</summary>
    protected override async Task DrainAsync(Task loop)
    {
        await loop;
        await Task.WhenAll(_lanes.Values.Select(l => l.Completion));
    }

    protected override async Task RunAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<WorkOrderChanged>(MaxBatch);
        var registry = grains.GetGrain<IWorkOrderFeedRegistryGrain>(0);
        try
        {
            while (await reader.WaitToReadAsync(Stopping))
            {
                batch.Clear();
                while (batch.Count < MaxBatch && reader.TryRead(out var change)) batch.Add(change);
                if (batch.Count == 0) continue;
                try
                {
                    RefreshLanes(await registry.GetObservers());
                }
                catch (Exception ex) when (!Stopping.IsCancellationRequested)
                {
                    // Deliver to the hosts already known rather than dropping the batch.
                    logger.LogWarning(ex, "Could not read the live-feed registry; delivering to the {Count} hosts already known.", _lanes.Count);
                }

                var changes = batch.ToImmutableArray();
                foreach (var lane in _lanes.Values) lane.Enqueue(changes);
            }
        }
        finally
        {
            foreach (var lane in _lanes.Values) lane.Complete();
        }
    }

    private void RefreshLanes(ImmutableArray<IWorkOrderEventObserver> observers)
    {
        var now = clock.GetUtcNow();
        foreach (var observer in observers)
        {
            var id = observer.GetGrainId();
            if (!_lanes.TryGetValue(id, out var lane))
            {
                lane = new HostLane(observer, this);
                _lanes[id] = lane;
            }

            lane.LastListed = now;
        }

        foreach (var (id, lane) in _lanes.Where(l => now - l.Value.LastListed > WorkOrderFeedRegistryGrain.Expiry).ToList())
        {
            lane.Complete();
            _lanes.Remove(id);
        }
    }

    /// <summary>One host's ordered delivery: one acknowledged call at a time; batches queued meanwhile are merged.</summary>
    private sealed class HostLane
    {
        private readonly IWorkOrderEventObserver _observer;
        private readonly WorkOrderEventPublisher _owner;
        private readonly Channel<ImmutableArray<WorkOrderChanged>> _batches;

        public HostLane(IWorkOrderEventObserver observer, WorkOrderEventPublisher owner)
        {
            _observer = observer;
            _owner = owner;
            _batches = Channel.CreateBounded<ImmutableArray<WorkOrderChanged>>(
                new BoundedChannelOptions(LaneBatches) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = true },
                dropped => owner._logger.LogWarning("A host is not keeping up with the live feed: dropped {Count} work-order changes for it.", dropped.Length));
            Completion = Task.Run(DeliverAsync);
        }

        public DateTimeOffset LastListed { get; set; }

        public Task Completion { get; }

        public void Enqueue(ImmutableArray<WorkOrderChanged> changes) => _batches.Writer.TryWrite(changes);

        public void Complete() => _batches.Writer.TryComplete();

        private async Task DeliverAsync()
        {
            var reader = _batches.Reader;
            var merged = ImmutableArray.CreateBuilder<WorkOrderChanged>();
            try
            {
                while (await reader.WaitToReadAsync(_owner.Stopping))
                {
                    merged.Clear();
                    while (merged.Count < MaxBatch && reader.TryRead(out var batch)) merged.AddRange(batch);
                    try
                    {
                        await _observer.OnWorkOrderChanges(merged.ToImmutable()).WaitAsync(DeliveryTimeout, _owner.Stopping);
                    }
                    catch (Exception ex) when (!_owner.Stopping.IsCancellationRequested)
                    {
                        _owner._logger.LogDebug(ex, "Could not deliver {Count} work-order changes to a host observer.", merged.Count);
                    }
                }
            }
            catch (OperationCanceledException) when (_owner.Stopping.IsCancellationRequested)
            {
            }
        }
    }
}
