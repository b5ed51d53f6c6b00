using Dispatch.Domain.Common;
using Dispatch.Domain.WorkOrders;
using Dispatch.Testing;
using static Dispatch.Grains.Tests.Scenario;

namespace Dispatch.Grains.Tests.Dispatching;

[Collection(ClusterCollection.Name)]
public class StatusTrackingTests(ClusterFixture fixture)
{
    private readonly Scenario _s = new(fixture.Grains);

    [Fact]
    public async Task The_assigned_technician_moves_the_order_through_its_statuses_each_timestamped()
    {
        await _s.CreateTechnician("tom");
        await _s.Dispatched("wo-1", Slot(10, 2), "tom");
        var tom = _s.TechnicianUser("tom");

        foreach (var status in new[] { WorkOrderStatus.Acknowledged, WorkOrderStatus.EnRoute, WorkOrderStatus.OnSite, WorkOrderStatus.Complete })
        {
            await _s.WorkOrder("wo-1").ChangeStatus(new StatusChange(status), tom);
        }

        var order = (await _s.WorkOrder("wo-1").Get())!;
        Assert.Equal(WorkOrderStatus.Complete, order.Status);
        var moves = order.Timeline.Where(e => e.ToStatus is not null).ToList();
        Assert.Equal([WorkOrderStatus.Created, WorkOrderStatus.Dispatched, WorkOrderStatus.Acknowledged, WorkOrderStatus.EnRoute, WorkOrderStatus.OnSite, WorkOrderStatus.Complete],
            moves.Select(e => e.ToStatus!.Value));
        Assert.All(moves.Skip(2), e => Assert.Equal("u-tom", e.ActorId));
        Assert.True(moves.Zip(moves.Skip(1)).All(p => p.First.At <= p.Second.At));

        // Complete ends the booking now: finished before its booked time even began, so the whole slot is free again.
        Assert.Empty(await _s.Bookings("tom"));
        Assert.Empty((await _s.Technician("tom").GetSchedule()).ActiveWorkOrderIds);
    }

    [Fact]
    public async Task Technicians_may_only_change_work_orders_assigned_to_them()
    {
        await _s.CreateTechnician("tom");
        await _s.CreateTechnician("ann");
        await _s.Dispatched("wo-1", Slot(10, 2), "tom");

        var error = await Assert.ThrowsAsync<DomainException>(() =>
            _s.WorkOrder("wo-1").ChangeStatus(new StatusChange(WorkOrderStatus.Acknowledged), _s.TechnicianUser("ann")));
        Assert.Equal((ErrorCodes.Forbidden, "not-assigned"), (error.Code, error.Details["reason"]));
        Assert.Equal(ErrorCodes.Forbidden, (await Assert.ThrowsAsync<DomainException>(() => _s.WorkOrder("wo-1").AddNote("hi", _s.TechnicianUser("ann")))).Code);

        // After a reassignment the roles swap.
        await _s.WorkOrder("wo-1").Reassign(new ReassignRequest { TechnicianIds = ["ann"] }, _s.Dispatcher);
        await Assert.ThrowsAsync<DomainException>(() => _s.WorkOrder("wo-1").ChangeStatus(new StatusChange(WorkOrderStatus.Acknowledged), _s.TechnicianUser("tom")));
        var acknowledged = await _s.WorkOrder("wo-1").ChangeStatus(new StatusChange(WorkOrderStatus.Acknowledged), _s.TechnicianUser("ann"));
        Assert.Equal(WorkOrderStatus.Acknowledged, acknowledged.Status);

        // A technician cannot do office moves even on their own order.
        Assert.Equal(ErrorCodes.Forbidden, (await Assert.ThrowsAsync<DomainException>(() =>
            _s.WorkOrder("wo-1").ChangeStatus(new StatusChange(WorkOrderStatus.Cancelled), _s.TechnicianUser("ann")))).Code);
    }

    [Fact]
    public async Task Awaiting_parts_records_the_details_releases_the_technician_and_allows_a_return_visit()
    {
        await _s.CreateTechnician("tom");
        await _s.CreateTechnician("ann");
        await _s.Dispatched("wo-1", Slot(10, 2), "tom");
        var tom = _s.TechnicianUser("tom");
        await _s.WorkOrder("wo-1").ChangeStatus(new StatusChange(WorkOrderStatus.EnRoute), tom);
        await _s.WorkOrder("wo-1").ChangeStatus(new StatusChange(WorkOrderStatus.OnSite), tom);
        var expected = Day.AddDays(3);

        Assert.Equal(ErrorCodes.Validation, (await Assert.ThrowsAsync<DomainException>(() =>
            _s.WorkOrder("wo-1").ChangeStatus(new StatusChange(WorkOrderStatus.AwaitingParts), tom))).Code);
        var waiting = await _s.WorkOrder("wo-1").ChangeStatus(
            new StatusChange(WorkOrderStatus.AwaitingParts, "Impeller cracked", new PartsOrder("Grainger", "1Z999AA1", expected, "Impeller 5HP")), tom);

        Assert.Equal(WorkOrderStatus.AwaitingParts, waiting.Status);
        Assert.Equal(new PartsOrder("Grainger", "1Z999AA1", expected, "Impeller 5HP"), waiting.Parts);
        Assert.Contains("supplier Grainger, tracking 1Z999AA1", waiting.Timeline[^1].Summary);
        Assert.Equal("Impeller cracked", waiting.Timeline[^1].Note);
        Assert.Empty((await _s.Technician("tom").GetSchedule()).ActiveWorkOrderIds);

        var returnVisit = await _s.WorkOrder("wo-1").Dispatch(Request(new(expected.AddHours(9), expected.AddHours(11)), "ann"), _s.Dispatcher);
        Assert.Equal(DispatchOutcome.Dispatched, returnVisit.Outcome);
        Assert.Equal((WorkOrderStatus.Dispatched, 2, "ann"), (returnVisit.WorkOrder.Status, returnVisit.WorkOrder.Visit!.Number, returnVisit.WorkOrder.Assignment!.GetPrimary().TechnicianId));
    }

    [Fact]
    public async Task Cancelling_releases_every_reservation()
    {
        await _s.CreateTechnician("tom");
        await _s.CreateTechnician("ann");
        await _s.CreateWorkOrder("wo-1");
        await _s.WorkOrder("wo-1").Dispatch(Request(Slot(10, 2), "tom", "ann"), _s.Dispatcher);
        await _s.WorkOrder("wo-1").ChangeStatus(new StatusChange(WorkOrderStatus.Acknowledged), _s.TechnicianUser("tom"));

        var cancelled = await _s.WorkOrder("wo-1").ChangeStatus(new StatusChange(WorkOrderStatus.Cancelled, "Duplicate request"), _s.Dispatcher);

        Assert.Equal(WorkOrderStatus.Cancelled, cancelled.Status);
        Assert.Empty(await _s.Bookings("tom"));
        Assert.Empty(await _s.Bookings("ann"));
        Assert.Equal(ErrorCodes.WorkOrderClosed, (await Assert.ThrowsAsync<DomainException>(() =>
            _s.WorkOrder("wo-1").Dispatch(Request(Slot(10, 2), "tom"), _s.Dispatcher))).Code);
        // The slot is free for others again.
        await _s.Dispatched("wo-2", Slot(10, 2), "tom", "ann");
    }

    [Fact]
    public async Task Office_closes_and_invoices_completed_work()
    {
        await _s.CreateTechnician("tom");
        await _s.Dispatched("wo-1", Slot(10, 2), "tom");
        var tom = _s.TechnicianUser("tom");
        foreach (var status in new[] { WorkOrderStatus.EnRoute, WorkOrderStatus.OnSite, WorkOrderStatus.Complete, WorkOrderStatus.ReadyForReturn })
        {
            await _s.WorkOrder("wo-1").ChangeStatus(new StatusChange(status), tom);
        }

        Assert.Equal(ErrorCodes.Forbidden, (await Assert.ThrowsAsync<DomainException>(() =>
            _s.WorkOrder("wo-1").ChangeStatus(new StatusChange(WorkOrderStatus.ClosedInvoiced), tom))).Code);
        var closed = await _s.WorkOrder("wo-1").ChangeStatus(new StatusChange(WorkOrderStatus.ClosedInvoiced, "INV-1001"), _s.Dispatcher);
        Assert.Equal(WorkOrderStatus.ClosedInvoiced, closed.Status);
        Assert.Equal(ErrorCodes.WorkOrderClosed, (await Assert.ThrowsAsync<DomainException>(() =>
            _s.WorkOrder("wo-1").Dispatch(Request(Slot(14, 1), "tom"), _s.Dispatcher))).Code);
    }

    [Fact]
    public async Task The_overrun_alert_fires_once_when_on_site_longer_than_the_estimate()
    {
        await _s.CreateTechnician("tom");
        await _s.CreateWorkOrder("quick", w => w with { EstimatedDuration = TimeSpan.FromSeconds(1) });
        await _s.CreateWorkOrder("slower", w => w with { EstimatedDuration = TimeSpan.FromSeconds(4) });
        await _s.WorkOrder("quick").Dispatch(Request(Slot(10, 1), "tom"), _s.Dispatcher);
        await _s.WorkOrder("slower").Dispatch(Request(Slot(12, 1), "tom"), _s.Dispatcher);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var alerts = fixture.Feed(1).Subscribe(_s.Tenant, "quick", cts.Token);
        var tom = _s.TechnicianUser("tom");
        foreach (var id in new[] { "quick", "slower" })
        {
            await _s.WorkOrder(id).ChangeStatus(new StatusChange(WorkOrderStatus.EnRoute), tom);
            await _s.WorkOrder(id).ChangeStatus(new StatusChange(WorkOrderStatus.OnSite), tom);
        }

        var onSite = (await _s.WorkOrder("quick").Get())!;
        Assert.Equal(onSite.OnSiteSince + TimeSpan.FromSeconds(1), onSite.OverrunAlertDueAt);

        await Eventually.Until(async () => (await _s.WorkOrder("quick").Get())!.OverrunAlertedAt is not null, TimeSpan.FromSeconds(20), "quick alerts", cancellationToken: cts.Token);
        // Give it time to fire again if it were going to: the slower order's alert comes three seconds later.
        await Eventually.Until(async () => (await _s.WorkOrder("slower").Get())!.OverrunAlertedAt is not null, TimeSpan.FromSeconds(20), "slower alerts", cancellationToken: cts.Token);

        var alerted = (await _s.WorkOrder("quick").Get())!;
        var entry = Assert.Single(alerted.Timeline, e => e.Kind == TimelineEntryKind.Alert);
        Assert.Equal("system", entry.ActorId);
        Assert.Contains("longer than the estimated", entry.Summary);
        Assert.Equal(WorkOrderStatus.OnSite, alerted.Status);

        var seen = new List<WorkOrderChanged>();
        await foreach (var change in alerts.WithCancellation(cts.Token))
        {
            seen.Add(change);
            if (change.Version == alerted.Version) break;
        }

        var alert = Assert.Single(seen, c => c.Kind == WorkOrderChangeKind.OverrunAlert);
        Assert.Equal(TechnicianNotificationKind.OverrunAlert, Assert.Single(alert.Notifications).Kind);
    }
}
