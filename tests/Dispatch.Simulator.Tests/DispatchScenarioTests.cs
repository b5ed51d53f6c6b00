namespace Dispatch.Simulator.Tests;

public sealed class DispatchScenarioTests
{
    [Fact]
    public async Task S3_reads_one_order_a_page_and_best_match()
    {
        var result = await Simulator.RunAsync("scenario", "S3", "--start-local", "--technicians", "20", "--connections", "2",
            "--seconds", "1", "--warmup", "0", "--ceiling-seconds", "1");
        Simulator.AssertScenarioShape(result, "S3", checks: 1);
        Assert.True(result.Number("ceiling.noOpHttp.perSecond") > 0, "the no-op POST was driven by the same client");
        Assert.True(result.Number("workOrder.perSecond") > 0);
        Assert.True(result.Number("workOrdersPage50.perSecond") > 0);
        Assert.True(result.Number("suggestTechnicians.perSecond") > 0);
    }

    [Fact]
    public async Task S4_dispatches_every_order_through_GraphQL_and_in_process_and_the_race_books_once()
    {
        var result = await Simulator.RunAsync("scenario", "S4", "--start-local", "--technicians", "4", "--dispatches", "24",
            "--connections", "4", "--race", "12", "--in-process-dispatches", "24", "--in-process-technicians", "4",
            "--in-process-concurrency", "4", "--storage", "embedded", "--ceiling-seconds", "1", "--ceiling-grains", "100", "--ceiling-concurrency", "10");
        Simulator.AssertScenarioShape(result, "S4", checks: 5);
        Assert.True(result.Number("ceiling.noOpHttp.perSecond") > 0, "the no-op POST was driven by the same client");
        Assert.True(result.Number("ceiling.grainCalls.callsPerSecond") > 0, "the raw grain call rate was measured");
        Assert.True(result.Number("ceiling.grainWrites.writesPerSecond") > 0, "the durable write rate was measured beside the embedded in-process leg");
        Assert.Equal(4, result.Number("ceiling.grainWrites.concurrency"));
        Assert.Equal(0, result.Number("ceiling.grainWrites.run.latency.errors"));
        Assert.Equal(24, result.Number("graphQL.latency.count"));
        Assert.Equal(0, result.Number("graphQLConflicts"));
        Assert.Equal(24, result.Number("inProcess.run.latency.count"));
        var race = result.GetProperty("race");
        Assert.Equal(12, race.GetProperty("attempts").GetInt32());
        Assert.Equal(1, race.GetProperty("winners").GetInt32());
        Assert.Equal(11, race.GetProperty("conflicts").GetInt32());
        Assert.Equal(1, race.GetProperty("bookings").GetInt32());
    }
}
