using Dispatch.Simulator.Infrastructure;

namespace Dispatch.Simulator.Scenarios;

/// <summary>
/// Read paths through GraphQL over HTTP against a running server: one work order, a page of 50, and best match (S3's
/// GraphQL leg) over a fleet of the requested size. Seeds what it needs under "sim-" ids; a second run reuses them.
/// </summary>
public static class GraphQLQueries
{
    private static readonly string[] Skills = ["pump-repair", "pump-install", "electrical", "controls", "welding", "hydraulics"];

    public static async Task<object> RunAsync(Arguments options)
    {
        var conditions = new Conditions();
        await using var target = await Target.OpenAsync(options);
        var url = target.Url;
        var technicians = options.Int("technicians", 10_000);
        var workers = options.Int("connections", 16);
        var duration = options.Seconds("seconds", 10);
        var warmup = options.Seconds("warmup", 2);
        var client = target.GraphQL(workers);

        var seeded = await SeedAsync(client, technicians, workers);
        var one = await LoadRunner.RunAsync("workOrder", workers, duration, async (_, _, ct) =>
            await client.RunAsync("query($id: ID!) { workOrder(id: $id) { id title status priority customer { name } site { address } } }",
                new { id = "sim-wo-0000" }, ct), warmup: warmup);
        var page = await LoadRunner.RunAsync("workOrders first 50", workers, duration, async (_, _, ct) =>
            await client.RunAsync("{ workOrders(first: 50) { totalCount edges { node { id title status priority customer { name } } } } }",
                cancellationToken: ct), warmup: warmup);
        // The orders are not dispatched, so the window is given: tomorrow 10:00-12:00 in Houston (15:00-17:00 UTC).
        var start = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(1).AddHours(15), TimeSpan.Zero);
        var window = new { start, end = start.AddHours(2) };
        var suggest = await LoadRunner.RunAsync($"suggestTechnicians over {technicians}", workers, duration, async (_, n, ct) =>
            await client.RunAsync("query($id: ID!, $w: TimeWindowInput) { suggestTechnicians(workOrderId: $id, window: $w, count: 10) { ranked { technicianId total reason } excluded { technicianId } } }",
                new { id = $"sim-wo-{n % 50:0000}", w = window }, ct), warmup: warmup);
        var ceiling = await Ceiling.NextToScenarioAsync(options, workers, bodyBytes: 320, grainCalls: false);

        return new
        {
            scenario = "S3",
            url,
            technicians,
            seeded,
            workOrder = one,
            workOrdersPage50 = page,
            suggestTechnicians = suggest,
            ceiling,
            checks = new[] { TargetCheck.AtMost($"suggestTechnicians over {technicians} through GraphQL p99 <= 25 ms", suggest.Latency.P99Ms, 25) },
            errors = one.Latency.Errors + page.Latency.Errors + suggest.Latency.Errors,
            inProcess = "tests/Dispatch.Benchmarks: dotnet run -c Release --project tests/Dispatch.Benchmarks -- latency 5000",
            conditions = conditions.Finish(target),
        };
    }

    /// <summary>Creates the fleet and 50 work orders around Houston; existing ids are kept (ALREADY_EXISTS).</summary>
    private static async Task<object> SeedAsync(GraphQLClient client, int technicians, int workers)
    {
        var random = new Random(7);
        var created = 0;
        var started = DateTimeOffset.UtcNow;
        await Parallel.ForEachAsync(Enumerable.Range(0, technicians), new ParallelOptions { MaxDegreeOfParallelism = workers }, async (n, ct) =>
        {
            double lat, lon;
            lock (random)
            {
                lat = 29.76 + (random.NextDouble() - 0.5) * 0.8;
                lon = -95.37 + (random.NextDouble() - 0.5) * 0.8;
            }

            var input = new
            {
                id = $"sim-tech-{n:000000}",
                name = $"Sim Technician {n}",
                skills = new[] { Skills[n % Skills.Length], Skills[(n / 7) % Skills.Length] },
                homeBase = new { latitude = lat, longitude = lon },
                timeZoneId = "America/Chicago",
            };
            if (await TryAsync(() => client.RunAsync("mutation($input: CreateTechnicianInput!) { createTechnician(input: $input) { id } }", new { input }, ct)))
            {
                Interlocked.Increment(ref created);
            }
        });

        for (var n = 0; n < 50; n++)
        {
            var input = new
            {
                id = $"sim-wo-{n:0000}",
                title = "Booster pump not building pressure",
                customer = new { name = "Bayou City Water" },
                site = new { address = $"{100 + n} Main St, Houston, TX", location = new { latitude = 29.76 + n * 0.004, longitude = -95.37 } },
                requiredSkills = new[] { Skills[n % Skills.Length] },
                estimatedDurationMinutes = 90,
            };
            await TryAsync(() => client.RunAsync("mutation($input: CreateWorkOrderInput!) { createWorkOrder(input: $input) { id } }", new { input }));
        }

        return new { techniciansCreated = created, seconds = Math.Round((DateTimeOffset.UtcNow - started).TotalSeconds, 1) };
    }

    private static async Task<bool> TryAsync(Func<Task> action)
    {
        try
        {
            await action();
            return true;
        }
        catch (GraphQLException e) when (e.Code == "ALREADY_EXISTS")
        {
            return false;
        }
    }
}
