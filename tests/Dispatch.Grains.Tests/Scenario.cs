using System.Collections.Immutable;
using Dispatch.Domain.Common;
using Dispatch.Domain.Geo;
using Dispatch.Domain.Identity;
using Dispatch.Domain.Scheduling;
using Dispatch.Domain.Technicians;
using Dispatch.Domain.WorkOrders;
using Dispatch.Grains.Dispatching;
using Dispatch.Grains.Technicians;
using Dispatch.Grains.WorkOrders;

namespace Dispatch.Grains.Tests;

/// <summary>
/// A fresh tenant per test with helpers to create technicians and work orders. Technicians work around the clock in UTC
/// unless a test says otherwise, and every site is the same yard, so only what a test sets up can conflict.
/// </summary>
internal sealed class Scenario(IGrainFactory grains)
{
    public static readonly GeoPoint Yard = new(29.7604, -95.3698);

    public string Tenant { get; } = "t" + Guid.NewGuid().ToString("N")[..12];

    public Actor Dispatcher => new("dee", "Dee Dispatcher", Tenant, [Roles.Dispatcher]);

    public Actor Admin => new("ada", "Ada Admin", Tenant, [Roles.Admin]);

    /// <summary>The signed-in user of technician <paramref name="technicianId"/> (see <see cref="CreateTechnician"/>).</summary>
    public Actor TechnicianUser(string technicianId) => new("u-" + technicianId, "User " + technicianId, Tenant, [Roles.Technician]);

    /// <summary>Midnight UTC two days from now: far enough that every test window is in the future.</summary>
    public static DateTimeOffset Day { get; } = new(DateTime.UtcNow.Date.AddDays(2), TimeSpan.Zero);

    public static TimeWindow Slot(double startHour, double hours) =>
        new(Day.AddHours(startHour), Day.AddHours(startHour + hours));

    public static ImmutableArray<WorkingShift> AroundTheClock { get; } =
        [.. Enum.GetValues<DayOfWeek>().Select(d => new WorkingShift(d, TimeOnly.MinValue, TimeOnly.MinValue))];

    public IWorkOrderGrain WorkOrder(string id) => grains.GetGrain<IWorkOrderGrain>(TenantKey.Compose(Tenant, id));

    public ITechnicianGrain Technician(string id) => grains.GetGrain<ITechnicianGrain>(TenantKey.Compose(Tenant, id));

    public IDispatchDeskGrain Desk => grains.GetGrain<IDispatchDeskGrain>(Tenant);

    public ITechnicianIndexGrain Index => grains.GetGrain<ITechnicianIndexGrain>(Tenant);

    public Task<Technician> CreateTechnician(string id, Func<NewTechnician, NewTechnician>? customize = null)
    {
        var input = new NewTechnician
        {
            Name = "Tech " + id,
            TimeZoneId = "UTC",
            WorkingHours = AroundTheClock,
            HomeBase = Yard,
            Skills = ["pump-repair"],
            UserId = "u-" + id,
        };
        return Technician(id).Create(customize?.Invoke(input) ?? input, Admin);
    }

    public Task<WorkOrder> CreateWorkOrder(string id, Func<NewWorkOrder, NewWorkOrder>? customize = null)
    {
        var input = new NewWorkOrder
        {
            Title = "Seal leak on centrifugal pump " + id,
            Customer = new Customer("Gulf Coast Dairy"),
            Site = new Site("12 Farm Rd, Katy, TX", Yard),
            EstimatedDuration = TimeSpan.FromHours(1),
            RequiredSkills = ["pump-repair"],
        };
        return WorkOrder(id).Create(customize?.Invoke(input) ?? input, Dispatcher);
    }

    public static DispatchRequest Request(TimeWindow arrival, params string[] technicians) =>
        new() { TechnicianIds = [.. technicians], ArrivalWindow = arrival };

    /// <summary>Creates a work order and dispatches it now to the technicians for <paramref name="arrival"/>.</summary>
    public async Task<WorkOrder> Dispatched(string id, TimeWindow arrival, params string[] technicians)
    {
        await CreateWorkOrder(id);
        var result = await WorkOrder(id).Dispatch(Request(arrival, technicians), Dispatcher);
        Assert.Equal(DispatchOutcome.Dispatched, result.Outcome);
        return result.WorkOrder;
    }

    public async Task<ImmutableArray<Booking>> Bookings(string technicianId) => (await Technician(technicianId).GetSchedule()).Bookings;
}
