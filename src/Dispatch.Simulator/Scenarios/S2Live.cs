using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using Dispatch.Domain.Geo;
using Dispatch.Simulator.Infrastructure;
using Dispatch.Simulator.World;

namespace Dispatch.Simulator.Scenarios;

/// <summary>
/// S2: devices post single fixes at a fixed total rate (open loop, stamped with the send time); dashboards subscribe
/// to <c>technicianLocations(boundingBox)</c> over graphql-transport-ws, each box holding about a tenth of the fleet;
/// the latency is receipt time minus the fix's timestamp. One more subscriber watches the whole area and never reads:
/// the server's memory is sampled every second to show whether it stays bounded.
/// </summary>
public static class S2Live
{
    private const string Query = "subscription($box: BoundingBoxInput) { technicianLocations(boundingBox: $box) { technicianId timestamp } }";

    public static async Task<object> RunAsync(Arguments options)
    {
        var rate = options.Int("rate", 5000);
        var devices = options.Int("devices", 1000);
        var subscriberCount = options.Int("subscribers", 50);
        var duration = options.Seconds("seconds", 15);
        var warmup = options.Seconds("warmup", 30);
        var connections = options.Int("connections", 64);
        var stalled = !options.Flag("no-stalled");
        var share = options.Double("box-share", 0.10);

        var conditions = new Conditions();
        await using var target = await Target.OpenAsync(options);
        var city = Geography.Resolve(["Houston"], 0.4)[0];
        var prefix = $"s2-{Guid.NewGuid().ToString("N")[..6]}";
        var fleet = new Fleet(target.GraphQL(8), prefix, [city]);
        var seeded = await fleet.CreateTechniciansAsync(0, devices, devices: true, shifts: "office", batch: 50, parallel: 4, uniformSquare: true);
        if (seeded.Devices.Length == 0)
            throw new InvalidOperationException("No devices registered: " + string.Join("; ", seeded.FirstErrors));

        // Boxes of a tenth of the square's area, placed at random inside it: each holds ~10 % of a uniformly spread fleet.
        var random = new Random(11);
        var side = 2 * city.RadiusDegrees * Math.Sqrt(share);
        var boxes = Enumerable.Range(0, subscriberCount).Select(_ =>
        {
            var minLat = city.Centre.Latitude - city.RadiusDegrees + random.NextDouble() * (2 * city.RadiusDegrees - side);
            var minLon = city.Centre.Longitude - city.RadiusDegrees + random.NextDouble() * (2 * city.RadiusDegrees - side);
            return new { minLatitude = minLat, minLongitude = minLon, maxLatitude = minLat + side, maxLongitude = minLon + side };
        }).ToArray();

        var clock = Stopwatch.StartNew();
        long measureFrom = long.MaxValue;
        var samples = Enumerable.Range(0, subscriberCount).Select(_ => new List<long>(1 << 14)).ToArray();
        var received = new long[subscriberCount];
        var subscriptions = new List<GraphQLSubscription>();
        try
        {
            for (var i = 0; i < subscriberCount; i++)
            {
                var mine = samples[i];
                var index = i;
                subscriptions.Add(await GraphQLSubscription.OpenAsync(target.Url, target.DispatcherToken, Query, new { box = boxes[i] }, data =>
                {
                    var now = DateTimeOffset.UtcNow;
                    var measuring = clock.ElapsedTicks >= Volatile.Read(ref measureFrom);
                    lock (mine)
                    {
                        foreach (var location in data.GetProperty("technicianLocations").EnumerateArray())
                        {
                            received[index]++;
                            if (measuring)
                                mine.Add((now - location.GetProperty("timestamp").GetDateTimeOffset()).Ticks);
                        }
                    }
                }));
            }

            GraphQLSubscription? stall = null;
            if (stalled)
            {
                var whole = new
                {
                    minLatitude = city.Centre.Latitude - city.RadiusDegrees - 0.1, minLongitude = city.Centre.Longitude - city.RadiusDegrees - 0.1,
                    maxLatitude = city.Centre.Latitude + city.RadiusDegrees + 0.1, maxLongitude = city.Centre.Longitude + city.RadiusDegrees + 0.1,
                };
                stall = await GraphQLSubscription.OpenAsync(target.Url, target.DispatcherToken, Query, new { box = whole }, null, read: false);
                subscriptions.Add(stall);
            }

            var memory = new List<RssSample>();
            var pid = target.Local?.ProcessId ?? 0;
            TimeSpan? serverCpuFrom = null;
            var simulatorCpuFrom = TimeSpan.Zero;
            var send = await SendAsync(target.Url, "/api/v1/locations", seeded.Devices, city, rate, connections, warmup, duration, clock,
                () =>
                {
                    serverCpuFrom = ProcessMemory.CpuTime(pid);
                    simulatorCpuFrom = Process.GetCurrentProcess().TotalProcessorTime;
                    Volatile.Write(ref measureFrom, clock.ElapsedTicks);
                },
                second =>
                {
                    if (target.ServerMemory() is { } m)
                        memory.Add(new RssSample(second, m.RssMiB));
                });
            // Cores each side used over the measured window: on one machine they share its cores, which bounds the rate.
            var serverCores = serverCpuFrom is { } sFrom && ProcessMemory.CpuTime(pid) is { } sTo ? Math.Round((sTo - sFrom) / duration, 2) : (double?)null;
            var simulatorCores = Math.Round((Process.GetCurrentProcess().TotalProcessorTime - simulatorCpuFrom) / duration, 2);
            var merged = samples.SelectMany(s =>
            {
                lock (s)
                    return s.ToArray();
            }).ToArray();
            Array.Sort(merged);
            var latency = LatencySummary.From(merged, subscriptions.Count(s => s.Error is not null));

            // The ceiling: the same sender, rate and bodies against a no-op endpoint (in this process) for a shorter
            // window. It shows whether this client on this machine can offer the target rate at all.
            SendResult? ceiling = null;
            if (!options.Flag("no-ceiling"))
            {
                await using var noop = await NoOpServer.StartAsync();
                ceiling = await SendAsync(noop.Address, "/noop", seeded.Devices, city, rate, connections, TimeSpan.FromSeconds(Math.Min(5, warmup.TotalSeconds)), options.Seconds("ceiling-seconds", 10),
                    clock, () => { }, _ => { });
            }

            var rss = memory.Select(m => m.RssMiB).ToArray();
            return new
            {
                scenario = "S2",
                devices = seeded.Devices.Length,
                subscribers = subscriberCount,
                boxShareOfArea = share,
                stalledSubscriber = stalled,
                targetRate = rate,
                send,
                ceiling = ceiling is null ? null : new { endpoint = "no-op POST, same client and bodies", send = ceiling },
                cpu = new
                {
                    machineCores = Environment.ProcessorCount,
                    serverCores,
                    simulatorCores,
                    serverMicrosecondsPerFix = serverCores is { } c && send.AchievedPerSecond > 0 ? Math.Round(c * 1e6 / send.AchievedPerSecond, 1) : (double?)null,
                },
                deliveriesPerSubscriber = Math.Round(received.Average()),
                latency,
                subscriberErrors = subscriptions.Where(s => s.Error is not null && s != stall).Select(s => s.Error).Take(3).ToArray(),
                serverMemory = memory,
                memoryGrowthSecondHalfMiB = rss.Length >= 4 ? Math.Round(rss[^1] - rss[rss.Length / 2], 1) : (double?)null,
                checks = new[]
                {
                    TargetCheck.AtMost($"p99 device-to-subscriber <= 50 ms at {rate} fixes/s", latency.P99Ms, 50),
                    TargetCheck.AtLeast($"achieved >= 95 % of {rate} fixes/s", send.AchievedPerSecond, rate * 0.95),
                },
                errors = send.Errors + latency.Errors,
                conditions = conditions.Finish(target),
            };
        }
        finally
        {
            foreach (var s in subscriptions)
                await s.DisposeAsync();
        }
    }

    public sealed record RssSample(int Second, double RssMiB);

    public sealed record SendResult(long Sent, long Errors, double AchievedPerSecond, long Late, LatencySummary RequestLatency);

    /// <summary>
    /// Open loop: every 10 ms the fixes due by then go out, each device moving ~8 m per fix inside the square. Sends run
    /// on a bounded number of connections; when the server cannot keep up they fall behind and the achieved rate says so.
    /// </summary>
    private static async Task<SendResult> SendAsync(Uri baseAddress, string path, SimDevice[] devices, Geography.City city, int rate, int connections,
        TimeSpan warmup, TimeSpan duration, Stopwatch clock, Action startMeasuring, Action<int> everySecond)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
        using var http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var headers = devices.Select(d => new AuthenticationHeaderValue("Device", d.Credential)).ToArray();
        var positions = devices.Select(d => d.Technician.Home).ToArray();
        var headings = devices.Select((_, i) => (double)(i * 37 % 360)).ToArray();
        var busy = new int[devices.Length];
        using var gate = new SemaphoreSlim(connections * 2);
        long sent = 0, errors = 0, late = 0, measuredSent = 0;
        var start = clock.Elapsed;
        var measureAt = start + warmup;
        var end = measureAt + duration;
        var measuring = false;
        var nextSecond = 1;
        var next = 0;
        double due = 0;
        var pending = new List<Task>();
        var requestTicks = new List<long>(1 << 16);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        var last = clock.Elapsed;
        while (clock.Elapsed < end)
        {
            await timer.WaitForNextTickAsync();
            var now = clock.Elapsed;
            if (!measuring && now >= measureAt)
            {
                measuring = true;
                startMeasuring();
                Interlocked.Exchange(ref measuredSent, 0);
            }

            if (measuring && now - measureAt >= TimeSpan.FromSeconds(nextSecond))
            {
                everySecond(nextSecond);
                Progress.Line($"[S2 {path}] {nextSecond,3}s sent {Interlocked.Read(ref measuredSent),9:N0} errors {Interlocked.Read(ref errors)} late {late}");
                nextSecond++;
            }

            due += rate * (now - last).TotalSeconds;
            last = now;
            for (; due >= 1; due--)
            {
                var device = next;
                next = (next + 1) % devices.Length;
                if (Interlocked.CompareExchange(ref busy[device], 1, 0) != 0)
                {
                    // The previous fix of this device is still in flight: the server is behind.
                    late++;
                    continue;
                }

                if (!gate.Wait(0))
                {
                    // Every connection is busy: the server is behind. The device is free again for its next fix.
                    Volatile.Write(ref busy[device], 0);
                    late++;
                    continue;
                }

                var heading = headings[device];
                var p = Geography.Step(positions[device], heading, 8);
                if (Math.Abs(p.Latitude - city.Centre.Latitude) > city.RadiusDegrees || Math.Abs(p.Longitude - city.Centre.Longitude) > city.RadiusDegrees)
                {
                    headings[device] = (heading + 180) % 360;
                    p = positions[device];
                }

                positions[device] = p;
                var body = FixBodies.Now(p, DateTimeOffset.UtcNow, heading);
                pending.Add(PostAsync(device, body));
            }

            if (pending.Count > 4096)
                pending.RemoveAll(t => t.IsCompleted);
        }

        await Task.WhenAll(pending);
        Progress.EndLine();
        var sortedTicks = requestTicks.ToArray();
        Array.Sort(sortedTicks);
        return new SendResult(Interlocked.Read(ref sent), Interlocked.Read(ref errors), Math.Round(Interlocked.Read(ref measuredSent) / duration.TotalSeconds), late,
            LatencySummary.From(sortedTicks, Interlocked.Read(ref errors)));

        async Task PostAsync(int device, byte[] body)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.Authorization = headers[device];
                using var response = await http.SendAsync(request);
                if (response.IsSuccessStatusCode)
                {
                    var elapsed = Stopwatch.GetElapsedTime(started).Ticks;
                    lock (requestTicks)
                        requestTicks.Add(elapsed);
                    Interlocked.Increment(ref sent);
                    Interlocked.Increment(ref measuredSent);
                }
                else
                {
                    Interlocked.Increment(ref errors);
                }
            }
            catch (Exception)
            {
                Interlocked.Increment(ref errors);
            }
            finally
            {
                gate.Release();
                Volatile.Write(ref busy[device], 0);
            }
        }
    }
}
