using Dispatch.Domain.Common;
using Dispatch.Domain.Geo;
using Dispatch.Domain.Identity;
using Dispatch.Domain.Scheduling;
using Dispatch.Domain.Technicians;
using Dispatch.Domain.WorkOrders;
using static Dispatch.Grains.Tests.Scenario;

namespace Dispatch.Grains.Tests.Dispatching;

[Collection(ClusterCollection.Name)]
public class DispatchTests(ClusterFixture fixture)
{
    private readonly Scenario _s = new(fixture.Grains);

    [Fact]
    public async Task Dispatching_reserves_the_slot_and_sends_at_once()
    {
        await _s.CreateTechnician("tom");
        await _s.CreateWorkOrder("wo-1");

        var result = await _s.WorkOrder("wo-1").Dispatch(Request(Slot(10, 2), "tom") with { Notes = "Gate code 4521" }, _s.Dispatcher);

        Assert.Equal(DispatchOutcome.Dispatched, result.Outcome);
        Assert.Empty(result.Conflicts);
        var order = result.WorkOrder;
        Assert.Equal(WorkOrderStatus.Dispatched, order.Status);
        Assert.Equal(("tom", "Tech tom", "u-tom"), (order.Assignment!.GetPrimary().TechnicianId, order.Assignment.GetPrimary().Name, order.Assignment.GetPrimary().UserId));
        Assert.Equal("Gate code 4521", order.Visit!.Notes);
        Assert.Equal(order.Version, (await _s.WorkOrder("wo-1").Get())!.Version);

        var booking = Assert.Single(await _s.Bookings("tom"));
        Assert.Equal(("wo-1", Slot(10, 2), BookingKind.Primary), (booking.WorkOrderId, booking.Window, booking.Kind));
        Assert.Equal(["wo-1"], (await _s.Technician("tom").GetSchedule()).ActiveWorkOrderIds);
    }

    [Fact]
    public async Task Conflicts_list_every_conflicting_appointment_and_change_nothing()
    {
        // Ann: a booking overlapping the slot, another one ending too close to drive from its far-away site, and PTO.
        // Ben: works 08:00-17:00 only, the slot runs past 17:00. Cy: free.
        await _s.CreateTechnician("ann");
        await _s.CreateTechnician("ben", t => t with { WorkingHours = [.. Enum.GetValues<DayOfWeek>().Select(d => new WorkingShift(d, new TimeOnly(8, 0), new TimeOnly(17, 0)))] });
        await _s.CreateTechnician("cy");
        await _s.Dispatched("busy", Slot(15, 1), "ann");
        await _s.CreateWorkOrder("far", w => w with { Site = new Site("Far away", new GeoPoint(30.6, -96.3)) });
        await _s.WorkOrder("far").Dispatch(Request(Slot(12, 2.5), "ann") with { OverrideConflicts = true, OverrideReason = "set-up" }, _s.Dispatcher);
        await _s.Technician("ann").AddAvailabilityBlock(new AvailabilityBlock("pto-1", AvailabilityKind.Pto, Slot(16, 4), "Dentist"), _s.Admin);
        await _s.CreateWorkOrder("wo-1");
        var before = await _s.WorkOrder("wo-1").Get();

        var result = await _s.WorkOrder("wo-1").Dispatch(Request(Slot(14.75, 2.5), "ann", "ben", "cy"), _s.Dispatcher);

        Assert.Equal(DispatchOutcome.Conflicts, result.Outcome);
        Assert.Equal(before!.Version, result.WorkOrder.Version);
        Assert.Equal((before.Version, WorkOrderStatus.Created, null), ((await _s.WorkOrder("wo-1").Get())!.Version, (await _s.WorkOrder("wo-1").Get())!.Status, (await _s.WorkOrder("wo-1").Get())!.Assignment));
        var ann = Assert.Single(result.Conflicts, c => c.TechnicianId == "ann");
        Assert.Contains(ann.Conflicts, c => c.Kind == ScheduleConflictKind.Overlap && c.WorkOrderId == "busy" && c.Window == Slot(15, 1));
        Assert.Contains(ann.Conflicts, c => c.Kind == ScheduleConflictKind.InsufficientTravelTimeFromPrevious && c.WorkOrderId == "far");
        Assert.Contains(ann.Conflicts, c => c.Kind == ScheduleConflictKind.AvailabilityBlock && c.Block!.Id == "pto-1");
        var ben = Assert.Single(result.Conflicts, c => c.TechnicianId == "ben");
        Assert.Equal(ScheduleConflictKind.OutsideWorkingHours, Assert.Single(ben.Conflicts).Kind);
        Assert.DoesNotContain(result.Conflicts, c => c.TechnicianId == "cy");

        // All or nothing: Cy was free and reserved, then released again.
        Assert.Empty(await _s.Bookings("cy"));
        Assert.Equal(["far", "busy"], (await _s.Bookings("ann")).Select(b => b.WorkOrderId));
        Assert.Empty((await _s.Bookings("ben")));
    }

    [Fact]
    public async Task Travel_time_from_the_previous_site_is_a_conflict()
    {
        await _s.CreateTechnician("tom");
        await _s.CreateWorkOrder("far", w => w with { Site = new Site("College Station", new GeoPoint(30.628, -96.334)) });
        await _s.WorkOrder("far").Dispatch(Request(Slot(9, 1), "tom"), _s.Dispatcher);
        await _s.CreateWorkOrder("wo-1");

        var result = await _s.WorkOrder("wo-1").Dispatch(Request(Slot(10.5, 1), "tom"), _s.Dispatcher);

        var conflict = Assert.Single(Assert.Single(result.Conflicts).Conflicts);
        Assert.Equal((ScheduleConflictKind.InsufficientTravelTimeFromPrevious, "far"), (conflict.Kind, conflict.WorkOrderId));
        Assert.True(conflict.Needed > TimeSpan.FromMinutes(90));
    }

    [Fact]
    public async Task Overriding_conflicts_needs_a_reason_and_records_it()
    {
        await _s.CreateTechnician("tom");
        await _s.Dispatched("busy", Slot(10, 2), "tom");
        await _s.CreateWorkOrder("wo-1");
        var request = Request(Slot(11, 1), "tom") with { OverrideConflicts = true };

        var missing = await Assert.ThrowsAsync<DomainException>(() => _s.WorkOrder("wo-1").Dispatch(request, _s.Dispatcher));
        Assert.Equal((ErrorCodes.Validation, "overrideReason"), (missing.Code, missing.Details["field"]));

        var result = await _s.WorkOrder("wo-1").Dispatch(request with { OverrideReason = "Customer insists on Tom" }, _s.Dispatcher);

        Assert.Equal(DispatchOutcome.Dispatched, result.Outcome);
        Assert.Equal("busy", Assert.Single(Assert.Single(result.Conflicts).Conflicts).WorkOrderId);
        var entry = Assert.Single(result.WorkOrder.Timeline, e => e.Kind == TimelineEntryKind.ConflictOverridden);
        Assert.Equal(("Customer insists on Tom", "dee"), (entry.Note, entry.ActorId));
        Assert.Contains("busy", entry.Summary);
        Assert.Equal(2, (await _s.Bookings("tom")).Length);
    }

    [Fact]
    public async Task At_capacity_is_refused_unless_capacity_is_overridden()
    {
        await _s.CreateTechnician("tom", t => t with { Capacity = new TechnicianCapacity(maxActiveWorkOrders: 1) });
        await _s.Dispatched("first", Slot(8, 1), "tom");
        await _s.CreateWorkOrder("wo-1");

        var refused = await Assert.ThrowsAsync<DomainException>(() => _s.WorkOrder("wo-1").Dispatch(Request(Slot(12, 1), "tom"), _s.Dispatcher));
        Assert.Equal(ErrorCodes.AtCapacity, refused.Code);
        Assert.Equal("tom", refused.Details["technicianId"]);
        Assert.Equal(WorkOrderStatus.Created, (await _s.WorkOrder("wo-1").Get())!.Status);

        // Overriding schedule conflicts is not enough: capacity has its own override.
        await Assert.ThrowsAsync<DomainException>(() => _s.WorkOrder("wo-1").Dispatch(
            Request(Slot(12, 1), "tom") with { OverrideConflicts = true, OverrideReason = "x" }, _s.Dispatcher));

        var result = await _s.WorkOrder("wo-1").Dispatch(
            Request(Slot(12, 1), "tom") with { OverrideCapacity = true, OverrideReason = "Short job on the way home" }, _s.Dispatcher);
        Assert.Equal(DispatchOutcome.Dispatched, result.Outcome);
        Assert.Equal("Short job on the way home", Assert.Single(result.WorkOrder.Timeline, e => e.Kind == TimelineEntryKind.CapacityOverridden).Note);
    }

    [Fact]
    public async Task Every_guard_has_its_own_error_code()
    {
        await _s.CreateTechnician("tom");
        await _s.CreateTechnician("idle");
        await _s.Technician("idle").SetActive(false, _s.Admin);
        await _s.CreateTechnician("clerk", t => t with { IsField = false });
        await _s.Dispatched("done", Slot(6, 1), "tom");
        await _s.CreateWorkOrder("cancelled");
        await _s.WorkOrder("cancelled").ChangeStatus(new StatusChange(WorkOrderStatus.Cancelled), _s.Dispatcher);
        await _s.CreateWorkOrder("wo-1");

        async Task<string> Code(string workOrder, string technician, Actor? actor = null) =>
            (await Assert.ThrowsAsync<DomainException>(() => _s.WorkOrder(workOrder).Dispatch(Request(Slot(12, 1), technician), actor ?? _s.Dispatcher))).Code;

        Assert.Equal(ErrorCodes.AlreadyDispatched, await Code("done", "tom"));
        Assert.Equal(ErrorCodes.WorkOrderClosed, await Code("cancelled", "tom"));
        Assert.Equal(ErrorCodes.TechnicianInactive, await Code("wo-1", "idle"));
        Assert.Equal(ErrorCodes.NotFieldTechnician, await Code("wo-1", "clerk"));
        Assert.Equal(ErrorCodes.Forbidden, await Code("wo-1", "tom", _s.TechnicianUser("tom")));
        Assert.Equal(ErrorCodes.Forbidden, await Code("wo-1", "tom", _s.Dispatcher with { Tenant = "someone-else" }));
        Assert.Equal(ErrorCodes.NotFound, await Code("wo-1", "nobody"));
        Assert.Equal(ErrorCodes.NotFound, await Code("missing", "tom"));
        Assert.Equal(ErrorCodes.Validation, await Code("wo-1", "bad id!"));

        // None of the refusals left anything behind.
        Assert.Equal(WorkOrderStatus.Created, (await _s.WorkOrder("wo-1").Get())!.Status);
        Assert.Equal(["done"], (await _s.Bookings("tom")).Select(b => b.WorkOrderId));
    }

    [Fact]
    public async Task A_multi_technician_dispatch_books_one_primary_and_supporting_technicians()
    {
        await _s.CreateTechnician("tom");
        await _s.CreateTechnician("ann");
        await _s.CreateWorkOrder("wo-1");

        var result = await _s.WorkOrder("wo-1").Dispatch(Request(Slot(10, 2), "tom", "ann") with { PrimaryTechnicianId = "ann" }, _s.Dispatcher);

        Assert.Equal(["ann", "tom"], result.WorkOrder.Assignment!.Technicians.Select(t => t.TechnicianId));
        Assert.Equal([AssignmentRole.Primary, AssignmentRole.Supporting], result.WorkOrder.Assignment.Technicians.Select(t => t.Role));
        Assert.Equal(BookingKind.Primary, Assert.Single(await _s.Bookings("ann")).Kind);
        Assert.Equal(BookingKind.Supporting, Assert.Single(await _s.Bookings("tom")).Kind);
    }

    [Fact]
    public async Task A_refused_technician_undoes_the_others_reservations()
    {
        await _s.CreateTechnician("tom");
        await _s.CreateTechnician("ann");
        await _s.CreateTechnician("idle");
        await _s.Technician("idle").SetActive(false, _s.Admin);
        await _s.CreateWorkOrder("wo-1");

        var error = await Assert.ThrowsAsync<DomainException>(() => _s.WorkOrder("wo-1").Dispatch(Request(Slot(10, 2), "tom", "ann", "idle"), _s.Dispatcher));

        Assert.Equal(ErrorCodes.TechnicianInactive, error.Code);
        Assert.Empty(await _s.Bookings("tom"));
        Assert.Empty(await _s.Bookings("ann"));
        Assert.Empty((await _s.Technician("tom").GetSchedule()).ActiveWorkOrderIds);
    }
}
