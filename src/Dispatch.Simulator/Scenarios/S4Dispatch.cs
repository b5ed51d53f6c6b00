using System.Collections.Immutable;
using Dispatch.Domain.Common;
using Dispatch.Domain.Geo;
using Dispatch.Domain.Identity;
using Dispatch.Domain.Scheduling;
using Dispatch.Domain.Technicians;
using Dispatch.Domain.WorkOrders;
using Dispatch.Grains.Hosting;
using Dispatch.Grains.Technicians;
using Dispatch.Grains.WorkOrders;
using Dispatch.Simulator.InProcess;
using Dispatch.Simulator.Infrastructure;
using Dispatch.Simulator.World;

namespace Dispatch.Simulator.Scenarios;

/// <summary>
/// S4: dispatch with conflict checks. Every work order is dispatched once to its technician for a slot of its own (the
/// k-th order of a technician gets the k-th free slot, so a correct server answers DISPATCHED every time while still
/// checking overlaps, hours, capacity and travel against everything already booked). Measured through GraphQL on the
/// target server and through grain calls on an in-process silo. Then the race: 200 orders dispatched at once to one
/// technician for the same hour; exactly one may win, and the technician's calendar must hold exactly one booking.
/// </summary>
public static class S4Dispatch
{
    private const string Mutation = "mutation($input: DispatchWorkOrderInput!) { dispatchWorkOrder(input: $input) { outcome } }";

    /// <summary>Six one-hour slots a day, three hours apart (travel within a technician's patch always fits), from tomorrow on.</summary>
    public static TimeWindow Slot(int k)
    {
        var day = DateTimeOffset.UtcNow.UtcDateTime.Date.AddDays(1 + k / 6);
        var start = new DateTimeOffset(day.AddHours(1 + 4 * (k % 6)), TimeSpan.Zero);
        return new TimeWindow(start, start.AddHours(1));
    }

    public static async Task<object> RunAsync(Arguments options)
    {
        var technicians = options.Int("technicians", 1000);
        var dispatches = options.Int("dispatches", 20_000);
        var connections = options.Int("connections", 32);
        var raceSize = options.Int("race", 200);
        var inProcessDispatches = options.Int("in-process-dispatches", 50_000);
        var inProcessTechnicians = options.Int("in-process-technicians", 5_000);
        var inProcessConcurrency = options.Int("in-process-concurrency", 256);
        var storage = options.Text("storage", "embedded");

        var conditions = new Conditions();
        await using var target = await Target.OpenAsync(options);
        var graph = target.GraphQL(connections);
        var prefix = $"s4-{Guid.NewGuid().ToString("N")[..6]}";
        var fleet = new Fleet(graph, prefix, Geography.Resolve(["Houston"], 0.4));
        var crew = await fleet.CreateTechniciansAsync(0, technicians, devices: false, shifts: "always", batch: 50, parallel: 4);
        var orders = await fleet.CreateWorkOrdersAsync(0, dispatches, batch: 100, parallel: 4, siteNear: n => crew.Technicians[n % technicians].Home);
        if (crew.Errors + orders.Errors > 0)
            throw new InvalidOperationException("Seeding failed: " + string.Join("; ", crew.FirstErrors.Concat(orders.FirstErrors)));

        long conflicts = 0;
        var viaGraphQL = await LoadRunner.RunCountAsync("S4 dispatch via GraphQL", connections, dispatches, async (n, ct) =>
        {
            var window = Slot(n / technicians);
            var data = await graph.RunAsync(Mutation, new
            {
                input = new
                {
                    id = fleet.WorkOrderId(n),
                    technicianIds = new[] { fleet.TechnicianId(n % technicians) },
                    arrivalWindow = new { start = window.Start, end = window.End },
                },
            }, ct);
            if (data.GetProperty("dispatchWorkOrder").GetProperty("outcome").GetString() != "DISPATCHED")
            {
                Interlocked.Increment(ref conflicts);
                throw new InvalidOperationException("not dispatched");
            }
        });

        var race = await RaceAsync(target.GraphQL(raceSize), prefix, raceSize);
        var memory = target.ServerMemory();
        var inProcess = inProcessDispatches > 0 ? await InProcessAsync(storage, inProcessTechnicians, inProcessDispatches, inProcessConcurrency) : null;
        // Beside an in-process leg on the embedded file: durable writes at its concurrency, of about the mean size of a dispatch's
        // three writes (work order ~0.7 KB twice, technician ~1.4 KB with ten bookings).
        var ceiling = await Ceiling.NextToScenarioAsync(options, connections, bodyBytes: 300, grainCalls: inProcessDispatches > 0,
            grainWrites: inProcess is not null && InProcessSilo.ParseMode(storage) == StorageMode.Embedded ? (inProcessConcurrency, options.Int("ceiling-payload-bytes", 1000)) : null);

        return new
        {
            scenario = "S4",
            technicians,
            dispatches,
            connections,
            graphQL = viaGraphQL,
            graphQLConflicts = conflicts,
            inProcess,
            ceiling,
            race,
            checks = new[]
            {
                TargetCheck.AtLeast("dispatches via GraphQL >= 10000/s", viaGraphQL.PerSecond, 10_000),
                TargetCheck.AtMost("dispatch via GraphQL p99 <= 10 ms", viaGraphQL.Latency.P99Ms, 10),
                inProcess is null ? null : TargetCheck.AtLeast("dispatches in-process >= 10000/s", inProcess.Run.PerSecond, 10_000),
                inProcess is null ? null : TargetCheck.AtMost("dispatch in-process p99 <= 10 ms", inProcess.Run.Latency.P99Ms, 10),
                new TargetCheck($"{raceSize}-way race: one winner, one booking", race.Winners, race.Winners == 1 && race.Bookings == 1),
            },
            errors = viaGraphQL.Latency.Errors + (inProcess?.Run.Latency.Errors ?? 0) + race.Errors,
            serverMemory = memory,
            conditions = conditions.Finish(target),
        };
    }

    public sealed record RaceResult(int Attempts, int Winners, int Conflicts, int Errors, int Bookings, string? FirstError);

    private static async Task<RaceResult> RaceAsync(GraphQLClient graph, string prefix, int size)
    {
        var raceFleet = new Fleet(graph, prefix + "-race", Geography.Resolve(["Houston"], 0.4));
        var one = await raceFleet.CreateTechniciansAsync(0, 1, devices: false, shifts: "always", batch: 1, parallel: 1);
        var technician = one.Technicians[0];
        await raceFleet.CreateWorkOrdersAsync(0, size, batch: 100, parallel: 2, siteNear: _ => technician.Home);
        var window = Slot(3);
        // Every attempt is in flight before any is sent: they meet at the technician grain, not one after another.
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var attempts = Enumerable.Range(0, size).Select(async n =>
        {
            await go.Task;
            try
            {
                var data = await graph.RunAsync(Mutation, new
                {
                    input = new
                    {
                        id = raceFleet.WorkOrderId(n),
                        technicianIds = new[] { technician.Id },
                        arrivalWindow = new { start = window.Start, end = window.End },
                    },
                });
                return data.GetProperty("dispatchWorkOrder").GetProperty("outcome").GetString() ?? "?";
            }
            catch (GraphQLException e) when (e.Code == "SCHEDULE_CONFLICT")
            {
                return "CONFLICTS"; // the documented refusal: outcome CONFLICTS plus a SCHEDULE_CONFLICT error
            }
            catch (Exception e)
            {
                return "error: " + e.Message;
            }
        }).ToArray();
        go.SetResult();
        var outcomes = await Task.WhenAll(attempts);

        var schedule = await graph.RunAsync("query($ids: [ID!]!, $from: DateTimeOffset!, $to: DateTimeOffset!) { schedule(technicianIds: $ids, from: $from, to: $to) { bookings { workOrderId } } }",
            new { ids = new[] { technician.Id }, from = window.Start.AddHours(-1), to = window.End.AddHours(1) });
        var bookings = schedule.GetProperty("schedule")[0].GetProperty("bookings").GetArrayLength();
        return new RaceResult(size, outcomes.Count(o => o == "DISPATCHED"), outcomes.Count(o => o == "CONFLICTS"),
            outcomes.Count(o => o.StartsWith("error", StringComparison.Ordinal)), bookings, outcomes.FirstOrDefault(o => o.StartsWith("error", StringComparison.Ordinal)));
    }

    public sealed record InProcessResult(string Storage, int Technicians, double SeedSeconds, LoadResult Run, long NotDispatched);

    /// <summary>The same dispatches as grain calls on a silo in this process: what the grains and storage cost without HTTP and GraphQL.</summary>
    private static async Task<InProcessResult> InProcessAsync(string storage, int technicians, int dispatches, int concurrency)
    {
        Progress.Note($"[S4 in-process] starting a silo ({storage} storage), {technicians} technicians, {dispatches} work orders …");
        await using var silo = await InProcessSilo.StartAsync(storage);
        var grains = silo.Grains;
        var tenant = "default";
        var admin = new Actor("sim", "Simulator", tenant, [Roles.Admin]);
        var city = Geography.Resolve(["Houston"], 0.4)[0];
        var homes = new GeoPoint[technicians];
        var seed = System.Diagnostics.Stopwatch.StartNew();
        var allDay = ImmutableArray.CreateRange(Enum.GetValues<DayOfWeek>().Select(d => new WorkingShift(d, new TimeOnly(0, 0), new TimeOnly(0, 0))));
        await Parallel.ForEachAsync(Enumerable.Range(0, technicians), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (n, _) =>
        {
            homes[n] = Geography.Around(city, new Random(n));
            await grains.GetGrain<ITechnicianGrain>(TenantKey.Compose(tenant, $"t{n}")).Create(new NewTechnician
            {
                Name = $"Tech {n}",
                Skills = ["pump-repair"],
                HomeBase = homes[n],
                WorkingHours = allDay,
            }, admin);
        });
        await Parallel.ForEachAsync(Enumerable.Range(0, dispatches), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (n, _) =>
            await grains.GetGrain<IWorkOrderGrain>(TenantKey.Compose(tenant, $"wo{n}")).Create(new NewWorkOrder
            {
                Title = "Seal leak",
                Customer = new Customer("Bayou City Water"),
                Site = new Site($"{n} Main St", Geography.Step(homes[n % technicians], n % 360, 200)),
                RequiredSkills = ["pump-repair"],
            }, admin));
        seed.Stop();
        Progress.Note($"[S4 in-process] seeded in {seed.Elapsed.TotalSeconds:0.0} s");

        long notDispatched = 0;
        var run = await LoadRunner.RunCountAsync($"S4 dispatch in-process ({storage})", concurrency, dispatches, async (n, _) =>
        {
            var result = await grains.GetGrain<IWorkOrderGrain>(TenantKey.Compose(tenant, $"wo{n}")).Dispatch(new DispatchRequest
            {
                TechnicianIds = [$"t{n % technicians}"],
                ArrivalWindow = Slot(n / technicians),
            }, admin);
            if (result.Outcome != DispatchOutcome.Dispatched)
            {
                Interlocked.Increment(ref notDispatched);
                throw new InvalidOperationException("not dispatched");
            }
        });
        return new InProcessResult(storage, technicians, Math.Round(seed.Elapsed.TotalSeconds, 1), run, notDispatched);
    }
}
