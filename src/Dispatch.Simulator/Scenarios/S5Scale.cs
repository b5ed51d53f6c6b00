using System.Text;
using Dispatch.Simulator.Infrastructure;
using Dispatch.Simulator.World;

namespace Dispatch.Simulator.Scenarios;

/// <summary>
/// S5: a tenant with many technicians and work orders stored (seeded through GraphQL, resumable, so keep the seed with
/// <c>--data DIR</c>); the server's RSS after a restart, then with every technician and the requested number of work
/// orders active (each read once through GraphQL, which activates its grain); restart to ready with all of it stored.
/// </summary>
public static class S5Scale
{
    public static async Task<object> RunAsync(Arguments options)
    {
        if (!options.Flag("start-local"))
            throw new ArgumentException("S5 measures the server's memory and restarts it: run it with --start-local [--data DIR].");
        var technicians = options.Int("technicians", 100_000);
        var workOrders = options.Int("work-orders", 1_000_000);
        var active = Math.Min(workOrders, options.Int("active-work-orders", 200_000));
        var batch = options.Int("batch", 100);
        var parallel = options.Int("parallel", 4);
        const string prefix = "s5";

        var conditions = new Conditions();
        await using var target = await Target.OpenAsync(options);
        var graph = target.GraphQL(parallel * 2);
        var counts = await CountsWhenIndexLoadedAsync(graph);
        Progress.Note($"[S5] stored: {counts.Technicians:N0} technicians, {counts.WorkOrders:N0} work orders");
        Seed.SeedResult? seeded = null;
        if (counts.Technicians < technicians || counts.WorkOrders < workOrders)
        {
            // Resume from what is there (ids are deterministic; existing ones are skipped by the server anyway).
            seeded = await Seed.SeedAsync(target, prefix, Geography.Resolve(["Houston", "Chicago", "Dallas", "Phoenix"], 0.5),
                technicians, workOrders, devices: false, batch, parallel,
                firstTechnician: (int)Math.Min(counts.Technicians, technicians), firstWorkOrder: (int)Math.Min(counts.WorkOrders, workOrders));
            // The technicians connection reads the best-match index, which follows changes within moments: wait for it.
            var until = DateTime.UtcNow.AddSeconds(30);
            counts = await CountsAsync(graph);
            while (counts.Technicians < technicians && DateTime.UtcNow < until)
            {
                await Task.Delay(200); // poll interval, bounded by the deadline above
                counts = await CountsAsync(graph);
            }
        }

        var local = target.Local!;
        var first = await local.RestartAsync();
        var idle = local.Memory();
        Progress.Note($"[S5] restarted in {first.StartToReady.TotalSeconds:0.00} s; RSS {idle?.RssMiB} MiB; activating …");

        var fleet = new Fleet(target.GraphQL(parallel * 2), prefix, []);
        var activation = System.Diagnostics.Stopwatch.StartNew();
        var technicianErrors = await ReadAllAsync(target.GraphQL(parallel * 2), technicians, batch, parallel, n => $"technician(id: \"{fleet.TechnicianId(n)}\") {{ id }}", "technicians");
        var workOrderErrors = await ReadAllAsync(target.GraphQL(parallel * 2), active, batch, parallel, n => $"workOrder(id: \"{fleet.WorkOrderId(n)}\") {{ id }}", "work orders");
        activation.Stop();
        var loaded = local.Memory();

        var restart = await local.RestartAsync();
        Progress.Note($"[S5] restart to ready: {restart.StartToReady.TotalSeconds:0.00} s");
        // Ready means the API answers; the best-match index of 100k technicians is still loading from storage then (it
        // starts at silo start-up). How long until a technician query gets the whole fleet is what a dispatcher feels.
        var sinceReady = System.Diagnostics.Stopwatch.StartNew();
        var afterRestartCounts = await CountsWhenIndexLoadedAsync(target.GraphQL(2), counts.Technicians);
        var indexReady = sinceReady.Elapsed;
        Progress.Note($"[S5] technician index complete {indexReady.TotalSeconds:0.00} s after ready");
        var afterRestart = local.Memory();
        return new
        {
            scenario = "S5",
            dataDirectory = local.DataDirectory,
            stored = counts,
            seeded,
            rssAfterRestartIdle = idle,
            activation = new { technicians, workOrders = active, seconds = Math.Round(activation.Elapsed.TotalSeconds, 1), errors = technicianErrors + workOrderErrors },
            rssWithActive = loaded,
            restart = new
            {
                stopSeconds = Math.Round(restart.Stop.TotalSeconds, 2),
                startToReadySeconds = Math.Round(restart.StartToReady.TotalSeconds, 2),
                indexCompleteAfterReadySeconds = Math.Round(indexReady.TotalSeconds, 2),
                techniciansInIndex = afterRestartCounts.Technicians,
            },
            rssAfterRestart = afterRestart,
            checks = new[]
            {
                new TargetCheck($"stored >= {technicians} technicians and {workOrders} work orders", counts.WorkOrders, counts.Technicians >= technicians && counts.WorkOrders >= workOrders),
                TargetCheck.AtMost($"RSS with {technicians} technicians and {active} work orders active <= 4096 MiB", loaded?.RssMiB ?? double.NaN, 4096),
                TargetCheck.AtMost("restart to ready <= 5 s", restart.StartToReady.TotalSeconds, 5),
            },
            errors = technicianErrors + workOrderErrors + (seeded?.Errors ?? 0),
            conditions = conditions.Finish(target),
        };
    }

    public sealed record StoredCounts(long Technicians, long WorkOrders);

    /// <summary>
    /// The stored counts once the technician index holds at least <paramref name="technicians"/>. Right after a start the
    /// index may still be loading: a query then waits for it and can time out (<c>TIMEOUT</c>), so ask again until a
    /// deadline.
    /// </summary>
    private static async Task<StoredCounts> CountsWhenIndexLoadedAsync(GraphQLClient graph, long technicians = 0)
    {
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (true)
        {
            try
            {
                var counts = await CountsAsync(graph);
                if (counts.Technicians >= technicians || DateTime.UtcNow > deadline) return counts;
            }
            catch (GraphQLException ex) when (ex.Code == "TIMEOUT" && DateTime.UtcNow < deadline)
            {
            }

            await Task.Delay(100); // poll interval, bounded by the deadline above
        }
    }

    private static async Task<StoredCounts> CountsAsync(GraphQLClient graph)
    {
        var data = await graph.RunAsync("{ technicians(first: 1) { totalCount } workOrders(first: 1) { totalCount } }");
        return new StoredCounts(data.GetProperty("technicians").GetProperty("totalCount").GetInt64(), data.GetProperty("workOrders").GetProperty("totalCount").GetInt64());
    }

    /// <summary>Reads ids [0, count) in aliased batches; a null answer (not found) is an error.</summary>
    private static async Task<int> ReadAllAsync(GraphQLClient graph, int count, int batch, int parallel, Func<int, string> field, string what)
    {
        batch = Math.Clamp(graph.MaxAliases, 1, Math.Max(1, batch));
        var errors = 0;
        var done = 0;
        var chunks = Enumerable.Range(0, (count + batch - 1) / batch).Select(c => (Start: c * batch, End: Math.Min(count, (c + 1) * batch)));
        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (chunk, ct) =>
        {
            var query = new StringBuilder("{");
            for (var n = chunk.Start; n < chunk.End; n++)
                query.Append($" a{n}: ").Append(field(n));
            query.Append(" }");
            var (data, failures) = await graph.RunRawAsync(query.ToString(), cancellationToken: ct);
            var missing = 0;
            for (var n = chunk.Start; n < chunk.End; n++)
            {
                if (data.ValueKind != System.Text.Json.JsonValueKind.Object || !data.TryGetProperty($"a{n}", out var v) || v.ValueKind == System.Text.Json.JsonValueKind.Null)
                    missing++;
            }

            Interlocked.Add(ref errors, Math.Max(missing, failures.Count));
            var total = Interlocked.Add(ref done, chunk.End - chunk.Start);
            Progress.Line($"[S5] activated {total:N0}/{count:N0} {what}, errors {errors}");
        });
        Progress.EndLine();
        return errors;
    }
}
