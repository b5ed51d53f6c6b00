using Dispatch.Domain.Common;
using Dispatch.Domain.Geo;
using Dispatch.Domain.Identity;
using Dispatch.Domain.Scheduling;
using Dispatch.Domain.Technicians;
using Dispatch.Domain.WorkOrders;
using Dispatch.Testing;
using static Dispatch.Grains.Tests.Scenario;

namespace Dispatch.Grains.Tests.Technicians;

[Collection(ClusterCollection.Name)]
public class TechnicianGrainTests(ClusterFixture fixture)
{
    private readonly Scenario _s = new(fixture.Grains);

    [Fact]
    public async Task The_office_keeps_the_profile_hours_and_capacity()
    {
        await _s.CreateTechnician("tom");

        var updated = await _s.Technician("tom").Update(new TechnicianUpdate
        {
            Phone = "+1-713-555-0100",
            Email = "tom@example.com",
            Skills = ["pump-repair", "welding", "Welding"],
            HomeBase = new GeoPoint(29.8, -95.4),
            TimeZoneId = "America/Chicago",
        }, _s.Dispatcher);
        var hours = await _s.Technician("tom").SetWorkingHours([new WorkingShift(DayOfWeek.Monday, new TimeOnly(7, 0), new TimeOnly(15, 0))], _s.Dispatcher);
        var limited = await _s.Technician("tom").SetCapacity(new TechnicianCapacity(4, TimeSpan.FromHours(9)), _s.Admin);

        Assert.Equal(("+1-713-555-0100", "tom@example.com", "America/Chicago"), (updated.Phone, updated.Email, updated.TimeZoneId));
        Assert.Equal(["pump-repair", "welding"], updated.Skills);
        Assert.Equal(DayOfWeek.Monday, Assert.Single(hours.WorkingHours).Day);
        Assert.Equal((4, TimeSpan.FromHours(9)), (limited.Capacity.MaxActiveWorkOrders!.Value, limited.Capacity.MaxBookedTimePerDay!.Value));
        Assert.True(limited.Version > updated.Version);
        Assert.Equal(("dee", "ada"), (hours.UpdatedBy, limited.UpdatedBy));
        var schedule = await _s.Technician("tom").GetSchedule();
        Assert.Equal(("America/Chicago", limited.Capacity), (schedule.TimeZoneId, schedule.Capacity));

        Assert.Equal(ErrorCodes.Forbidden, (await Assert.ThrowsAsync<DomainException>(() =>
            _s.Technician("tom").SetActive(false, _s.TechnicianUser("tom")))).Code);
        Assert.Equal(ErrorCodes.Validation, (await Assert.ThrowsAsync<DomainException>(() =>
            _s.Technician("tom").Update(new TechnicianUpdate { TimeZoneId = "Mars/Olympus" }, _s.Dispatcher))).Code);
        Assert.Equal(ErrorCodes.NotFound, (await Assert.ThrowsAsync<DomainException>(() =>
            _s.Technician("nobody").SetCapacity(TechnicianCapacity.Unlimited, _s.Dispatcher))).Code);
    }

    [Fact]
    public async Task Absences_report_the_bookings_they_now_conflict_with()
    {
        await _s.CreateTechnician("tom");
        await _s.Dispatched("wo-1", Slot(9, 2), "tom");
        await _s.Dispatched("wo-2", Slot(14, 1), "tom");

        var change = await _s.Technician("tom").AddAvailabilityBlock(new AvailabilityBlock("training", AvailabilityKind.Training, Slot(13, 3), "Safety course"), _s.Dispatcher);
        var onCall = await _s.Technician("tom").AddAvailabilityBlock(new AvailabilityBlock("on-call", AvailabilityKind.OnCall, Slot(20, 10)), _s.Dispatcher);

        Assert.Equal("wo-2", Assert.Single(change.AffectedBookings).WorkOrderId);
        Assert.Empty(onCall.AffectedBookings); // on call is availability, not absence
        Assert.Equal(["training", "on-call"], onCall.Schedule.AvailabilityBlocks.Select(b => b.Id));

        var removed = await _s.Technician("tom").RemoveAvailabilityBlock("training", _s.Dispatcher);
        Assert.Equal("on-call", Assert.Single(removed.AvailabilityBlocks).Id);
        var morning = await _s.Technician("tom").GetSchedule(Slot(8, 4));
        Assert.Equal(["wo-1"], morning.Bookings.Select(b => b.WorkOrderId));
        Assert.Empty(morning.AvailabilityBlocks);
    }

    [Fact]
    public async Task Locations_come_from_devices_the_technician_and_the_office_only()
    {
        await _s.CreateTechnician("tom");
        var device = new Actor("device-7", "Tracker 7", _s.Tenant, [Roles.Device]);
        var now = DateTimeOffset.UtcNow;

        await _s.Technician("tom").ReportLocation(new TechnicianPosition(new GeoPoint(29.70, -95.30), now), device);
        await _s.Technician("tom").ReportLocation(new TechnicianPosition(new GeoPoint(29.71, -95.31), now.AddSeconds(5), 40, 90), _s.TechnicianUser("tom"));
        // A late fix (older than the one held) is ignored.
        await _s.Technician("tom").ReportLocation(new TechnicianPosition(new GeoPoint(29.0, -95.0), now.AddSeconds(1)), device);

        var location = (await _s.Technician("tom").GetSchedule()).Location!;
        Assert.Equal((new GeoPoint(29.71, -95.31), 40d), (location.Point, location.SpeedKmh!.Value));
        Assert.Equal(ErrorCodes.Forbidden, (await Assert.ThrowsAsync<DomainException>(() =>
            _s.Technician("tom").ReportLocation(new TechnicianPosition(new GeoPoint(29.7, -95.3), now.AddSeconds(9)), _s.TechnicianUser("ann")))).Code);

        // The index hears about it at once (it is not written to storage on every fix).
        await _s.CreateWorkOrder("wo-x");
        await Eventually.Until(async () =>
            (await _s.Desk.Picker("wo-x", Slot(9, 1), null, 10, _s.Dispatcher)).Technicians.SingleOrDefault()?.CurrentLocation == new GeoPoint(29.71, -95.31),
            TimeSpan.FromSeconds(10), "the index has the last fix");
    }

    [Fact]
    public async Task A_return_visit_counts_against_the_active_order_limit_again()
    {
        await _s.CreateTechnician("tom", t => t with { Capacity = new TechnicianCapacity(maxActiveWorkOrders: 1) });
        await _s.Dispatched("wo-1", Slot(9, 2), "tom");
        var tom = _s.TechnicianUser("tom");
        await _s.WorkOrder("wo-1").ChangeStatus(new StatusChange(WorkOrderStatus.EnRoute), tom);
        await _s.WorkOrder("wo-1").ChangeStatus(new StatusChange(WorkOrderStatus.OnSite), tom);
        await _s.WorkOrder("wo-1").ChangeStatus(new StatusChange(WorkOrderStatus.AwaitingParts, Parts: new PartsOrder("Grainger")), tom);
        await _s.Dispatched("wo-2", Slot(14, 1), "tom"); // the paused order no longer counts

        var error = await Assert.ThrowsAsync<DomainException>(() => _s.WorkOrder("wo-1").Dispatch(Request(Slot(16, 1), "tom"), _s.Dispatcher));

        Assert.Equal(ErrorCodes.AtCapacity, error.Code);
    }
}
