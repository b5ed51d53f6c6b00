using System.Collections.Immutable;
using System.Threading.Channels;
using Dispatch.Domain.WorkOrders;
using Microsoft.Extensions.Logging;

namespace Dispatch.Grains.Events;

/// <summary>
/// Per silo: takes every work-order change from the grains that made it (a non-blocking enqueue), and delivers them in
/// batches to every registered host observer with one-way calls.
/// </summary>
/// <remarks>
/// <para>Why observers and not Orleans streams: the live feed is best-effort by nature (a GraphQL subscriber that
/// reconnects re-queries the list; the read model and grain state are the record), the event rate per tenant is modest,
/// and delivery must cross silos. A registry of host observers does exactly that with no pub/sub storage, no queue
/// sizing and no subscription handles to resume after a restart; it is the GPSTracker sample's design. Memory streams
/// would add a pulling delay, fixed queues that throw when full, and durable pub/sub state for subscribers that are
/// not durable anyway.</para>
/// <para>The registry is read once per batch, so a host that registered before a change was made receives it, whichever
/// silo made it. Batches grow under load, which keeps the number of registry reads and observer calls bounded. The
/// queue is bounded; if hosts cannot keep up (they are one-way calls, so they rarely slow the loop) the oldest events are
/// dropped and logged rather than blocking grains or growing memory.</para>
/// </remarks>
public sealed class WorkOrderEventPublisher(IGrainFactory grains, ILogger<WorkOrderEventPublisher> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private const int MaxBatch = 256;
    private readonly Channel<WorkOrderChanged> _queue = Channel.CreateBounded<WorkOrderChanged>(
        new BoundedChannelOptions(50_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
        dropped => logger.LogWarning("Work-order event queue full: dropped the change of {WorkOrderId} v{Version}.", dropped.WorkOrderId, dropped.Version));

    private Task? _loop;
    private readonly CancellationTokenSource _stopping = new();

    public void Publish(WorkOrderChanged change) => _queue.Writer.TryWrite(change);

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(WorkOrderEventPublisher), ServiceLifecycleStage.Active, Start, Stop);

    private Task Start(CancellationToken _)
    {
        _loop = Task.Run(RunAsync);
        return Task.CompletedTask;
    }

    private async Task Stop(CancellationToken ct)
    {
        _queue.Writer.TryComplete();
        if (_loop is null) return;
        // Deliver what is queued if it can be done quickly; then give up.
        if (await Task.WhenAny(_loop, Task.Delay(TimeSpan.FromSeconds(2), ct)) != _loop) await _stopping.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<WorkOrderChanged>(MaxBatch);
        var registry = grains.GetGrain<IWorkOrderFeedRegistryGrain>(0);
        while (await reader.WaitToReadAsync(_stopping.Token))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && reader.TryRead(out var change)) batch.Add(change);
            if (batch.Count == 0) continue;
            try
            {
                var observers = await registry.GetObservers();
                var changes = batch.ToImmutableArray();
                foreach (var observer in observers)
                {
                    try
                    {
                        await observer.OnWorkOrderChanges(changes);
                    }
                    catch (Exception ex)
                    {
                        logger.LogDebug(ex, "Could not deliver work-order changes to a host observer.");
                    }
                }
            }
            catch (Exception ex) when (!_stopping.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Could not deliver {Count} work-order changes; they are dropped from the live feed.", batch.Count);
            }
        }
    }
}
