namespace Dispatch.Simulator.Tests;

public sealed class ScaleAndToolsTests
{
    [Fact]
    public async Task S5_seeds_activates_and_times_a_restart()
    {
        var result = await Simulator.RunAsync("scenario", "S5", "--start-local", "--technicians", "12", "--work-orders", "40",
            "--active-work-orders", "25", "--batch", "10");
        Simulator.AssertScenarioShape(result, "S5", checks: 3);
        Assert.True(result.Number("stored.technicians") >= 12);
        Assert.True(result.Number("stored.workOrders") >= 40);
        Assert.Equal(25, result.Number("activation.workOrders"));
        Assert.True(result.Number("restart.startToReadySeconds") > 0);
        Assert.True(result.Number("rssWithActive.rssMiB") > 10);
    }

    [Fact]
    public async Task Seed_creates_technicians_with_devices_and_work_orders_and_a_second_run_changes_nothing()
    {
        var data = Path.Combine(Path.GetTempPath(), "dispatch-sim-seed-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            string[] args = ["seed", "--start-local", "--data", data, "--technicians", "9", "--work-orders", "15", "--cities", "Houston,Chicago", "--devices", "--batch", "6"];
            var first = await Simulator.RunAsync(args);
            Assert.Equal(0, first.Number("result.errors"));
            Assert.Equal(0, first.Number("result.alreadyExisted"));
            var second = await Simulator.RunAsync(args);
            // Technicians and orders exist; only the devices (registered again under the same ids) are refused as existing too.
            Assert.Equal(9 + 15 + 9, second.Number("result.alreadyExisted"));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task Live_moves_vans_orders_and_dashboards()
    {
        var result = await Simulator.RunAsync("live", "--start-local", "--technicians", "9", "--seconds", "6", "--speedup", "200", "--dashboards", "1");
        Assert.Equal(0, result.Number("errors"));
        Assert.Equal(9, result.Number("technicians"));
        Assert.True(result.Number("fixes") > 0);
        Assert.True(result.Number("dispatched") > 0);
        Assert.True(result.Number("mapUpdates") > 0);
        Assert.True(result.Number("boardEvents") > 0);
    }

    [Fact]
    public async Task Ceilings_report_rates()
    {
        var grain = await Simulator.RunAsync("ceiling-grain", "--grains", "50", "--concurrency", "8", "--seconds", "1");
        Assert.True(grain.Number("callsPerSecond") > 0);
        Assert.Equal(0, grain.Number("run.latency.errors"));
        var writes = await Simulator.RunAsync("ceiling-write", "--grains", "50", "--concurrency", "8", "--payload-bytes", "500", "--seconds", "1");
        Assert.True(writes.Number("writesPerSecond") > 0);
        Assert.Equal((500.0, 0.0), (writes.Number("payloadBytes"), writes.Number("run.latency.errors")));
        var http = await Simulator.RunAsync("ceiling-http", "--connections", "4", "--seconds", "1");
        Assert.True(http.Number("perSecond") > 0);
        Assert.Equal(0, http.Number("latency.errors"));
    }
}
