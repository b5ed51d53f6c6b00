namespace Dispatch.Simulator.Tests;

public sealed class IngestScenarioTests
{
    [Fact]
    public async Task S1_measures_ingest_unbatched_and_batched_next_to_the_no_op_ceiling()
    {
        var result = await Simulator.RunAsync("scenario", "S1", "--start-local", "--devices", "8", "--connections", "4",
            "--seconds", "1", "--warmup", "0", "--batch", "5");
        Simulator.AssertScenarioShape(result, "S1", checks: 3);
        Assert.Equal(8, result.GetProperty("devices").GetInt32());
        Assert.True(result.Number("unbatched.fixesPerSecond") > 0);
        Assert.True(result.Number("batched.fixesPerSecond") > 0);
        Assert.Equal(result.Number("batched.run.perSecond") * 5, result.Number("batched.fixesPerSecond"));
        Assert.True(result.Number("ceiling.unbatchedBody.perSecond") > 0);
        Assert.Equal(Math.Round(result.Number("unbatched.fixesPerSecond") / result.Number("ceiling.unbatchedBody.perSecond"), 3),
            result.Number("ratioToNoOp"));
        Assert.True(result.Number("unbatched.run.latency.p99Ms") >= result.Number("unbatched.run.latency.p50Ms"));
    }

    [Fact]
    public async Task S2_delivers_fixes_to_bounding_box_subscribers_and_samples_memory_with_a_stalled_one()
    {
        var result = await Simulator.RunAsync("scenario", "S2", "--start-local", "--devices", "40", "--subscribers", "3",
            "--rate", "200", "--seconds", "3", "--warmup", "1", "--box-share", "0.5", "--ceiling-seconds", "2");
        Simulator.AssertScenarioShape(result, "S2", checks: 2);
        Assert.True(result.GetProperty("stalledSubscriber").GetBoolean());
        Assert.True(result.Number("send.sent") > 100, "the open-loop sender reached the server");
        Assert.True(result.Number("latency.count") > 0, "subscribers received positions inside their boxes");
        Assert.True(result.Number("latency.p99Ms") >= result.Number("latency.p50Ms"));
        Assert.True(result.GetProperty("serverMemory").GetArrayLength() >= 2);
        Assert.Empty(result.GetProperty("subscriberErrors").EnumerateArray());
        Assert.True(result.Number("ceiling.send.sent") > 100, "the same sender drove the no-op endpoint");
        Assert.Equal(0, result.Number("ceiling.send.errors"));
    }
}
