using Dispatch.Domain.Common;
using Dispatch.Domain.WorkOrders;
using Dispatch.Testing;
using static Dispatch.Grains.Tests.Scenario;

namespace Dispatch.Grains.Tests.Dispatching;

[Collection(ClusterCollection.Name)]
public class ScheduledDispatchTests(ClusterFixture fixture)
{
    private readonly Scenario _s = new(fixture.Grains);

    [Fact]
    public async Task A_future_dispatch_reserves_now_and_is_sent_at_its_time()
    {
        await _s.CreateTechnician("tom");
        await _s.CreateWorkOrder("wo-1");
        await _s.CreateWorkOrder("rival");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var notifications = fixture.Feed(1).SubscribeNotifications(_s.Tenant, "tom", cts.Token);

        var sendAt = DateTimeOffset.UtcNow.AddSeconds(3);
        var result = await _s.WorkOrder("wo-1").Dispatch(Request(Slot(10, 2), "tom") with { DispatchAt = sendAt }, _s.Dispatcher);

        Assert.Equal(DispatchOutcome.Scheduled, result.Outcome);
        Assert.Equal(WorkOrderStatus.Created, result.WorkOrder.Status);
        Assert.Null(result.WorkOrder.Visit!.SentAt);
        Assert.Equal(sendAt.ToUniversalTime(), result.WorkOrder.Visit.SendAt);
        Assert.Equal("wo-1", Assert.Single(await _s.Bookings("tom")).WorkOrderId);

        // The slot is taken from the moment of scheduling.
        var rival = await _s.WorkOrder("rival").Dispatch(Request(Slot(11, 1), "tom"), _s.Dispatcher);
        Assert.Equal(DispatchOutcome.Conflicts, rival.Outcome);
        // And it cannot be dispatched twice.
        Assert.Equal(ErrorCodes.AlreadyDispatched, (await Assert.ThrowsAsync<DomainException>(() =>
            _s.WorkOrder("wo-1").Dispatch(Request(Slot(14, 1), "tom"), _s.Dispatcher))).Code);

        await Eventually.Until(async () => (await _s.WorkOrder("wo-1").Get())!.Status == WorkOrderStatus.Dispatched,
            TimeSpan.FromSeconds(20), "the scheduled dispatch is sent", cancellationToken: cts.Token);
        var sent = (await _s.WorkOrder("wo-1").Get())!;
        Assert.True(sent.Visit!.SentAt >= sendAt.AddSeconds(-1));
        Assert.Equal(("system", TimelineEntryKind.Dispatched), (sent.Timeline[^1].ActorId, sent.Timeline[^1].Kind));

        await using var reader = notifications.GetAsyncEnumerator(cts.Token);
        Assert.True(await reader.MoveNextAsync());
        Assert.Equal((TechnicianNotificationKind.DispatchSent, "wo-1"), (reader.Current.Kind, reader.Current.WorkOrderId));
    }

    [Fact]
    public async Task Cancelling_a_scheduled_dispatch_releases_the_slot_and_nothing_is_sent()
    {
        await _s.CreateTechnician("tom");
        await _s.CreateWorkOrder("wo-1");
        await _s.WorkOrder("wo-1").Dispatch(Request(Slot(10, 2), "tom") with { DispatchAt = DateTimeOffset.UtcNow.AddSeconds(3) }, _s.Dispatcher);

        var cancelled = await _s.WorkOrder("wo-1").ChangeStatus(new StatusChange(WorkOrderStatus.Cancelled, "Customer fixed it"), _s.Dispatcher);

        Assert.Equal(WorkOrderStatus.Cancelled, cancelled.Status);
        Assert.Empty(await _s.Bookings("tom"));
        Assert.Null(DispatchRules.NextWakeUp(cancelled));

        // Past the dispatch time, and a later order dispatched after it is sent normally: the cancelled one stays cancelled.
        await _s.CreateWorkOrder("later");
        await _s.WorkOrder("later").Dispatch(Request(Slot(10, 2), "tom") with { DispatchAt = DateTimeOffset.UtcNow.AddSeconds(3) }, _s.Dispatcher);
        await Eventually.Until(async () => (await _s.WorkOrder("later").Get())!.Status == WorkOrderStatus.Dispatched, TimeSpan.FromSeconds(20));
        Assert.Equal(WorkOrderStatus.Cancelled, (await _s.WorkOrder("wo-1").Get())!.Status);
    }

    [Fact]
    public async Task A_scheduled_dispatch_can_be_withdrawn_and_dispatched_again()
    {
        await _s.CreateTechnician("tom");
        await _s.CreateTechnician("ann");
        await _s.CreateWorkOrder("wo-1");
        await _s.WorkOrder("wo-1").Dispatch(Request(Slot(10, 2), "tom") with { DispatchAt = DateTimeOffset.UtcNow.AddHours(1) }, _s.Dispatcher);

        var withdrawn = await _s.WorkOrder("wo-1").Unassign("Wrong technician", _s.Dispatcher);

        Assert.Equal((WorkOrderStatus.Created, null), (withdrawn.Status, withdrawn.Assignment));
        Assert.Empty(await _s.Bookings("tom"));
        var again = await _s.WorkOrder("wo-1").Dispatch(Request(Slot(10, 2), "ann"), _s.Dispatcher);
        Assert.Equal(DispatchOutcome.Dispatched, again.Outcome);
        Assert.Equal([AssignmentChangeKind.Assigned, AssignmentChangeKind.Unassigned, AssignmentChangeKind.Assigned], again.WorkOrder.AssignmentHistory.Select(h => h.Kind));
    }
}
