using Dispatch.Testing;

namespace Dispatch.Cluster.Tests;

/// <summary>An upgrade: each silo in turn taken out of rotation, SIGTERM, clean exit, restarted, rejoined; the load never stops.</summary>
[Collection(ClusterCollection.Name)]
public class RollingRestartTests(PostgresServer postgres)
{
    [Fact]
    public async Task A_rolling_restart_of_every_silo_under_load_loses_nothing()
    {
        await using var cluster = await SiloCluster.StartAsync(postgres);
        var load = new Workload(cluster, Workload.TestTenant);
        load.InRotation.UnionWith([0, 1, 2]);
        for (var t = 0; t < 6; t++)
            await load.CreateTechnicianAsync(t % 3, $"tech-{t}");
        for (var t = 0; t < 3; t++)
            await load.RegisterDeviceAsync(t, $"tech-{t}");
        var orders = Enumerable.Range(0, 16).Select(n => $"wo-{n}").ToArray();
        foreach (var (id, n) in orders.Select((id, n) => (id, n)))
            await load.CreateOrderAsync(n % 3, id);

        using var stop = new CancellationTokenSource();
        var loops = orders.Chunk(4).Select((chunk, n) => Task.Run(() => load.DispatcherLoopAsync(chunk, n, stop.Token)))
            .Concat(load.Devices.Keys.Select(t => Task.Run(() => load.DeviceLoopAsync(t, TimeSpan.FromMilliseconds(250), stop.Token))))
            .ToArray();

        for (var silo = 0; silo < cluster.Size; silo++)
        {
            var acked = load.Acks.Count;
            await Eventually.Until(() => load.Acks.Count >= acked + 20, TimeSpan.FromSeconds(60), "the load runs before the restart");
            lock (load.InRotation)
                load.InRotation.Remove(silo);
            await cluster.StopAsync(silo);
            await cluster.WaitForMembersAsync(cluster.Size - 1, TimeSpan.FromSeconds(30));
            await cluster.StartSiloAsync(silo);
            await cluster.WaitForMembersAsync(cluster.Size, TimeSpan.FromSeconds(60));
            lock (load.InRotation)
                load.InRotation.Add(silo);
        }

        var total = load.Acks.Count;
        await Eventually.Until(() => load.Acks.Count >= total + 20, TimeSpan.FromSeconds(60), "the load runs after the last restart");
        await stop.CancelAsync();
        await Task.WhenAll(loops);

        await load.AssertNothingLostAsync(0);
        await load.AssertNoDoubleBookingAsync(1);
        // Every silo took writes at some point after its restart.
        Assert.All(Enumerable.Range(0, cluster.Size), s => Assert.Contains(load.Acks, a => a.Silo == s));
    }
}
