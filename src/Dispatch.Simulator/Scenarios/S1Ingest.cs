using System.Net.Http.Headers;
using Dispatch.Simulator.Infrastructure;
using Dispatch.Simulator.World;

namespace Dispatch.Simulator.Scenarios;

/// <summary>
/// S1: fixes per second the ingest endpoint accepts, unbatched and in batches of 20, closed loop on N connections; and the
/// same client against a no-op Kestrel POST with the same bodies (the ceiling), so the ratio says how much of the machine
/// Dispatch leaves on the table. Client: the simulator's HttpClient (default, works anywhere) or wrk (<c>--client wrk</c>).
/// </summary>
public static class S1Ingest
{
    /// <summary>The local server's rate limit is lifted: S1 measures ingest, not the per-device token bucket.</summary>
    public static readonly string[] LocalConfiguration =
        ["--Dispatch:Tracking:RateLimit:Burst=10000000", "--Dispatch:Tracking:RateLimit:PerSecond=10000000"];

    public static async Task<object> RunAsync(Arguments options)
    {
        var devices = options.Int("devices", 1000);
        var connections = options.Int("connections", 64);
        var duration = options.Seconds("seconds", 10);
        // A long warm-up: on two shared cores the JIT needs well over 10 s of load before the hot path runs fully optimized
        // (tier 1), and a server in production runs warm. With 2 s the unbatched figure was a third lower, run to run; with
        // 15 s the JIT still took 8 % of the server's samples during the unbatched measurement (0.4 % with 30 s).
        var warmup = options.Seconds("warmup", 30);
        var batch = options.Int("batch", 20);
        var client = options.Text("client", "http");
        if (client == "wrk" && !Wrk.Available)
            throw new ArgumentException($"--client wrk needs wrk at {Wrk.Path} (Debian: apt-get install wrk).");
        if (devices < connections)
            throw new ArgumentException("--devices must be at least --connections (each connection drives its own devices).");

        var conditions = new Conditions();
        await using var target = await Target.OpenAsync(options, LocalConfiguration);
        var graph = target.GraphQL(8);
        var prefix = $"s1-{Guid.NewGuid().ToString("N")[..6]}";
        var fleet = new Fleet(graph, prefix, Geography.Resolve(["Houston"], 0.4));
        var seeded = await fleet.CreateTechniciansAsync(0, devices, devices: true, shifts: "office", batch: 50, parallel: 4);
        if (seeded.Devices.Length < connections)
            throw new InvalidOperationException($"Only {seeded.Devices.Length} devices registered: {string.Join("; ", seeded.FirstErrors)}");
        var credentials = seeded.Devices.Select(d => d.Credential).ToArray();
        var memoryAfterSeed = target.ServerMemory();

        object unbatched, batched, ceiling;
        double unbatchedFixes, batchedFixes, noOp;
        object? serverCpu = null;
        long errors;
        if (client == "wrk")
        {
            var file = Path.Combine(Path.GetTempPath(), $"{prefix}-credentials.txt");
            await File.WriteAllLinesAsync(file, credentials);
            try
            {
                var threads = options.Int("threads", 2);
                var url = new Uri(target.Url, "/api/v1/locations");
                // Warm-ups run on their own, so the server CPU measured around each run belongs to its requests alone.
                if (warmup > TimeSpan.Zero)
                    await Wrk.RunAsync("warm-up", url, file, 1, connections, threads, warmup, TimeSpan.Zero);
                var (one, cpuOne) = await MeteredAsync(target, () => Wrk.RunAsync("S1 unbatched", url, file, 1, connections, threads, duration, TimeSpan.Zero), r => r.Latency.Count);
                if (warmup > TimeSpan.Zero)
                    await Wrk.RunAsync("warm-up", url, file, batch, connections, threads, warmup, TimeSpan.Zero);
                var (twenty, cpuTwenty) = await MeteredAsync(target, () => Wrk.RunAsync($"S1 batch {batch}", url, file, batch, connections, threads, duration, TimeSpan.Zero), r => r.Latency.Count);
                serverCpu = new { unbatchedMicrosecondsPerRequest = cpuOne, batchedMicrosecondsPerRequest = cpuTwenty };
                await using var noop = await NoOpServer.StartAsync();
                var noOne = await Wrk.RunAsync("no-op, 1-fix body", new Uri(noop.Address, "/noop"), file, 1, connections, threads, duration, warmup);
                var noTwenty = await Wrk.RunAsync($"no-op, {batch}-fix body", new Uri(noop.Address, "/noop"), file, batch, connections, threads, duration, warmup);
                (unbatched, batched, ceiling) = (one, twenty, new { unbatchedBody = noOne, batchBody = noTwenty });
                (unbatchedFixes, batchedFixes, noOp) = (one.FixesPerSecond, twenty.FixesPerSecond, noOne.RequestsPerSecond);
                errors = one.Latency.Errors + twenty.Latency.Errors;
            }
            finally
            {
                File.Delete(file);
            }
        }
        else
        {
            var bodies = new FixBodies(seeded.Devices.Select(d => d.Technician.Home).ToArray());
            using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
            using var http = new HttpClient(handler) { BaseAddress = target.Url };
            var headers = credentials.Select(c => new AuthenticationHeaderValue("Device", c)).ToArray();
            var perWorker = credentials.Length / connections;

            Func<int, long, CancellationToken, Task> Post(int size, string path, bool authenticate) => async (worker, n, ct) =>
            {
                var device = worker + connections * (int)(n % perWorker);
                using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(bodies.Batch(device, size)) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                if (authenticate)
                    request.Headers.Authorization = headers[device];
                using var response = await http.SendAsync(request, ct);
                if (!response.IsSuccessStatusCode)
                    throw new HttpRequestException($"{(int)response.StatusCode}");
            };

            // Warm-ups run on their own, so the server CPU measured around each run belongs to its requests alone.
            await LoadRunner.RunAsync("warm-up", connections, warmup, Post(1, "/api/v1/locations", true));
            var (one, cpuOne) = await MeteredAsync(target, () => LoadRunner.RunAsync("S1 unbatched", connections, duration, Post(1, "/api/v1/locations", true)), r => r.Latency.Count);
            await LoadRunner.RunAsync("warm-up", connections, warmup, Post(batch, "/api/v1/locations", true));
            var (twenty, cpuTwenty) = await MeteredAsync(target, () => LoadRunner.RunAsync($"S1 batch {batch}", connections, duration, Post(batch, "/api/v1/locations", true)), r => r.Latency.Count);
            serverCpu = new { unbatchedMicrosecondsPerRequest = cpuOne, batchedMicrosecondsPerRequest = cpuTwenty };
            await using var noop = await NoOpServer.StartAsync();
            using var noopHandler = new SocketsHttpHandler { MaxConnectionsPerServer = connections };
            using var noopHttp = new HttpClient(noopHandler) { BaseAddress = noop.Address };
            Func<int, long, CancellationToken, Task> NoOp(int size) => async (worker, n, ct) =>
            {
                var device = worker + connections * (int)(n % perWorker);
                using var content = new ByteArrayContent(bodies.Batch(device, size));
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var response = await noopHttp.PostAsync("/noop", content, ct);
                response.EnsureSuccessStatusCode();
            };
            var noOne = await LoadRunner.RunAsync("no-op, 1-fix body", connections, duration, NoOp(1), warmup);
            var noTwenty = await LoadRunner.RunAsync($"no-op, {batch}-fix body", connections, duration, NoOp(batch), warmup);
            unbatched = new { fixesPerSecond = one.PerSecond, run = one };
            batched = new { fixesPerSecond = twenty.PerSecond * batch, run = twenty };
            ceiling = new { unbatchedBody = noOne, batchBody = noTwenty };
            (unbatchedFixes, batchedFixes, noOp) = (one.PerSecond, twenty.PerSecond * batch, noOne.PerSecond);
            errors = one.Latency.Errors + twenty.Latency.Errors;
        }

        var ratio = noOp > 0 ? Math.Round(unbatchedFixes / noOp, 3) : 0;
        return new
        {
            scenario = "S1",
            client,
            devices = credentials.Length,
            connections,
            batch,
            unbatched,
            batched,
            ceiling,
            ratioToNoOp = ratio,
            serverCpu,
            checks = new[]
            {
                TargetCheck.AtLeast("unbatched >= 40000 fixes/s", unbatchedFixes, 40_000),
                TargetCheck.AtLeast("unbatched >= 0.5 x no-op", ratio, 0.5),
                TargetCheck.AtLeast($"batches of {batch} >= 200000 fixes/s", batchedFixes, 200_000),
            },
            errors,
            memoryAfterSeed,
            conditions = conditions.Finish(target),
        };
    }

    /// <summary>
    /// Runs a measurement and returns the server's CPU microseconds per request over it (local servers only; background
    /// work such as throttled location writes is included, which is fair: ingest causes it).
    /// </summary>
    private static async Task<(T Result, double? MicrosecondsPerRequest)> MeteredAsync<T>(Target target, Func<Task<T>> run, Func<T, long> requests)
    {
        var pid = target.Local?.ProcessId ?? 0;
        var before = ProcessMemory.CpuTime(pid);
        var result = await run();
        var after = ProcessMemory.CpuTime(pid);
        var count = requests(result);
        return (result, before is { } b && after is { } a && count > 0 ? Math.Round((a - b).TotalMicroseconds / count, 1) : null);
    }
}
