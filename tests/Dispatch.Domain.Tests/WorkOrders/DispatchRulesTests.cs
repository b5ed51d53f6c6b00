using Dispatch.Domain.Common;
using Dispatch.Domain.Identity;
using Dispatch.Domain.Scheduling;
using Dispatch.Domain.WorkOrders;

namespace Dispatch.Domain.Tests.WorkOrders;

public class DispatchRulesTests
{
    private static readonly Actor Dispatcher = new("d1", "Dee", "t1", [Roles.Dispatcher]);
    private static readonly Actor Tom = new("u-tom", "Tom", "t1", [Roles.Technician]);
    private static readonly Actor Stranger = new("u-other", "Olga", "t1", [Roles.Technician]);
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 14, 0, 0, TimeSpan.Zero);
    private static readonly TimeWindow Arrival = new(Now.AddHours(2), Now.AddHours(4));

    private static readonly AssignedTechnician TomPrimary = new("tech-tom", "Tom", AssignmentRole.Primary, "u-tom");
    private static readonly AssignedTechnician AnaSupporting = new("tech-ana", "Ana", AssignmentRole.Supporting, "u-ana");
    private static readonly AssignedTechnician BenPrimary = new("tech-ben", "Ben", AssignmentRole.Primary, "u-ben");

    private static WorkOrder NewOrder() => WorkOrderRules.Create("t1", "wo-1", new NewWorkOrder
    {
        Title = "Seal leak",
        Customer = new Customer("Gulf Coast Dairy"),
        Site = new Site("12 Farm Rd"),
        EstimatedDuration = TimeSpan.FromHours(1),
    }, Dispatcher, Now.AddDays(-1));

    private static DispatchRequest Request(params string[] technicians) => new() { TechnicianIds = [.. technicians], ArrivalWindow = Arrival };

    private static WorkOrder Dispatched(params AssignedTechnician[] technicians)
    {
        var order = NewOrder();
        var plan = DispatchRules.PlanDispatch(order, Request([.. technicians.Select(t => t.TechnicianId)]), Dispatcher, Now);
        return DispatchRules.ApplyDispatch(order, plan, [.. technicians], [], Dispatcher, Now).Order;
    }

    [Fact]
    public void Dispatch_now_moves_to_dispatched_and_tells_every_technician()
    {
        var order = NewOrder();
        var plan = DispatchRules.PlanDispatch(order, Request("tech-tom", "tech-ana"), Dispatcher, Now);

        var (dispatched, notifications) = DispatchRules.ApplyDispatch(order, plan, [TomPrimary, AnaSupporting], [], Dispatcher, Now);

        Assert.True(plan.SendNow);
        Assert.Equal(WorkOrderStatus.Dispatched, dispatched.Status);
        Assert.Equal(Now, dispatched.Visit!.SentAt);
        Assert.Equal(Arrival, dispatched.Visit.ArrivalWindow);
        Assert.Equal(Arrival, dispatched.Visit.BookedWindow); // a 1-hour job booked for the whole 2-hour arrival window
        Assert.Equal("tech-tom", dispatched.Assignment!.GetPrimary().TechnicianId);
        Assert.Equal([TechnicianNotificationKind.DispatchSent, TechnicianNotificationKind.DispatchSent], notifications.Select(n => n.Kind));
        var original = Assert.Single(dispatched.AssignmentHistory);
        Assert.Equal((AssignmentChangeKind.Assigned, "d1"), (original.Kind, original.ActorId));
    }

    [Fact]
    public void A_future_dispatch_time_reserves_now_and_sends_later()
    {
        var order = NewOrder();
        var plan = DispatchRules.PlanDispatch(order, Request("tech-tom") with { DispatchAt = Now.AddHours(1) }, Dispatcher, Now);

        var (scheduled, notifications) = DispatchRules.ApplyDispatch(order, plan, [TomPrimary], [], Dispatcher, Now);

        Assert.False(plan.SendNow);
        Assert.Equal(WorkOrderStatus.Created, scheduled.Status);
        Assert.True(DispatchRules.IsDispatchPending(scheduled));
        Assert.True(DispatchRules.HoldsReservations(scheduled));
        Assert.Equal(Now.AddHours(1), DispatchRules.NextWakeUp(scheduled));
        Assert.Empty(notifications);
        Assert.Equal(TimelineEntryKind.DispatchScheduled, scheduled.Timeline[^1].Kind);

        var (sent, told) = DispatchRules.Send(scheduled, Actor.System("t1"), Now.AddHours(1));
        Assert.Equal(WorkOrderStatus.Dispatched, sent.Status);
        Assert.Equal("system", sent.Timeline[^1].ActorId);
        Assert.Single(told);
        Assert.Null(DispatchRules.NextWakeUp(sent));
    }

    [Fact]
    public void The_dispatch_guards_have_distinct_codes()
    {
        var order = NewOrder();
        Assert.Equal(ErrorCodes.Forbidden, Assert.Throws<DomainException>(() => DispatchRules.PlanDispatch(order, Request("tech-tom"), Tom, Now)).Code);

        var dispatched = Dispatched(TomPrimary);
        Assert.Equal(ErrorCodes.AlreadyDispatched, Assert.Throws<DomainException>(() => DispatchRules.PlanDispatch(dispatched, Request("tech-ben"), Dispatcher, Now)).Code);

        var cancelled = WorkOrderRules.ChangeStatus(order, new StatusChange(WorkOrderStatus.Cancelled), Dispatcher, Now);
        Assert.Equal(ErrorCodes.WorkOrderClosed, Assert.Throws<DomainException>(() => DispatchRules.PlanDispatch(cancelled, Request("tech-tom"), Dispatcher, Now)).Code);

        Assert.Equal(ErrorCodes.Validation, Assert.Throws<DomainException>(() =>
            DispatchRules.PlanDispatch(order, Request("tech-tom") with { OverrideConflicts = true }, Dispatcher, Now)).Code);
        Assert.Equal("primaryTechnicianId", Assert.Throws<DomainException>(() =>
            DispatchRules.PlanDispatch(order, Request("tech-tom") with { PrimaryTechnicianId = "tech-ben" }, Dispatcher, Now)).Details["field"]);
        Assert.Equal("technicianIds", Assert.Throws<DomainException>(() =>
            DispatchRules.PlanDispatch(order, Request("tech-tom", "tech-tom"), Dispatcher, Now)).Details["field"]);
        Assert.Equal("arrivalWindow", Assert.Throws<DomainException>(() =>
            DispatchRules.PlanDispatch(order, Request("tech-tom") with { ArrivalWindow = new TimeWindow(Now.AddHours(-3), Now.AddHours(-1)) }, Dispatcher, Now)).Details["field"]);
    }

    [Fact]
    public void Overrides_are_recorded_with_their_reason()
    {
        var order = NewOrder();
        var plan = DispatchRules.PlanDispatch(order,
            Request("tech-tom") with { OverrideConflicts = true, OverrideCapacity = true, OverrideReason = "Customer asked for Tom" }, Dispatcher, Now);
        var conflict = new ScheduleConflict(ScheduleConflictKind.Overlap, Arrival, "Overlaps work order wo-9", "wo-9");
        var capacity = new ScheduleConflict(ScheduleConflictKind.CapacityActiveOrders, Arrival, "Already has 3 active work orders; the limit is 3");

        var (dispatched, _) = DispatchRules.ApplyDispatch(order, plan, [TomPrimary], [new TechnicianConflicts("tech-tom", "Tom", [conflict, capacity])], Dispatcher, Now);

        var overridden = Assert.Single(dispatched.Timeline, e => e.Kind == TimelineEntryKind.ConflictOverridden);
        Assert.Equal("Customer asked for Tom", overridden.Note);
        Assert.Contains("wo-9", overridden.Summary);
        Assert.Contains("limit is 3", Assert.Single(dispatched.Timeline, e => e.Kind == TimelineEntryKind.CapacityOverridden).Summary);
    }

    [Fact]
    public void Reassigning_keeps_history_and_tells_both_technicians()
    {
        var order = Dispatched(TomPrimary);
        var plan = DispatchRules.PlanReassign(order, new ReassignRequest { TechnicianIds = ["tech-ben"], Reason = "Tom called in sick" }, Dispatcher, Now.AddMinutes(5));

        var (reassigned, notifications) = DispatchRules.ApplyReassign(order, plan, [BenPrimary], [], "Tom called in sick", Dispatcher, Now.AddMinutes(5));

        Assert.Equal([AssignmentChangeKind.Assigned, AssignmentChangeKind.Reassigned], reassigned.AssignmentHistory.Select(h => h.Kind));
        var change = reassigned.AssignmentHistory[^1];
        Assert.Equal(("tech-tom", "tech-ben", "Tom called in sick", "d1"), (change.From.Single().TechnicianId, change.To.Single().TechnicianId, change.Reason, change.ActorId));
        var away = Assert.Single(notifications, n => n.Kind == TechnicianNotificationKind.ReassignedAway);
        Assert.Equal(("tech-tom", "Work order wo-1 reassigned to Ben."), (away.TechnicianId, away.Message));
        var from = Assert.Single(notifications, n => n.Kind == TechnicianNotificationKind.AssignedFrom);
        Assert.Equal(("tech-ben", "Work order wo-1 assigned from Tom."), (from.TechnicianId, from.Message));
    }

    [Fact]
    public void Changing_only_the_primary_tells_the_old_and_new_primary()
    {
        var order = Dispatched(TomPrimary, AnaSupporting);
        var plan = DispatchRules.PlanReassign(order, new ReassignRequest { TechnicianIds = ["tech-tom", "tech-ana"], PrimaryTechnicianId = "tech-ana" }, Dispatcher, Now);

        var (_, notifications) = DispatchRules.ApplyReassign(order, plan,
            [AnaSupporting with { Role = AssignmentRole.Primary }, TomPrimary with { Role = AssignmentRole.Supporting }], [], null, Dispatcher, Now);

        Assert.Equal([(TechnicianNotificationKind.ReassignedAway, "tech-tom"), (TechnicianNotificationKind.AssignedFrom, "tech-ana")],
            notifications.Select(n => (n.Kind, n.TechnicianId)));
    }

    [Fact]
    public void A_reassignment_that_changes_nothing_is_refused()
    {
        var order = Dispatched(TomPrimary);
        Assert.Equal(ErrorCodes.Validation, Assert.Throws<DomainException>(() =>
            DispatchRules.PlanReassign(order, new ReassignRequest { TechnicianIds = ["tech-tom"] }, Dispatcher, Now)).Code);
        Assert.Equal(ErrorCodes.InvalidTransition, Assert.Throws<DomainException>(() =>
            DispatchRules.PlanReassign(NewOrder(), new ReassignRequest { TechnicianIds = ["tech-tom"] }, Dispatcher, Now)).Code);
    }

    [Fact]
    public void Only_the_assigned_technician_may_move_the_order_forward()
    {
        var order = Dispatched(TomPrimary);

        var error = Assert.Throws<DomainException>(() => DispatchRules.ChangeStatus(order, new StatusChange(WorkOrderStatus.Acknowledged), Stranger, Now));
        Assert.Equal(ErrorCodes.Forbidden, error.Code);

        var acknowledged = DispatchRules.ChangeStatus(order, new StatusChange(WorkOrderStatus.Acknowledged), Tom, Now).Order;
        Assert.Equal(WorkOrderStatus.Acknowledged, acknowledged.Status);
        Assert.Equal("u-tom", acknowledged.Timeline[^1].ActorId);

        // Assigned, but cancelling is office work: the status machine says no.
        Assert.Equal(ErrorCodes.Forbidden, Assert.Throws<DomainException>(() =>
            DispatchRules.ChangeStatus(acknowledged, new StatusChange(WorkOrderStatus.Cancelled), Tom, Now)).Code);
    }

    [Fact]
    public void On_site_starts_the_overrun_clock_and_the_alert_is_raised_once()
    {
        var order = Dispatched(TomPrimary);
        order = DispatchRules.ChangeStatus(order, new StatusChange(WorkOrderStatus.EnRoute), Tom, Now).Order;
        order = DispatchRules.ChangeStatus(order, new StatusChange(WorkOrderStatus.OnSite), Tom, Now.AddMinutes(30)).Order;

        Assert.Equal(Now.AddMinutes(90), order.OverrunAlertDueAt);
        Assert.Null(DispatchRules.RaiseOverrunAlert(order, Now.AddMinutes(89)));

        var (alerted, notifications) = DispatchRules.RaiseOverrunAlert(order, Now.AddMinutes(91))!.Value;
        Assert.Equal(TimelineEntryKind.Alert, alerted.Timeline[^1].Kind);
        Assert.Contains("longer than the estimated 1 h", alerted.Timeline[^1].Summary);
        Assert.Equal(TechnicianNotificationKind.OverrunAlert, Assert.Single(notifications).Kind);
        Assert.Null(DispatchRules.RaiseOverrunAlert(alerted, Now.AddMinutes(200)));
        Assert.Null(DispatchRules.NextWakeUp(alerted));
    }

    [Fact]
    public void Awaiting_parts_needs_the_supplier_and_records_the_details()
    {
        var order = Dispatched(TomPrimary);
        order = DispatchRules.ChangeStatus(order, new StatusChange(WorkOrderStatus.EnRoute), Tom, Now).Order;
        order = DispatchRules.ChangeStatus(order, new StatusChange(WorkOrderStatus.OnSite), Tom, Now).Order;

        Assert.Equal("parts", Assert.Throws<DomainException>(() =>
            DispatchRules.ChangeStatus(order, new StatusChange(WorkOrderStatus.AwaitingParts), Tom, Now)).Details["field"]);

        var expected = Now.AddDays(3);
        var waiting = DispatchRules.ChangeStatus(order,
            new StatusChange(WorkOrderStatus.AwaitingParts, "Impeller cracked", new PartsOrder("Grainger", "1Z999", expected)), Tom, Now).Order;

        Assert.Equal(new PartsOrder("Grainger", "1Z999", expected), waiting.Parts);
        Assert.Contains("supplier Grainger, tracking 1Z999", waiting.Timeline[^1].Summary);
        Assert.False(DispatchRules.HoldsReservations(waiting));
        Assert.Null(waiting.OverrunAlertDueAt);

        // A return visit is dispatched from Awaiting Parts.
        var plan = DispatchRules.PlanDispatch(waiting, Request("tech-ben") with { ArrivalWindow = new TimeWindow(expected, expected.AddHours(2)) }, Dispatcher, Now);
        var returnVisit = DispatchRules.ApplyDispatch(waiting, plan, [BenPrimary], [], Dispatcher, Now).Order;
        Assert.Equal((WorkOrderStatus.Dispatched, 2), (returnVisit.Status, returnVisit.Visit!.Number));
    }

    [Fact]
    public void Unassigning_returns_the_order_to_the_queue()
    {
        var (unassigned, notifications) = DispatchRules.Unassign(Dispatched(TomPrimary), "Customer postponed", Dispatcher, Now);

        Assert.Equal(WorkOrderStatus.Created, unassigned.Status);
        Assert.Null(unassigned.Assignment);
        Assert.Equal(AssignmentChangeKind.Unassigned, unassigned.AssignmentHistory[^1].Kind);
        Assert.Equal(TechnicianNotificationKind.Withdrawn, Assert.Single(notifications).Kind);
        Assert.False(DispatchRules.HoldsReservations(unassigned));
    }

    [Fact]
    public void Every_change_bumps_the_version()
    {
        var order = NewOrder();
        var versions = new List<long> { order.Version };
        var plan = DispatchRules.PlanDispatch(order, Request("tech-tom"), Dispatcher, Now);
        order = DispatchRules.ApplyDispatch(order, plan, [TomPrimary], [], Dispatcher, Now).Order;
        versions.Add(order.Version);
        order = DispatchRules.ChangeStatus(order, new StatusChange(WorkOrderStatus.Acknowledged), Tom, Now).Order;
        versions.Add(order.Version);
        order = WorkOrderRules.AddNote(order, "Gate code 1234", Tom, Now);
        versions.Add(order.Version);

        Assert.Equal(versions.Order(), versions);
        Assert.Equal(versions.Count, versions.Distinct().Count());
        Assert.Equal(ErrorCodes.Forbidden, Assert.Throws<DomainException>(() => WorkOrderRules.AddNote(order, "hi", Stranger, Now)).Code);
    }

    [Fact]
    public void The_booked_window_covers_the_arrival_window_and_the_estimate()
    {
        var arrival = new TimeWindow(Now, Now.AddHours(2));
        Assert.Equal(arrival, ScheduledVisit.BookedWindowFor(arrival, TimeSpan.FromHours(1)));
        Assert.Equal(new TimeWindow(Now, Now.AddHours(3)), ScheduledVisit.BookedWindowFor(arrival, TimeSpan.FromHours(3)));
    }
}
