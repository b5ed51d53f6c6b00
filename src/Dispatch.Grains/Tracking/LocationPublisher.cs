using System.Threading.Channels;
using Dispatch.Domain.Tracking;
using Dispatch.Grains.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dispatch.Grains.Tracking;

/// <summary>
/// Per silo: collects the location updates of the technicians active on this silo and sends them in batches, once per
/// web host. Location grains hand an update over with a non-blocking enqueue, so no single activation sees every fix of
/// the cluster and a fix costs no extra grain call.
/// </summary>
/// <remarks>
/// <para>This was a <c>[StatelessWorker]</c> batcher grain (the GPSTracker sample's pattern). The S1 profile showed the
/// grain call into it as one of three per fix; a silo-local queue does the same batching without the message, the way
/// <see cref="Events.WorkOrderEventPublisher"/> does for work-order changes.</para>
/// <para>Idle, an update goes out at once (no added latency); busy, updates wait at most
/// <see cref="FanOutOptions.FlushInterval"/> after the previous batch, and go in batches of at most
/// <see cref="FanOutOptions.MaxBatch"/>. Delivery to hosts is one-way: positions are a stream where only the newest
/// matters (a host keeps the newest per technician by timestamp), so a slow or vanished host never holds up the silo, and
/// the registry forgets hosts that left the cluster. The queue is bounded: when the hosts cannot take updates as fast as
/// devices send them, the oldest are dropped.</para>
/// </remarks>
public sealed class LocationPublisher : SiloBackgroundLoop
{
    private const int QueueCapacity = 100_000;
    private readonly IGrainFactory _grains;
    private readonly TimeProvider _clock;
    private readonly ILogger<LocationPublisher> _logger;
    private static readonly TimeSpan RetryHostsAfter = TimeSpan.FromMilliseconds(250);

    private readonly FanOutOptions _options;
    private readonly Channel<LocationUpdate> _queue;
    private readonly List<LocationUpdate> _backlog = [];
    private ILocationFeedObserver[] _hosts = [];
    private DateTimeOffset _hostsReadAt = DateTimeOffset.MinValue;
    private long _dropped;

    /// <summary>Updates dropped because the queue was full (the silo could not send as fast as devices reported).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Queues the newest position of a technician for every host; never waits.</summary>
    public void Publish(LocationUpdate update) => _queue.Writer.TryWrite(update with { EnteredFanOutAt = _clock.GetUtcNow() });

    public LocationPublisher(IGrainFactory grains, IOptions<TrackingOptions> options, TimeProvider clock, ILogger<LocationPublisher> logger)
    {
        _grains = grains;
        _options = options.Value.FanOut;
        _clock = clock;
        _logger = logger;
        _queue = Channel.CreateBounded<LocationUpdate>(
            new BoundedChannelOptions(QueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => Interlocked.Increment(ref _dropped));
    }

    /// <summary>On stop, send what is queued if that is quick (the loop flushes until the queue is empty).</summary>
    protected override bool DrainsOnStop => true;

    protected override void CompleteQueue() => _queue.Writer.TryComplete();

    protected override async Task RunAsync()
    {
        var reader = _queue.Reader;
        var pending = new List<LocationUpdate>(_options.MaxBatch);
        var lastFlush = DateTimeOffset.MinValue;
        try
        {
            while (await WaitForUpdatesAsync(reader))
            {
                // Busy (the previous batch went out less than a flush interval ago): let this one fill for the rest of it.
                var wait = lastFlush + _options.FlushInterval - _clock.GetUtcNow();
                if (wait > TimeSpan.Zero && reader.Count < _options.MaxBatch && !reader.Completion.IsCompleted)
                    await Task.Delay(wait, _clock, Stopping);

                while (reader.TryRead(out var update))
                {
                    pending.Add(update);
                    if (pending.Count >= _options.MaxBatch)
                        await SendAsync(pending);
                }

                await SendAsync(pending);
                lastFlush = _clock.GetUtcNow();
            }
        }
        catch (OperationCanceledException) when (Stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// True when there are updates to read, or when a backlog kept for want of hosts should be tried again; false once the
    /// queue is completed and read to the end.
    /// </summary>
    private async Task<bool> WaitForUpdatesAsync(ChannelReader<LocationUpdate> reader)
    {
        if (_backlog.Count == 0)
            return await reader.WaitToReadAsync(Stopping);
        using var retry = CancellationTokenSource.CreateLinkedTokenSource(Stopping);
        retry.CancelAfter(RetryHostsAfter);
        try
        {
            return await reader.WaitToReadAsync(retry.Token);
        }
        catch (OperationCanceledException) when (!Stopping.IsCancellationRequested)
        {
            return true;
        }
    }

    /// <summary>Sends <paramref name="pending"/> (after any backlog) to every host and clears it.</summary>
    private async Task SendAsync(List<LocationUpdate> pending)
    {
        var now = _clock.GetUtcNow();
        if (now - _hostsReadAt >= _options.HostRefreshInterval || (_hosts.Length == 0 && now - _hostsReadAt >= RetryHostsAfter))
            await RefreshHostsAsync(now);
        if (_hosts.Length == 0)
        {
            // No host known yet (start-up, or a registry just re-activated): keep a bounded backlog, newest last, and look
            // again soon.
            _backlog.AddRange(pending);
            pending.Clear();
            if (_backlog.Count > _options.MaxBatch * 4)
                _backlog.RemoveRange(0, _backlog.Count - _options.MaxBatch * 4);
            return;
        }

        if (_backlog.Count > 0)
        {
            foreach (var chunk in _backlog.Chunk(_options.MaxBatch))
                Deliver(chunk);
            _backlog.Clear();
        }

        if (pending.Count > 0)
        {
            Deliver(pending.ToArray()); // the hosts share the array; nothing here touches it again
            pending.Clear();
        }
    }

    private void Deliver(LocationUpdate[] batch)
    {
        foreach (var host in _hosts)
        {
            try
            {
                _ = host.OnLocations(batch);
            }
            catch (Exception ex)
            {
                _logger.LogWarning(ex, "Could not send a location batch to a host");
            }
        }
    }

    private async Task RefreshHostsAsync(DateTimeOffset now)
    {
        _hostsReadAt = now;
        try
        {
            _hosts = await _grains.GetGrain<ILocationFeedRegistryGrain>(0).GetHosts().WaitAsync(TimeSpan.FromSeconds(5), Stopping);
        }
        catch (Exception ex) when (!Stopping.IsCancellationRequested)
        {
            _logger.LogWarning(ex, "Could not refresh the list of location feed hosts; keeping the previous one");
        }
    }
}
