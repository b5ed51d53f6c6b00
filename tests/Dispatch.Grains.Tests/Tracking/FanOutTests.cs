using Dispatch.Domain.Geo;
using Dispatch.Domain.Tracking;
using Dispatch.Grains.Tracking;
using Dispatch.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Dispatch.Grains.Tests.Tracking;

[Collection(TrackingClusterCollection.Name)]
public class FanOutTests(TrackingCluster cluster)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private static FixInput Fix(double lat, double lon, DateTimeOffset? at = null) =>
        new() { Latitude = lat, Longitude = lon, Timestamp = at ?? DateTimeOffset.UtcNow };

    [Fact]
    public async Task A_fix_reaches_a_subscriber_on_every_host_once_and_only_in_its_own_tenant()
    {
        var (tech, device, key) = await cluster.NewDeviceAsync("acme");
        var received = cluster.Hosts.Select(_ => new List<LocationUpdate>()).ToArray();
        var strangers = new List<LocationUpdate>();
        var subscriptions = cluster.Hosts.Select((host, i) => host.GetRequiredService<LocationSubscribers>().Subscribe("acme",
            new LocationFilter(new HashSet<string> { tech }, null), batch => { lock (received[i]) received[i].AddRange(batch); return default; },
            TimeSpan.Zero)).ToList();
        subscriptions.Add(cluster.Hosts[0].GetRequiredService<LocationSubscribers>().Subscribe("globex",
            new LocationFilter(null, null), batch => { lock (strangers) strangers.AddRange(batch); return default; }, TimeSpan.Zero));
        try
        {
            await cluster.Grains.GetGrain<IDeviceGrain>($"acme/{device}").Ingest(DeviceKeys.Hash(key), [Fix(29.5, -95.5)]);

            await Eventually.Until(() => received.All(r => { lock (r) return r.Count == 1; }), Deadline, "every host got the update");
            Assert.All(received, r => Assert.Equal(29.5, r[0].Fix.Position.Latitude));
            Assert.Empty(strangers);
        }
        finally
        {
            subscriptions.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task A_burst_of_positions_reaches_every_host_in_batches_not_one_call_each()
    {
        const int Burst = 2_000;
        var tenant = TrackingCluster.NewId("t");
        var feeds = cluster.Hosts.Select(h => h.GetRequiredService<LocationFeed>()).ToArray();
        var received = cluster.Hosts.Select(_ => 0).ToArray();
        var subscriptions = cluster.Hosts.Select((host, i) => host.GetRequiredService<LocationSubscribers>().Subscribe(tenant,
            new LocationFilter(null, null), batch => { Interlocked.Add(ref received[i], batch.Count); return default; }, TimeSpan.Zero)).ToList();
        try
        {
            var batchesBefore = feeds.Select(f => f.BatchesReceived).ToArray();
            var publisher = cluster.Hosts[0].GetRequiredService<LocationPublisher>();
            var now = DateTimeOffset.UtcNow;
            for (var i = 0; i < Burst; i++)
                publisher.Publish(new LocationUpdate(tenant, $"tech-{i}", new LocationFix { Position = new GeoPoint(29.5, -95.5), Timestamp = now, Source = "test" }));

            await Eventually.Until(() => Enumerable.Range(0, received.Length).All(i => Volatile.Read(ref received[i]) == Burst), Deadline, "every host got every technician's position");
            for (var i = 0; i < feeds.Length; i++)
            {
                var batches = feeds[i].BatchesReceived - batchesBefore[i];
                // At most MaxBatch (256) per batch: at least 8 batches; one call per update would be 2,000.
                Assert.InRange(batches, 8, Burst / 10);
            }
        }
        finally
        {
            subscriptions.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task Every_host_index_answers_map_queries_exactly_at_the_edges()
    {
        var tenant = TrackingCluster.NewId("t");
        var (inside, d1, k1) = await cluster.NewDeviceAsync(tenant);
        var (outside, d2, k2) = await cluster.NewDeviceAsync(tenant);
        var box = new BoundingBox(29.0, -96.0, 30.0, -95.0);
        await cluster.Grains.GetGrain<IDeviceGrain>($"{tenant}/{d1}").Ingest(DeviceKeys.Hash(k1), [Fix(30.0, -95.0)]);
        await cluster.Grains.GetGrain<IDeviceGrain>($"{tenant}/{d2}").Ingest(DeviceKeys.Hash(k2), [Fix(30.000001, -95.0)]);

        foreach (var host in cluster.Hosts)
        {
            var positions = host.GetRequiredService<LivePositions>();
            await Eventually.Until(() => positions.Get(tenant, outside) is not null, Deadline, "the index saw both technicians");
            var found = await positions.WithinAsync(tenant, box, 100);
            Assert.Equal([inside], found.Select(u => u.TechnicianId));
        }
    }

    [Fact]
    public async Task A_stalled_subscriber_holds_one_update_per_technician_while_another_keeps_receiving()
    {
        var subscribers = cluster.Hosts[0].GetRequiredService<LocationSubscribers>();
        var tenant = TrackingCluster.NewId("t");
        var stuck = new TaskCompletionSource();
        var stalledCalls = 0;
        var latest = new Dictionary<string, LocationUpdate>();
        using var stalled = subscribers.Subscribe(tenant, new LocationFilter(null, null), _ =>
        {
            Interlocked.Increment(ref stalledCalls);
            return new ValueTask(stuck.Task); // a client that stopped reading: the send never completes
        }, TimeSpan.Zero);
        using var healthy = subscribers.Subscribe(tenant, new LocationFilter(null, null), batch =>
        {
            lock (latest)
                foreach (var u in batch)
                    latest[u.TechnicianId] = u;
            return default;
        }, TimeSpan.Zero);

        const int technicians = 50, rounds = 2_000;
        var t0 = DateTimeOffset.UtcNow;
        for (var round = 0; round < rounds; round++)
        {
            var batch = Enumerable.Range(0, technicians).Select(i => new LocationUpdate(tenant, $"tech-{i}", new LocationFix
            {
                Position = new GeoPoint(29 + round * 0.0001, -95), Timestamp = t0.AddMilliseconds(round), Source = "sim",
            })).ToArray();
            subscribers.Dispatch(batch); // 100k updates, far more than the stalled client will ever take
        }

        await Eventually.Until(() => { lock (latest) return latest.Count == technicians && latest.Values.All(u => u.Fix.Timestamp == t0.AddMilliseconds(rounds - 1)); },
            Deadline, "the healthy subscriber saw every technician's newest position");
        Assert.True(stalled.Buffered <= technicians, $"the stalled buffer holds {stalled.Buffered} updates");
        Assert.Equal(1, Volatile.Read(ref stalledCalls));
        stuck.SetResult();
    }
}
