using System.Collections.Concurrent;
using Dispatch.Domain.Common;
using Dispatch.Domain.Geo;
using Dispatch.Domain.Tracking;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dispatch.Grains.Tracking;

/// <summary>
/// This host's in-memory index of every technician's current position, per tenant and grid cell. It is fed by the
/// location feed (every host receives every batch), so each host can answer map queries — and later best match — from
/// memory alone. After a start, a tenant's last known positions are loaded once, on its first query.
/// </summary>
public sealed class LivePositions(IGrainFactory grains, IOptions<TrackingOptions> options, ILogger<LivePositions> logger)
{
    private const int WarmUpParallelism = 64;
    private readonly GeoGrid _grid = new(options.Value.IndexCellSizeDegrees);
    private readonly ConcurrentDictionary<string, Partition> _tenants = new(StringComparer.Ordinal);

    public int Count => _tenants.Values.Sum(p => p.Count);

    public void Apply(IReadOnlyList<LocationUpdate> batch)
    {
        foreach (var update in batch)
            Upsert(update);
    }

    /// <summary>Current positions inside <paramref name="box"/> (edges inclusive), at most <paramref name="max"/>.</summary>
    public async Task<IReadOnlyList<LocationUpdate>> WithinAsync(string tenant, BoundingBox box, int max, CancellationToken cancellationToken = default)
    {
        var partition = PartitionOf(tenant);
        await partition.EnsureWarmAsync(() => WarmUpAsync(tenant, cancellationToken)).WaitAsync(cancellationToken);
        lock (partition.Gate)
            return partition.Index.Within(box, max);
    }

    public LocationUpdate? Get(string tenant, string technicianId)
    {
        if (!_tenants.TryGetValue(tenant, out var partition))
            return null;
        lock (partition.Gate)
            return partition.Index.Get(technicianId);
    }

    private void Upsert(LocationUpdate update)
    {
        var partition = PartitionOf(update.Tenant);
        lock (partition.Gate)
            partition.Index.Upsert(update);
    }

    private Partition PartitionOf(string tenant) => _tenants.GetOrAdd(tenant, _ => new Partition(new PositionIndex(_grid)));

    private async Task WarmUpAsync(string tenant, CancellationToken cancellationToken)
    {
        var ids = await grains.GetGrain<ITrackedFleetGrain>(tenant).List();
        using var gate = new SemaphoreSlim(WarmUpParallelism);
        await Task.WhenAll(ids.Select(async id =>
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                if (await grains.GetGrain<ITechnicianLocationGrain>(TenantKey.Compose(tenant, id)).GetCurrent() is { } current)
                    Upsert(current);
            }
            finally
            {
                gate.Release();
            }
        }));
        logger.LogInformation("Loaded the last known positions of {Count} technicians of tenant {Tenant}", ids.Length, tenant);
    }

    private sealed class Partition(PositionIndex index)
    {
        private Task? _warm;

        public Lock Gate { get; } = new();

        public PositionIndex Index { get; } = index;

        public int Count
        {
            get
            {
                lock (Gate)
                    return Index.Count;
            }
        }

        public Task EnsureWarmAsync(Func<Task> warmUp)
        {
            lock (Gate)
            {
                if (_warm is null || _warm.IsFaulted || _warm.IsCanceled)
                    _warm = Task.Run(warmUp);
                return _warm;
            }
        }
    }
}
