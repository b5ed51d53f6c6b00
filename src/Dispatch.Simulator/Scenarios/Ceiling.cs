using System.Text;
using Dispatch.Simulator.Infrastructure;

namespace Dispatch.Simulator.Scenarios;

/// <summary>
/// Measured ceilings: the no-op HTTP endpoint driven by this simulator's own client, and trivial grain calls on an
/// in-process silo (what one grain hop costs on this machine with no storage, HTTP or serialization across processes).
/// </summary>
public static class Ceiling
{
    /// <summary>
    /// The ceilings recorded next to a scenario's own figures (<c>--no-ceiling</c> skips them, <c>--ceiling-seconds</c>
    /// sets their length): the no-op POST driven by the simulator's HttpClient at the scenario's concurrency with a body
    /// of about its requests' size; for a scenario that also measures grain calls in process, the raw grain call rate on
    /// this machine; and for one that stores state in process on the embedded file, the raw durable grain write rate at
    /// its concurrency and state size (<paramref name="grainWrites"/>).
    /// </summary>
    public static async Task<object?> NextToScenarioAsync(Arguments options, int connections, int bodyBytes, bool grainCalls,
        (int Concurrency, int PayloadBytes)? grainWrites = null)
    {
        if (options.Flag("no-ceiling"))
            return null;
        var duration = options.Seconds("ceiling-seconds", 5);
        var http = await NoOpHttpAsync(connections, duration, bodyBytes);
        var grains = grainCalls ? await GrainCallsAsync(options.Int("ceiling-grains", 10_000), options.Int("ceiling-concurrency", 1_000), duration) : null;
        var writes = grainWrites is var (concurrency, payloadBytes)
            ? await GrainWritesAsync(options.Int("ceiling-grains", 10_000), concurrency, payloadBytes, duration)
            : null;
        return new { noOpHttp = new { http.PerSecond, bodyBytes, run = http }, grainCalls = grains, grainWrites = writes };
    }

    public static async Task<LoadResult> NoOpHttpAsync(int connections, TimeSpan duration, int bodyBytes)
    {
        await using var server = await NoOpServer.StartAsync();
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = connections };
        using var http = new HttpClient(handler) { BaseAddress = server.Address };
        var body = Encoding.UTF8.GetBytes("{\"fixes\":[" + new string(' ', Math.Max(0, bodyBytes - 12)) + "]}");
        return await LoadRunner.RunAsync("no-op HTTP", connections, duration, async (_, _, ct) =>
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new("application/json");
            using var response = await http.PostAsync("/noop", content, ct);
            response.EnsureSuccessStatusCode();
        }, warmup: TimeSpan.FromSeconds(2));
    }

    public static async Task<object> GrainCallsAsync(int grains, int concurrency, TimeSpan duration)
    {
        var conditions = ProcessMemory.LoadAverage();
        await using var silo = await InProcess.InProcessSilo.StartAsync("memory");
        var factory = silo.Grains;
        var refs = Enumerable.Range(0, grains).Select(n => factory.GetGrain<InProcess.ICeilingGrain>(n)).ToArray();
        // Activate them all first: the ceiling is calls to live grains, not activations.
        await Parallel.ForEachAsync(refs, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (g, _) => await g.Ping(0));
        var run = await LoadRunner.RunAsync($"grain calls over {grains} grains", concurrency, duration, async (worker, n, _) =>
        {
            var grain = refs[(int)((worker * 7919L + n) % refs.Length)];
            await grain.Ping((int)n);
        }, warmup: TimeSpan.FromSeconds(2));
        return new { ceiling = "in-process grain calls", grains, concurrency, callsPerSecond = run.PerSecond, run, loadAverageBefore = conditions, loadAverageAfter = ProcessMemory.LoadAverage() };
    }

    /// <summary>
    /// Durable grain writes on an in-process silo with the embedded file, as the server stores state: each call stores
    /// one grain's state of <paramref name="payloadBytes"/> and answers once it is committed. What any operation that
    /// must store k states before it answers can at most reach here is this rate divided by k.
    /// </summary>
    public static async Task<object> GrainWritesAsync(int grains, int concurrency, int payloadBytes, TimeSpan duration)
    {
        var conditions = ProcessMemory.LoadAverage();
        await using var silo = await InProcess.InProcessSilo.StartAsync("embedded");
        var factory = silo.Grains;
        var refs = Enumerable.Range(0, grains).Select(n => factory.GetGrain<InProcess.ICeilingWriteGrain>(n)).ToArray();
        // Every grain activated and its row inserted first: the ceiling is updates of stored state, as a dispatch makes.
        await Parallel.ForEachAsync(refs, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (g, _) => await g.Write(0, payloadBytes));
        var run = await LoadRunner.RunAsync($"durable grain writes over {grains} grains", concurrency, duration, async (worker, n, _) =>
        {
            var grain = refs[(int)((worker * 7919L + n) % refs.Length)];
            await grain.Write((int)n, payloadBytes);
        }, warmup: TimeSpan.FromSeconds(2));
        return new
        {
            ceiling = "in-process durable grain writes (embedded SQLite)",
            grains,
            concurrency,
            payloadBytes,
            writesPerSecond = run.PerSecond,
            run,
            loadAverageBefore = conditions,
            loadAverageAfter = ProcessMemory.LoadAverage(),
        };
    }
}
