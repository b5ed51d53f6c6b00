using Dispatch.Server.Demo;
using Dispatch.Server.Hosting;
using Dispatch.Testing;

namespace Dispatch.Server.Tests;

/// <summary>The seed verb loads a believable tenant: every lifecycle status on the board, technicians with skills.</summary>
public class DemoDataTests
{
    private static readonly string[] Statuses =
        ["CREATED", "DISPATCHED", "ACKNOWLEDGED", "EN_ROUTE", "ON_SITE", "COMPLETE", "AWAITING_PARTS", "READY_FOR_RETURN", "CLOSED_INVOICED", "CANCELLED"];

    [Fact]
    public async Task Seed_loads_every_status_once_and_a_second_seed_changes_nothing()
    {
        await using var server = EmbeddedServer.InNewDirectory();
        var first = await ServerProcess.RunVerbAsync(server.Directory, ["seed", .. EmbeddedServer.SiloPorts()]);
        var second = await ServerProcess.RunVerbAsync(server.Directory, ["seed", .. EmbeddedServer.SiloPorts()]);
        Assert.True(first.ExitCode == 0, first.Output + first.Error);
        Assert.Contains("Loaded 50 technicians and 200 work orders", first.Output);
        Assert.Contains("already loaded", second.Output);

        var process = await server.StartAsync();
        using var client = process.AuthorizedClient(await server.TokenAsync("demo", "Dispatcher"));
        var total = 0;
        foreach (var status in Statuses)
        {
            var data = await client.DataAsync("query($s: [WorkOrderStatus!]) { workOrders(filter: { statuses: $s }, first: 1) { totalCount } }",
                new { s = new[] { status } });
            var count = data.GetProperty("workOrders").GetProperty("totalCount").GetInt32();
            Assert.True(count > 0, $"no demo work order is {status}");
            total += count;
        }

        Assert.Equal(200, total);
        var technician = (await client.DataAsync("{ technician(id: \"tech-001\") { name skills homeBase { latitude } } }")).GetProperty("technician");
        Assert.NotEmpty(technician.GetProperty("skills").EnumerateArray());
    }

    /// <summary>
    /// The layout must hold at any hour: seeded at 23:30 in Houston, the scheduled dispatch (once now + 12 h) fell after its
    /// 09:00-11:00 window the next morning and the seed died half way. Runs in-process so the seed's "now" can be chosen.
    /// </summary>
    [Fact]
    public async Task Seed_late_in_the_evening_lays_out_every_dispatch_before_its_window()
    {
        await using var server = EmbeddedServer.InNewDirectory();
        var app = DispatchHost.Build([$"--Dispatch:DataDirectory={server.DataDirectory}", .. EmbeddedServer.SiloPorts(), "--urls", "http://127.0.0.1:0"]);
        await app.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            var houston = TimeZoneInfo.FindSystemTimeZoneById("America/Chicago");
            var local = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, houston);
            var lateEvening = new DateTimeOffset(local.Date.AddHours(23).AddMinutes(30), local.Offset);
            if (lateEvening <= DateTimeOffset.UtcNow)
            {
                lateEvening = lateEvening.AddDays(1);
            }

            var result = await DemoData.SeedAsync(app.Services, "default", lateEvening, TestContext.Current.CancellationToken);
            Assert.Equal(DemoData.WorkOrderCount, result.WorkOrders);
        }
        finally
        {
            await app.StopAsync(TestContext.Current.CancellationToken);
            await app.DisposeAsync();
        }
    }
}
