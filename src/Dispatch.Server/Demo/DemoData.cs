using System.Collections.Immutable;
using Dispatch.Domain.Common;
using Dispatch.Domain.Geo;
using Dispatch.Domain.Identity;
using Dispatch.Domain.Matching;
using Dispatch.Domain.Scheduling;
using Dispatch.Domain.Technicians;
using Dispatch.Domain.WorkOrders;
using Dispatch.Grains.Technicians;
using Dispatch.Grains.WorkOrders;

namespace Dispatch.Server.Demo;

/// <summary>
/// A believable pump-and-service company around Houston, TX, so the first run shows something. Deterministic (fixed
/// seed), and loaded through the grains so every rule and timeline entry applies as if dispatchers had typed it.
/// </summary>
public static class DemoData
{
    public const int TechnicianCount = 50;
    public const int WorkOrderCount = 200;
    private static readonly GeoPoint Houston = new(29.7604, -95.3698);
    private const string TimeZone = "America/Chicago";

    private static readonly string[] FirstNames =
        ["Ana", "Ben", "Carlos", "Dana", "Eli", "Fatima", "Gus", "Hana", "Ivan", "Jada", "Kofi", "Lena", "Marco", "Nia", "Omar",
         "Priya", "Quinn", "Rosa", "Sam", "Tariq", "Uma", "Victor", "Wen", "Ximena", "Yusuf", "Zoe"];
    private static readonly string[] LastNames =
        ["Alvarez", "Brooks", "Chen", "Delgado", "Evans", "Foster", "Garcia", "Hughes", "Ibrahim", "Jensen", "Kim", "Lopez",
         "Martin", "Nguyen", "Okafor", "Patel", "Reyes", "Smith", "Torres", "Walker"];
    private static readonly string[] Skills =
        ["pump-repair", "pump-install", "electrical", "controls", "welding", "hydraulics", "well-service", "diagnostics"];
    private static readonly string[] Certifications = ["OSHA-10", "NICET-II", "CDL-B", "TX-Journeyman-Electrician", "Confined-Space"];
    private static readonly string[] Customers =
        ["Bayou City Water", "Gulf Coast Dairy", "Harris County MUD 12", "Katy Ridge HOA", "Pasadena Refining", "Sugar Land Farms",
         "Spring Creek Apartments", "Galena Park Marina", "Cypress Hills Golf", "Westchase Towers", "Pearland ISD", "Baytown Chemicals"];
    private static readonly string[] Streets =
        ["Westheimer Rd", "Main St", "Kirby Dr", "Richmond Ave", "Washington Ave", "Telephone Rd", "Bellaire Blvd", "Gessner Rd",
         "Airline Dr", "Fannin St", "Shepherd Dr", "Hillcroft Ave"];
    private static readonly (string Title, string Type, string[] Skills)[] Jobs =
    [
        ("Booster pump not building pressure", "Repair", ["pump-repair", "diagnostics"]),
        ("Install new submersible well pump", "Install", ["pump-install", "well-service"]),
        ("Lift station alarm keeps tripping", "Repair", ["controls", "electrical"]),
        ("Quarterly preventive maintenance", "Maintenance", ["pump-repair"]),
        ("Seal leak on centrifugal pump", "Repair", ["pump-repair"]),
        ("VFD fault on irrigation pump", "Repair", ["controls", "electrical"]),
        ("Replace corroded discharge flange", "Repair", ["welding"]),
        ("Hydraulic pump noise and heat", "Repair", ["hydraulics", "diagnostics"]),
    ];

    public sealed record Result(bool AlreadySeeded, int Technicians, int WorkOrders);

    public static string TechnicianId(int n) => $"tech-{n:000}";

    public static string WorkOrderId(int n) => $"wo-{n:0000}";

    public static Task<Result> SeedAsync(IServiceProvider services, string tenant, CancellationToken cancellationToken) =>
        SeedAsync(services, tenant, services.GetRequiredService<TimeProvider>().GetUtcNow(), cancellationToken);

    /// <summary>
    /// Seeds as of <paramref name="now"/>: shift certificates, arrival windows (09:00 local from tomorrow on) and scheduled
    /// dispatch times are laid out from it. The grains still judge every command by their own clock, so it must be close to
    /// the real time; the parameter exists so the layout can be checked at any hour of the day.
    /// </summary>
    public static async Task<Result> SeedAsync(IServiceProvider services, string tenant, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var grains = services.GetRequiredService<IGrainFactory>();
        var admin = new Actor("demo-seed", "Demo loader", tenant, [Roles.Admin]);

        if (await grains.GetGrain<IWorkOrderGrain>(TenantKey.Compose(tenant, WorkOrderId(WorkOrderCount))).Get() is not null)
        {
            return new Result(true, 0, 0);
        }

        var random = new Random(42);
        for (var n = 1; n <= TechnicianCount; n++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var grain = grains.GetGrain<ITechnicianGrain>(TenantKey.Compose(tenant, TechnicianId(n)));
            if (await grain.Get() is null)
            {
                await grain.Create(NewTechnician(random, n, now), admin);
                // Shifts: most work 07:00-17:00 on weekdays; a third also cover weekends (on-call style rotations).
                var days = n % 3 == 0 ? Enum.GetValues<DayOfWeek>() : [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday];
                await grain.SetWorkingHours([.. days.Select(d => new WorkingShift(d, new TimeOnly(7, 0), new TimeOnly(17, 0)))], admin);
            }
        }

        var fieldTechnicians = Enumerable.Range(1, TechnicianCount).Where(IsField).Select(TechnicianId).ToArray();
        for (var n = 1; n <= WorkOrderCount; n++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var grain = grains.GetGrain<IWorkOrderGrain>(TenantKey.Compose(tenant, WorkOrderId(n)));
            if (await grain.Get() is not null)
            {
                continue;
            }

            await grain.Create(NewWorkOrder(random, now), admin);
            var target = TargetStatus(n);
            if (target is null)
            {
                continue;
            }

            // One visit per technician per day from tomorrow on, so demo dispatches never conflict with each other.
            var technician = fieldTechnicians[n % fieldTechnicians.Length];
            var day = 1 + n / fieldTechnicians.Length;
            await MoveToAsync(grain, target.Value, technician, ArrivalWindow(now, day), now, admin);
        }

        return new Result(false, TechnicianCount, WorkOrderCount);
    }

    private static bool IsField(int n) => n % 25 != 0;

    /// <summary>
    /// Where the n-th order ends up, so every status of the lifecycle is on the board: roughly a third unassigned, the
    /// rest spread over the statuses a working day produces. Null: leave it Created (the unassigned queue).
    /// </summary>
    private static (WorkOrderStatus Status, bool Scheduled)? TargetStatus(int n) => (n % 20) switch
    {
        0 or 1 or 2 or 3 or 4 or 5 => null,
        6 => (WorkOrderStatus.Cancelled, false),
        7 => (WorkOrderStatus.Dispatched, true), // reserved now, sent at a later dispatch time
        8 or 9 => (WorkOrderStatus.Dispatched, false),
        10 => (WorkOrderStatus.Acknowledged, false),
        11 or 12 => (WorkOrderStatus.EnRoute, false),
        13 => (WorkOrderStatus.OnSite, false),
        14 => (WorkOrderStatus.Complete, false),
        15 => (WorkOrderStatus.AwaitingParts, false),
        16 => (WorkOrderStatus.ReadyForReturn, false),
        17 or 18 => (WorkOrderStatus.ClosedInvoiced, false),
        _ => (WorkOrderStatus.Acknowledged, false),
    };

    private static TimeWindow ArrivalWindow(DateTimeOffset now, int daysAhead)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(TimeZone);
        var local = TimeZoneInfo.ConvertTime(now, zone).Date.AddDays(daysAhead).AddHours(9);
        var start = new DateTimeOffset(local, zone.GetUtcOffset(local));
        return new TimeWindow(start, start.AddHours(2));
    }

    private static async Task MoveToAsync(IWorkOrderGrain grain, (WorkOrderStatus Status, bool Scheduled) target, string technicianId,
        TimeWindow arrival, DateTimeOffset now, Actor actor)
    {
        if (target.Status == WorkOrderStatus.Cancelled)
        {
            await grain.ChangeStatus(new StatusChange(WorkOrderStatus.Cancelled, "Duplicate request from the customer portal."), actor);
            return;
        }

        var request = new DispatchRequest
        {
            TechnicianIds = [technicianId],
            ArrivalWindow = arrival,
            // Two hours before the window opens: the window starts at 09:00 tomorrow or later, so this is always in the future
            // and always before the window ends, whatever time of day the seed runs (now + 12 h was not, after 23:00 local).
            DispatchAt = target.Scheduled ? arrival.Start.AddHours(-2) : null,
            Notes = "Call the site contact 30 minutes before arrival.",
        };
        var result = await grain.Dispatch(request, actor);
        if (result.Outcome == DispatchOutcome.Conflicts)
        {
            await grain.Dispatch(request with { OverrideConflicts = true, OverrideReason = "Demo data: customer insisted on this technician." }, actor);
        }

        WorkOrderStatus[] path = target.Status switch
        {
            WorkOrderStatus.Acknowledged => [WorkOrderStatus.Acknowledged],
            WorkOrderStatus.EnRoute => [WorkOrderStatus.Acknowledged, WorkOrderStatus.EnRoute],
            WorkOrderStatus.OnSite => [WorkOrderStatus.Acknowledged, WorkOrderStatus.EnRoute, WorkOrderStatus.OnSite],
            WorkOrderStatus.Complete => [WorkOrderStatus.Acknowledged, WorkOrderStatus.EnRoute, WorkOrderStatus.OnSite, WorkOrderStatus.Complete],
            WorkOrderStatus.AwaitingParts => [WorkOrderStatus.Acknowledged, WorkOrderStatus.EnRoute, WorkOrderStatus.OnSite, WorkOrderStatus.AwaitingParts],
            WorkOrderStatus.ReadyForReturn => [WorkOrderStatus.EnRoute, WorkOrderStatus.OnSite, WorkOrderStatus.Complete, WorkOrderStatus.ReadyForReturn],
            WorkOrderStatus.ClosedInvoiced => [WorkOrderStatus.EnRoute, WorkOrderStatus.OnSite, WorkOrderStatus.Complete, WorkOrderStatus.ClosedInvoiced],
            _ => [],
        };
        foreach (var status in path)
        {
            var parts = status == WorkOrderStatus.AwaitingParts ? new PartsOrder("Gulf Pump Supply", "1Z999AA10123456784", now.AddDays(3)) : null;
            await grain.ChangeStatus(new StatusChange(status, Parts: parts), actor);
        }
    }

    private static NewTechnician NewTechnician(Random random, int n, DateTimeOffset today)
    {
        var name = $"{FirstNames[random.Next(FirstNames.Length)]} {LastNames[random.Next(LastNames.Length)]}";
        var skills = Pick(random, Skills, random.Next(2, 5));
        var certifications = Pick(random, Certifications, random.Next(1, 3))
            // About one in eight certificates has lapsed, so best-match has something to exclude.
            .Select(c => new Certification(c, today.Date.AddDays(random.Next(8) == 0 ? -random.Next(1, 90) : random.Next(30, 730))));
        return new NewTechnician
        {
            Name = name,
            Phone = $"+1-713-555-{1000 + n:0000}",
            Email = $"{TechnicianId(n)}@demo.dispatch.local",
            IsField = IsField(n), // a couple of office staff who cannot be dispatched
            Skills = [.. skills],
            Certifications = [.. certifications],
            HomeBase = Around(random, Houston, 40),
            TimeZoneId = TimeZone,
            UserId = TechnicianId(n),
        };
    }

    private static NewWorkOrder NewWorkOrder(Random random, DateTimeOffset now)
    {
        var job = Jobs[random.Next(Jobs.Length)];
        var customer = Customers[random.Next(Customers.Length)];
        var priority = (Priority)Math.Min(3, random.Next(10) switch { < 2 => 0, < 7 => 1, < 9 => 2, _ => 3 });
        return new NewWorkOrder
        {
            Title = job.Title,
            Type = job.Type,
            Description = $"{job.Title} reported by {customer}.",
            Priority = priority,
            Customer = new Customer(customer, (CustomerTier)random.Next(4)),
            Site = new Site($"{random.Next(100, 9999)} {Streets[random.Next(Streets.Length)]}, Houston, TX", Around(random, Houston, 35),
                random.Next(4) == 0 ? "Gate code 4521; check in at the office." : null),
            Asset = new Asset(random.Next(2) == 0 ? "Grundfos" : "Goulds", $"M-{random.Next(100, 999)}", $"SN{random.Next(100000, 999999)}"),
            SlaDueAt = now.AddHours(priority == Priority.Urgent ? 4 : random.Next(24, 24 * 7)),
            RequiredSkills = [.. job.Skills],
            EstimatedDuration = TimeSpan.FromMinutes(30 * random.Next(2, 9)),
        };
    }

    private static IEnumerable<string> Pick(Random random, string[] from, int count) =>
        from.OrderBy(_ => random.Next()).Take(count).ToArray();

    /// <summary>A point within roughly <paramref name="radiusKm"/> of a centre (good enough for a city).</summary>
    private static GeoPoint Around(Random random, GeoPoint centre, double radiusKm)
    {
        var distance = radiusKm * Math.Sqrt(random.NextDouble());
        var bearing = random.NextDouble() * 2 * Math.PI;
        var dLat = distance / 111.0 * Math.Cos(bearing);
        var dLon = distance / (111.0 * Math.Cos(centre.Latitude * Math.PI / 180)) * Math.Sin(bearing);
        return new GeoPoint(Math.Round(centre.Latitude + dLat, 5), Math.Round(centre.Longitude + dLon, 5));
    }
}

/// <summary>With <c>--demo</c>, loads the demo tenant once the silo is up, without holding up start-up.</summary>
internal sealed class DemoSeedOnStart(IServiceProvider services, Hosting.DispatchSettings settings, ILogger<DemoSeedOnStart> logger,
    IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!settings.Demo)
        {
            return;
        }

        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken);
        }

        var result = await DemoData.SeedAsync(services, TenantKey.DefaultTenant, stoppingToken);
        logger.LogInformation(result.AlreadySeeded ? "Demo tenant already loaded." : "Demo tenant loaded: {Technicians} technicians, {WorkOrders} work orders.",
            result.Technicians, result.WorkOrders);
    }
}
