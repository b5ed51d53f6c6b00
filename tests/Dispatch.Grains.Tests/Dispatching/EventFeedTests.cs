using Dispatch.Domain.WorkOrders;
using Dispatch.Testing;
using static Dispatch.Grains.Tests.Scenario;

namespace Dispatch.Grains.Tests.Dispatching;

/// <summary>Every path that changes a work order shows up live, on every host, whichever silo made the change.</summary>
[Collection(ClusterCollection.Name)]
public class EventFeedTests(ClusterFixture fixture)
{
    private readonly Scenario _s = new(fixture.Grains);

    private static async Task<List<WorkOrderChanged>> Collect(IAsyncEnumerable<WorkOrderChanged> feed, long untilVersion, CancellationToken ct)
    {
        var seen = new List<WorkOrderChanged>();
        await foreach (var change in feed.WithCancellation(ct))
        {
            seen.Add(change);
            if (change.Version >= untilVersion) break;
        }

        return seen;
    }

    [Fact]
    public async Task Every_change_of_every_path_is_published_to_every_host()
    {
        await _s.CreateTechnician("tom");
        await _s.CreateTechnician("ann");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        // Both silos are hosts; the board feed (tenant) and the work-order feed (one id).
        var board0 = fixture.Feed(0).Subscribe(_s.Tenant, cancellationToken: cts.Token);
        var board1 = fixture.Feed(1).Subscribe(_s.Tenant, cancellationToken: cts.Token);
        var single = fixture.Feed(1).Subscribe(_s.Tenant, "wo-1", cts.Token);
        var other = fixture.Feed(0).Subscribe("some-other-tenant", cancellationToken: cts.Token);

        var wo = _s.WorkOrder("wo-1");
        await _s.CreateWorkOrder("wo-1", w => w with { EstimatedDuration = TimeSpan.FromSeconds(1) });
        await wo.Dispatch(Request(Slot(10, 2), "tom") with { DispatchAt = DateTimeOffset.UtcNow.AddSeconds(3) }, _s.Dispatcher);
        await Eventually.Until(async () => (await wo.Get())!.Status == WorkOrderStatus.Dispatched, TimeSpan.FromSeconds(20), cancellationToken: cts.Token);
        await wo.Reassign(new ReassignRequest { TechnicianIds = ["ann"], Reason = "Tom is sick" }, _s.Dispatcher);
        await wo.AddNote("Gate code 4521", _s.Dispatcher);
        await wo.ChangeStatus(new StatusChange(WorkOrderStatus.EnRoute), _s.TechnicianUser("ann"));
        await wo.ChangeStatus(new StatusChange(WorkOrderStatus.OnSite), _s.TechnicianUser("ann"));
        await Eventually.Until(async () => (await wo.Get())!.OverrunAlertedAt is not null, TimeSpan.FromSeconds(20), cancellationToken: cts.Token);
        await wo.ChangeStatus(new StatusChange(WorkOrderStatus.Complete), _s.TechnicianUser("ann"));
        await _s.CreateWorkOrder("wo-2");
        await _s.WorkOrder("wo-2").Dispatch(Request(Slot(14, 1), "tom"), _s.Dispatcher);
        await _s.WorkOrder("wo-2").Unassign("Postponed", _s.Dispatcher);
        var last = (await wo.Get())!;

        var expected = new[]
        {
            WorkOrderChangeKind.Created, WorkOrderChangeKind.DispatchScheduled, WorkOrderChangeKind.Dispatched, WorkOrderChangeKind.Reassigned,
            WorkOrderChangeKind.NoteAdded, WorkOrderChangeKind.StatusChanged, WorkOrderChangeKind.StatusChanged, WorkOrderChangeKind.OverrunAlert,
            WorkOrderChangeKind.StatusChanged,
        };
        var fromSingle = await Collect(single, last.Version, cts.Token);
        Assert.Equal(expected, fromSingle.Select(c => c.Kind));
        Assert.True(fromSingle.Zip(fromSingle.Skip(1)).All(p => p.First.Version < p.Second.Version), "in version order");
        Assert.Equal(last.Version, fromSingle[^1].WorkOrder.Version);
        Assert.Equal(WorkOrderStatus.Complete, fromSingle[^1].WorkOrder.Status);
        Assert.Equal(("system", "system"), (fromSingle[2].Actor.UserId, fromSingle[7].Actor.UserId));
        Assert.Equal("u-ann", fromSingle[5].Actor.UserId);
        Assert.Equal(_s.Tenant, fromSingle[0].Tenant);

        foreach (var board in new[] { board0, board1 })
        {
            var seen = new List<WorkOrderChanged>();
            await foreach (var change in board.WithCancellation(cts.Token))
            {
                seen.Add(change);
                if (change.WorkOrderId == "wo-2" && change.Kind == WorkOrderChangeKind.Unassigned) break;
            }

            Assert.Equal(expected, seen.Where(c => c.WorkOrderId == "wo-1").Select(c => c.Kind));
            Assert.Equal([WorkOrderChangeKind.Created, WorkOrderChangeKind.Dispatched, WorkOrderChangeKind.Unassigned],
                seen.Where(c => c.WorkOrderId == "wo-2").Select(c => c.Kind));
        }

        // Nothing leaked into another tenant's feed: ending the subscription finds it empty.
        await using var otherReader = other.GetAsyncEnumerator(CancellationToken.None);
        var pending = otherReader.MoveNextAsync().AsTask();
        await cts.CancelAsync();
        Assert.False(await pending.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Cancelling_the_subscription_ends_it()
    {
        using var cts = new CancellationTokenSource();
        var feed = fixture.Feed(0).Subscribe(_s.Tenant, cancellationToken: cts.Token);
        await using var reader = feed.GetAsyncEnumerator(CancellationToken.None);
        await _s.CreateWorkOrder("wo-1");
        Assert.True(await reader.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(WorkOrderChangeKind.Created, reader.Current.Kind);

        await cts.CancelAsync();

        Assert.False(await reader.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
