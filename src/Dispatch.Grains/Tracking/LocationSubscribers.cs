using System.Collections.Concurrent;
using System.Collections.Immutable;
using Dispatch.Domain.Geo;
using Dispatch.Domain.Tracking;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dispatch.Grains.Tracking;

/// <summary>Which updates a subscriber wants. Both parts given: an update must satisfy both.</summary>
public sealed record LocationFilter(IReadOnlySet<string>? TechnicianIds, BoundingBox? Box)
{
    public bool Matches(LocationUpdate update) =>
        (TechnicianIds is null || TechnicianIds.Contains(update.TechnicianId))
        && (Box is null || Box.Contains(update.Fix.Position));
}

/// <summary>Counters for operators and tests: how the host's subscribers are keeping up.</summary>
public sealed record SubscriberStats(int Subscribers, int Buffered, long Delivered, long Coalesced, long Dropped);

/// <summary>
/// The live subscribers connected to this host (GraphQL subscriptions, SignalR watchers), by tenant. The host's feed hands
/// every batch here once; each update goes to the subscribers of its own tenant whose filter it matches.
/// </summary>
public sealed class LocationSubscribers(IOptions<TrackingOptions> options, ILogger<LocationSubscribers> logger)
{
    private readonly ConcurrentDictionary<string, ImmutableArray<LocationSubscriber>> _byTenant = new(StringComparer.Ordinal);
    private long _delivered, _coalesced, _dropped;

    /// <summary>
    /// Adds a subscriber. <paramref name="sink"/> receives batches one at a time (never concurrently); while it has not
    /// finished, updates wait in a bounded buffer that keeps only the latest per technician. Dispose to unsubscribe.
    /// </summary>
    public LocationSubscriber Subscribe(string tenant, LocationFilter filter, Func<IReadOnlyList<LocationUpdate>, ValueTask> sink, TimeSpan minInterval)
    {
        var fanOut = options.Value.FanOut;
        var subscriber = new LocationSubscriber(this, tenant, filter, sink, minInterval, fanOut.SubscriberBufferCapacity, fanOut.SubscriberMaxBatch);
        _byTenant.AddOrUpdate(tenant, _ => [subscriber], (_, list) => list.Add(subscriber));
        return subscriber;
    }

    public void Dispatch(IReadOnlyList<LocationUpdate> batch)
    {
        foreach (var update in batch)
        {
            if (!_byTenant.TryGetValue(update.Tenant, out var subscribers))
                continue;
            foreach (var subscriber in subscribers)
            {
                if (subscriber.Filter.Matches(update))
                    subscriber.Offer(update);
            }
        }
    }

    /// <summary>Open subscriptions on this host (cheap: no buffer walk).</summary>
    public int Count() => _byTenant.Values.Sum(s => s.Length);

    public SubscriberStats Stats()
    {
        var all = _byTenant.Values.SelectMany(s => s).ToArray();
        return new SubscriberStats(all.Length, all.Sum(s => s.Buffered), Interlocked.Read(ref _delivered),
            Interlocked.Read(ref _coalesced), Interlocked.Read(ref _dropped));
    }

    internal void Remove(LocationSubscriber subscriber)
    {
        while (_byTenant.TryGetValue(subscriber.Tenant, out var list))
        {
            var next = list.Remove(subscriber);
            if (next.Length == list.Length)
                return;
            var replaced = next.IsEmpty
                ? _byTenant.TryRemove(new KeyValuePair<string, ImmutableArray<LocationSubscriber>>(subscriber.Tenant, list))
                : _byTenant.TryUpdate(subscriber.Tenant, next, list);
            if (replaced)
                return;
        }
    }

    internal void Count(long delivered, long coalesced, long dropped)
    {
        if (delivered != 0) Interlocked.Add(ref _delivered, delivered);
        if (coalesced != 0) Interlocked.Add(ref _coalesced, coalesced);
        if (dropped != 0) Interlocked.Add(ref _dropped, dropped);
    }

    internal void LogSinkFailure(Exception ex, string tenant) =>
        logger.LogDebug(ex, "A location subscriber of tenant {Tenant} failed and was removed", tenant);
}

/// <summary>
/// One subscriber: a filter, a bounded latest-per-technician buffer and a pump that hands batches to the sink one at a
/// time. Offering never blocks and never allocates beyond the buffer's capacity, so a client that stops reading slows
/// nothing but itself: while its sink is stuck, newer fixes replace older ones in its buffer.
/// </summary>
public sealed class LocationSubscriber : IDisposable
{
    private readonly LocationSubscribers _owner;
    private readonly Func<IReadOnlyList<LocationUpdate>, ValueTask> _sink;
    private readonly TimeSpan _minInterval;
    private readonly int _maxBatch;
    private readonly Lock _gate = new();
    private readonly LatestByKeyBuffer<string, LocationUpdate> _buffer;
    private bool _pumping;
    private bool _disposed;
    private long _lastSentTicks;

    internal LocationSubscriber(LocationSubscribers owner, string tenant, LocationFilter filter,
        Func<IReadOnlyList<LocationUpdate>, ValueTask> sink, TimeSpan minInterval, int capacity, int maxBatch)
    {
        _owner = owner;
        Tenant = tenant;
        Filter = filter;
        _sink = sink;
        _minInterval = minInterval;
        _maxBatch = maxBatch;
        _buffer = new LatestByKeyBuffer<string, LocationUpdate>(capacity, (incoming, waiting) => incoming.IsNewerThan(waiting), StringComparer.Ordinal);
    }

    public string Tenant { get; }

    public LocationFilter Filter { get; }

    public int Buffered
    {
        get
        {
            lock (_gate)
                return _buffer.Count;
        }
    }

    public void Offer(LocationUpdate update)
    {
        BufferPut put;
        var start = false;
        lock (_gate)
        {
            if (_disposed)
                return;
            put = _buffer.Put(update.TechnicianId, update);
            if (!_pumping && _buffer.Count > 0)
                start = _pumping = true;
        }

        if (put is BufferPut.Replaced or BufferPut.Stale)
            _owner.Count(0, 1, 0);
        else if (put == BufferPut.Dropped)
            _owner.Count(0, 0, 1);
        if (start)
            ThreadPool.UnsafeQueueUserWorkItem(static s => _ = s.PumpAsync(), this, preferLocal: false);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
                return;
            _disposed = true;
            _buffer.Drain(int.MaxValue);
        }
        _owner.Remove(this);
    }

    private async Task PumpAsync()
    {
        try
        {
            while (true)
            {
                if (_minInterval > TimeSpan.Zero)
                {
                    var wait = TimeSpan.FromTicks(Volatile.Read(ref _lastSentTicks)) + _minInterval - TimeSpan.FromTicks(Environment.TickCount64 * TimeSpan.TicksPerMillisecond);
                    if (wait > TimeSpan.Zero)
                        await Task.Delay(wait);
                }

                List<LocationUpdate> batch;
                lock (_gate)
                {
                    batch = _disposed ? [] : _buffer.Drain(_maxBatch);
                    if (batch.Count == 0)
                    {
                        _pumping = false;
                        return;
                    }
                }

                await _sink(batch);
                Volatile.Write(ref _lastSentTicks, Environment.TickCount64 * TimeSpan.TicksPerMillisecond);
                _owner.Count(batch.Count, 0, 0);
            }
        }
        catch (Exception ex)
        {
            _owner.LogSinkFailure(ex, Tenant);
            lock (_gate)
                _pumping = false;
            Dispose();
        }
    }
}
