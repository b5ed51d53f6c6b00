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
}
