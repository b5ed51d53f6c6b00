using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Dispatch.Testing;

namespace Dispatch.Cluster.Tests;

/// <summary>
/// Three silos under a dispatch and tracking workload, live subscribers on each, then SIGKILL of the silo that holds
/// scheduled dispatches: the other two carry on, nothing acknowledged is lost, no technician is double-booked, every
/// surviving subscriber keeps hearing every surviving silo, the dead silo's scheduled dispatches go out from another,
/// and the killed silo rejoins when restarted.
/// </summary>
[Collection(ClusterCollection.Name)]
public class FailoverTests(PostgresServer postgres)
{
    private static readonly TimeSpan ServiceRestored = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan FeedDeadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Killing_a_silo_under_load_loses_nothing_acknowledged_and_the_others_carry_on()
    {
        await using var cluster = await SiloCluster.StartAsync(postgres);
        var load = new Workload(cluster, Workload.TestTenant);
        load.InRotation.UnionWith([0, 1, 2]);

        // ---- a tenant: technicians, devices, work orders (created through every silo) ----
        for (var t = 0; t < 8; t++)
            await load.CreateTechnicianAsync(t % 3, $"tech-{t}");
        for (var t = 0; t < 4; t++)
            await load.RegisterDeviceAsync(t % 3, $"tech-{t}");
        var workerOrders = Enumerable.Range(0, 24).Select(n => $"wo-{n}").ToArray();
        var scheduled = Enumerable.Range(0, 6).Select(n => $"sched-{n}").ToArray();
        foreach (var (id, n) in workerOrders.Concat(scheduled).Append("watch").Select((id, n) => (id, n)))
            await load.CreateOrderAsync(n % 3, id);

        await using var feeds = new FeedSet(await Task.WhenAll(Enumerable.Range(0, 3).Select(s => LiveFeeds.ConnectAsync(cluster, s, load, "watch"))));

        // ---- scheduled dispatches, sent by the platform a while after the kill ----
        var sendAt = DateTimeOffset.UtcNow.AddSeconds(40);
        for (var n = 0; n < scheduled.Length; n++)
        {
            var result = await load.DispatchAsync(n % 3, scheduled[n], load.Technicians[n], Workload.Slot(5, n * 3), sendAt);
            Assert.Equal("SCHEDULED", result?.GetProperty("outcome").GetString());
        }

        // The victim: the silo holding the most of them (at least two of six over three silos).
        var selves = new string[3];
        for (var s = 0; s < 3; s++)
            selves[s] = (await cluster.MembershipAsync(s)).Self;
        var owners = new List<string?>();
        using (var admin = cluster.Client(0, load.AdminToken))
        {
            foreach (var id in scheduled)
            {
                var body = JsonDocument.Parse(await admin.GetStringAsync($"/api/v1/cluster/work-orders/{id}")).RootElement;
                owners.Add(body.GetProperty("silo").GetString());
            }
        }

        var victim = Enumerable.Range(0, 3).MaxBy(s => owners.Count(o => o == selves[s]));
        var onVictim = scheduled.Where((_, n) => owners[n] == selves[victim]).ToArray();
        Assert.True(onVictim.Length >= 2, $"scheduled orders should be spread over the silos: {string.Join(", ", owners)}");
        var survivors = Enumerable.Range(0, 3).Where(s => s != victim).ToArray();

        // ---- the workload: 6 dispatchers competing for 8 technicians in overlapping slots, 4 devices posting fixes ----
        using var stop = new CancellationTokenSource();
        var loops = workerOrders.Chunk(4).Select((orders, n) => Task.Run(() => load.DispatcherLoopAsync(orders, n, stop.Token)))
            .Concat(load.Devices.Keys.Select(t => Task.Run(() => load.DeviceLoopAsync(t, TimeSpan.FromMilliseconds(250), stop.Token))))
            .ToArray();
        await Eventually.Until(() => load.Acks.Count > 60, TimeSpan.FromSeconds(60), "the workload is under way");

        // ---- SIGKILL ----
        lock (load.InRotation)
            load.InRotation.Remove(victim);
        var killedAt = DateTimeOffset.UtcNow;
        var sinceKill = Stopwatch.StartNew();
        await cluster.KillAsync(victim);

        // Service continues on the others within 30 s: new work, the dead silo's work orders and devices' fixes, through each survivor.
        foreach (var s in survivors)
        {
            var probe = 0;
            await Eventually.Until(async () =>
            {
                var id = $"probe-{s}-{probe++}";
                await load.CreateOrderAsync(s, id);
                Assert.Equal(id, (await load.ReadOrderAsync(s, id)).GetProperty("id").GetString());
                foreach (var order in onVictim)
                    Assert.Contains((await load.ReadOrderAsync(s, order)).GetProperty("status").GetString(), new[] { "CREATED", "DISPATCHED" });
                return await load.PostFixAsync(s, load.Devices["tech-0"], 29.9);
            }, ServiceRestored - sinceKill.Elapsed, $"silo {s} serves reads, writes and fixes after the kill", TimeSpan.FromMilliseconds(250));
        }

        // The scheduled dispatches the dead silo held go out from another silo, without the dead one coming back.
        await Eventually.Until(async () =>
        {
            foreach (var id in scheduled)
            {
                if ((await load.ReadOrderAsync(survivors[0], id)).GetProperty("status").GetString() != "DISPATCHED")
                    return false;
            }

            return true;
        }, sendAt - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(60), "every scheduled dispatch is sent", TimeSpan.FromMilliseconds(500));

        // Let the load run on the survivors for a while, then stop it.
        await Eventually.Until(() => survivors.All(s => load.Acks.Count(a => a.Silo == s && a.At > killedAt + TimeSpan.FromSeconds(5)) >= 10),
            TimeSpan.FromSeconds(60), "the survivors take the workload");
        await stop.CancelAsync();
        await Task.WhenAll(loops);

        // ---- live feeds: every surviving subscriber hears every surviving silo ----
        var notes = new List<(string Order, long Version)>();
        var fixes = new List<(string Technician, long At)>();
        var devices = load.Devices.Values.ToArray();
        for (var i = 0; i < survivors.Length; i++)
        {
            var p = survivors[i];
            await Eventually.Until(async () => await load.NoteAsync(p, "watch", $"via silo {p}") is not null, TimeSpan.FromSeconds(20), "a note is accepted");
            notes.Add(("watch", load.Orders["watch"].Version));
            // Each device reports through one survivor only: the live map coalesces a technician's positions for a slow
            // subscriber, so a second, newer fix of the same technician through another silo could rightly replace this one.
            foreach (var device in devices.Where((_, n) => n % survivors.Length == i))
            {
                await Eventually.Until(() => load.PostFixAsync(p, device, 29.95), TimeSpan.FromSeconds(20), "a fix is accepted");
                fixes.Add((device.TechnicianId, device.LastAcknowledged.ToUnixTimeMilliseconds()));
            }
        }

        var sent = scheduled.Select(id => (id, load.Orders[id].Version + 1)).ToArray();
        foreach (var s in survivors)
        {
            var feed = feeds[s];
            await Eventually.Until(() =>
            {
                var board = feed.BoardEvents();
                return notes.All(board.Contains) && sent.All(board.Contains)
                    && notes.All(feed.OrderEvents().Contains)
                    && fixes.All(feed.Positions().Contains);
            }, FeedDeadline, $"silo {s}'s subscribers hear every surviving silo", TimeSpan.FromMilliseconds(200));
        }

        // ---- no acknowledged write lost, no technician double-booked ----
        await load.AssertNothingLostAsync(survivors[0], scheduled);
        await load.AssertNoDoubleBookingAsync(survivors[0]);

        // ---- the killed silo rejoins ----
        await cluster.StartSiloAsync(victim);
        await cluster.WaitForMembersAsync(3, TimeSpan.FromSeconds(60));
        Assert.Equal("DISPATCHED", (await load.ReadOrderAsync(victim, scheduled[0])).GetProperty("status").GetString());
        await using var rejoined = await LiveFeeds.ConnectAsync(cluster, victim, load, "watch");
        var changedElsewhere = 0L;
        await Eventually.Until(async () =>
        {
            // A subscription is live a moment after it is opened: note until one made on another silo arrives.
            if (await load.NoteAsync(survivors[0], "watch", "after the rejoin") is not null)
                changedElsewhere = load.Orders["watch"].Version;
            return rejoined.BoardEvents().Any(e => e.Item1 == "watch" && e.Item2 <= changedElsewhere && e.Item2 > notes[^1].Version);
        }, FeedDeadline, "the rejoined silo's subscriber hears the others", TimeSpan.FromMilliseconds(500));
        using var rejoinedClient = cluster.Client(victim, load.AdminToken);
        Assert.Equal(HttpStatusCode.OK, (await rejoinedClient.GetAsync("/api/v1/cluster")).StatusCode);
    }

    /// <summary>The subscribers of every silo, disposed together.</summary>
    private sealed class FeedSet(LiveFeeds[] feeds) : IAsyncDisposable
    {
        public LiveFeeds this[int silo] => feeds[silo];

        public async ValueTask DisposeAsync()
        {
            foreach (var feed in feeds)
                await feed.DisposeAsync();
        }
    }
}
