using Dispatch.Domain.Common;
using Dispatch.Domain.Scheduling;
using Dispatch.Domain.WorkOrders;
using static Dispatch.Grains.Tests.Scenario;

namespace Dispatch.Grains.Tests.Dispatching;

[Collection(ClusterCollection.Name)]
public class ReassignTests(ClusterFixture fixture)
{
    private readonly Scenario _s = new(fixture.Grains);

    [Fact]
    public async Task Reassigning_moves_the_slot_keeps_history_and_tells_both_technicians()
    {
        await _s.CreateTechnician("tom");
        await _s.CreateTechnician("ann");
        await _s.Dispatched("wo-1", Slot(10, 2), "tom");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var changes = fixture.Feed(0).Subscribe(_s.Tenant, "wo-1", cts.Token);

        var result = await _s.WorkOrder("wo-1").Reassign(new ReassignRequest { TechnicianIds = ["ann"], Reason = "Tom called in sick" }, _s.Dispatcher);

        Assert.Equal(DispatchOutcome.Reassigned, result.Outcome);
        Assert.Empty(await _s.Bookings("tom"));
        Assert.Empty((await _s.Technician("tom").GetSchedule()).ActiveWorkOrderIds);
        Assert.Equal(("wo-1", Slot(10, 2)), (Assert.Single(await _s.Bookings("ann")).WorkOrderId, (await _s.Bookings("ann"))[0].Window));

        var history = result.WorkOrder.AssignmentHistory;
        Assert.Equal([AssignmentChangeKind.Assigned, AssignmentChangeKind.Reassigned], history.Select(h => h.Kind));
        Assert.Equal("tom", history[0].To.Single().TechnicianId);
        Assert.Equal(("tom", "ann", "Tom called in sick", "dee"), (history[1].From.Single().TechnicianId, history[1].To.Single().TechnicianId, history[1].Reason, history[1].ActorId));
        Assert.True(history[1].At >= history[0].At);

        // The dispatch made just before subscribing may still be on its way: skip to the reassignment.
        WorkOrderChanged? change = null;
        await foreach (var c in changes.WithCancellation(cts.Token))
        {
            if (c.Version < result.WorkOrder.Version) continue;
            change = c;
            break;
        }

        Assert.NotNull(change);
        Assert.Equal((WorkOrderChangeKind.Reassigned, result.WorkOrder.Version, "dee"), (change.Kind, change.Version, change.Actor.UserId));
        var away = Assert.Single(change.Notifications, n => n.Kind == TechnicianNotificationKind.ReassignedAway);
        Assert.Equal(("tom", "Work order wo-1 reassigned to Tech ann."), (away.TechnicianId, away.Message));
        var from = Assert.Single(change.Notifications, n => n.Kind == TechnicianNotificationKind.AssignedFrom);
        Assert.Equal(("ann", "Work order wo-1 assigned from Tech tom."), (from.TechnicianId, from.Message));
    }

    [Fact]
    public async Task A_reassignment_that_conflicts_changes_nothing()
    {
        await _s.CreateTechnician("tom");
        await _s.CreateTechnician("ann");
        await _s.Dispatched("wo-1", Slot(10, 2), "tom");
        await _s.Dispatched("anns", Slot(11, 1), "ann");
        var before = (await _s.WorkOrder("wo-1").Get())!;

        var result = await _s.WorkOrder("wo-1").Reassign(new ReassignRequest { TechnicianIds = ["ann"] }, _s.Dispatcher);

        Assert.Equal(DispatchOutcome.Conflicts, result.Outcome);
        Assert.Equal("anns", Assert.Single(Assert.Single(result.Conflicts).Conflicts).WorkOrderId);
        var after = (await _s.WorkOrder("wo-1").Get())!;
        Assert.Equal((before.Version, "tom"), (after.Version, after.Assignment!.GetPrimary().TechnicianId));
        Assert.Equal(["wo-1"], (await _s.Bookings("tom")).Select(b => b.WorkOrderId));
        Assert.Equal(["anns"], (await _s.Bookings("ann")).Select(b => b.WorkOrderId));
    }

    [Fact]
    public async Task Reassigning_to_a_new_time_moves_the_booking_and_restores_it_on_conflict()
    {
        await _s.CreateTechnician("tom");
        await _s.Dispatched("wo-1", Slot(10, 2), "tom");
        await _s.Dispatched("other", Slot(15, 1), "tom");

        // Moving onto Tom's other job conflicts: Tom keeps the original slot.
        var clash = await _s.WorkOrder("wo-1").Reassign(new ReassignRequest { TechnicianIds = ["tom"], ArrivalWindow = Slot(14.5, 1) }, _s.Dispatcher);
        Assert.Equal(DispatchOutcome.Conflicts, clash.Outcome);
        Assert.Equal(Slot(10, 2), (await _s.Bookings("tom")).Single(b => b.WorkOrderId == "wo-1").Window);

        var moved = await _s.WorkOrder("wo-1").Reassign(new ReassignRequest { TechnicianIds = ["tom"], ArrivalWindow = Slot(12, 2), Reason = "Customer rescheduled" }, _s.Dispatcher);
        Assert.Equal(DispatchOutcome.Reassigned, moved.Outcome);
        Assert.Equal(Slot(12, 2), moved.WorkOrder.Visit!.ArrivalWindow);
        Assert.Equal(Slot(12, 2), (await _s.Bookings("tom")).Single(b => b.WorkOrderId == "wo-1").Window);
    }

    [Fact]
    public async Task Changing_the_primary_relabels_the_bookings()
    {
        await _s.CreateTechnician("tom");
        await _s.CreateTechnician("ann");
        await _s.CreateWorkOrder("wo-1");
        await _s.WorkOrder("wo-1").Dispatch(Request(Slot(10, 2), "tom", "ann"), _s.Dispatcher);

        var result = await _s.WorkOrder("wo-1").Reassign(new ReassignRequest { TechnicianIds = ["tom", "ann"], PrimaryTechnicianId = "ann" }, _s.Dispatcher);

        Assert.Equal("ann", result.WorkOrder.Assignment!.GetPrimary().TechnicianId);
        Assert.Equal(BookingKind.Primary, Assert.Single(await _s.Bookings("ann")).Kind);
        Assert.Equal(BookingKind.Supporting, Assert.Single(await _s.Bookings("tom")).Kind);
    }

    [Fact]
    public async Task Only_dispatched_orders_can_be_reassigned()
    {
        await _s.CreateTechnician("tom");
        await _s.CreateWorkOrder("wo-1");
        var error = await Assert.ThrowsAsync<DomainException>(() => _s.WorkOrder("wo-1").Reassign(new ReassignRequest { TechnicianIds = ["tom"] }, _s.Dispatcher));
        Assert.Equal(ErrorCodes.InvalidTransition, error.Code);
    }
}
