using Dispatch.Simulator.Infrastructure;
using Dispatch.Simulator.World;

namespace Dispatch.Simulator.Scenarios;

/// <summary>
/// Seeds a tenant at any scale through the GraphQL API: technicians with skills, certifications, shifts and home bases
/// (and a device each with <c>--devices</c>), work orders around the given cities. Ids come from <c>--prefix</c>, so a second
/// run with the same prefix resumes where the first stopped (existing ids are skipped, not duplicated).
/// </summary>
public static class Seed
{
    public static async Task<object> RunAsync(Arguments options)
    {
        var technicians = options.Int("technicians", 1000);
        var workOrders = options.Int("work-orders", 5000);
        var cities = Geography.Resolve(options.List("cities", "Houston"), options.Double("radius", 0.4));
        var prefix = options.Text("prefix", "sim");
        var batch = options.Int("batch", 100);
        var parallel = options.Int("parallel", 4);

        var conditions = new Conditions();
        await using var target = await Target.OpenAsync(options);
        var result = await SeedAsync(target, prefix, cities, technicians, workOrders, options.Flag("devices"), batch, parallel);
        return new { command = "seed", prefix, cities = cities.Select(c => c.Name), result, conditions = conditions.Finish(target) };
    }

    public sealed record SeedResult(int Technicians, int WorkOrders, int AlreadyExisted, int Errors, double Seconds, double PerSecond, string[] FirstErrors);

    public static async Task<SeedResult> SeedAsync(Target target, string prefix, Geography.City[] cities, int technicians, int workOrders, bool devices,
        int batch, int parallel, int firstTechnician = 0, int firstWorkOrder = 0)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var fleet = new Fleet(target.GraphQL(parallel * 2), prefix, cities);
        var crew = firstTechnician < technicians
            ? await fleet.CreateTechniciansAsync(firstTechnician, technicians, devices, "office", Math.Max(1, batch / (devices ? 3 : 2)), parallel)
            : new FleetResult([], [], 0, 0, []);
        var orders = firstWorkOrder < workOrders
            ? await fleet.CreateWorkOrdersAsync(firstWorkOrder, workOrders, batch, parallel)
            : new WorkOrderResult([], 0, 0, []);
        clock.Stop();
        var created = (technicians - firstTechnician) + (workOrders - firstWorkOrder);
        return new SeedResult(technicians, workOrders, crew.AlreadyExisted + orders.AlreadyExisted, crew.Errors + orders.Errors,
            Math.Round(clock.Elapsed.TotalSeconds, 1), Math.Round(Math.Max(0, created) / Math.Max(0.001, clock.Elapsed.TotalSeconds)),
            [.. crew.FirstErrors, .. orders.FirstErrors]);
    }
}
