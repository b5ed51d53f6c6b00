using Dispatch.Domain.Common;
using Dispatch.Domain.Identity;
using Dispatch.Domain.WorkOrders;
using static Dispatch.Domain.WorkOrders.WorkOrderStatus;

namespace Dispatch.Domain.Tests.WorkOrders;

public class WorkOrderStatusMachineTests
{
    private static readonly Actor Dispatcher = new("d1", "Dee", "t1", [Roles.Dispatcher]);
    private static readonly Actor Technician = new("u1", "Tom", "t1", [Roles.Technician]);
    private static readonly Actor Device = new("dev", "Tracker", "t1", [Roles.Device]);

    // The lifecycle written out independently of the implementation's table: if either changes, this test says so.
    private static readonly HashSet<(WorkOrderStatus, WorkOrderStatus, TransitionVia)> Expected =
    [
        (Created, Dispatched, TransitionVia.Dispatch),
        (Created, Cancelled, TransitionVia.StatusUpdate),
        (WorkOrderStatus.Dispatched, Acknowledged, TransitionVia.StatusUpdate),
        (WorkOrderStatus.Dispatched, EnRoute, TransitionVia.StatusUpdate),
        (WorkOrderStatus.Dispatched, Created, TransitionVia.Unassign),
        (WorkOrderStatus.Dispatched, Cancelled, TransitionVia.StatusUpdate),
        (Acknowledged, EnRoute, TransitionVia.StatusUpdate),
        (Acknowledged, Created, TransitionVia.Unassign),
        (Acknowledged, Cancelled, TransitionVia.StatusUpdate),
        (EnRoute, OnSite, TransitionVia.StatusUpdate),
        (EnRoute, Created, TransitionVia.Unassign),
        (EnRoute, Cancelled, TransitionVia.StatusUpdate),
        (OnSite, Complete, TransitionVia.StatusUpdate),
        (OnSite, AwaitingParts, TransitionVia.StatusUpdate),
        (AwaitingParts, OnSite, TransitionVia.StatusUpdate),
        (AwaitingParts, WorkOrderStatus.Dispatched, TransitionVia.Dispatch),
        (AwaitingParts, Cancelled, TransitionVia.StatusUpdate),
        (Complete, ReadyForReturn, TransitionVia.StatusUpdate),
        (Complete, ClosedInvoiced, TransitionVia.StatusUpdate),
        (ReadyForReturn, ClosedInvoiced, TransitionVia.StatusUpdate),
    ];

    public static TheoryData<WorkOrderStatus, WorkOrderStatus, TransitionVia> EveryMove()
    {
        var data = new TheoryData<WorkOrderStatus, WorkOrderStatus, TransitionVia>();
        foreach (var from in Enum.GetValues<WorkOrderStatus>())
        foreach (var to in Enum.GetValues<WorkOrderStatus>())
        foreach (var via in Enum.GetValues<TransitionVia>())
        {
            data.Add(from, to, via);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryMove))]
    public void Allows_exactly_the_documented_moves(WorkOrderStatus from, WorkOrderStatus to, TransitionVia via)
    {
        if (Expected.Contains((from, to, via)))
        {
            var transition = WorkOrderStatusMachine.Ensure(from, to, via, Dispatcher);
            Assert.Equal(to, transition.To);
        }
        else
        {
            var error = Assert.Throws<DomainException>(() => WorkOrderStatusMachine.Ensure(from, to, via, Dispatcher));
            Assert.Equal(ErrorCodes.InvalidTransition, error.Code);
            Assert.Equal(from.ToString(), error.Details["from"]);
        }
    }

    [Theory]
    [InlineData(Acknowledged)]
    [InlineData(EnRoute)]
    public void Technician_moves_their_dispatched_work_forward(WorkOrderStatus to) =>
        Assert.Equal(to, WorkOrderStatusMachine.Ensure(WorkOrderStatus.Dispatched, to, TransitionVia.StatusUpdate, Technician).To);

    [Fact]
    public void Technician_cannot_dispatch_cancel_or_invoice()
    {
        Assert.Equal(ErrorCodes.Forbidden, Assert.Throws<DomainException>(() =>
            WorkOrderStatusMachine.Ensure(Created, WorkOrderStatus.Dispatched, TransitionVia.Dispatch, Technician)).Code);
        Assert.Equal(ErrorCodes.Forbidden, Assert.Throws<DomainException>(() =>
            WorkOrderStatusMachine.Ensure(Created, Cancelled, TransitionVia.StatusUpdate, Technician)).Code);
        Assert.Equal(ErrorCodes.Forbidden, Assert.Throws<DomainException>(() =>
            WorkOrderStatusMachine.Ensure(Complete, ClosedInvoiced, TransitionVia.StatusUpdate, Technician)).Code);
    }

    [Fact]
    public void A_device_changes_no_status() =>
        Assert.Equal(ErrorCodes.Forbidden, Assert.Throws<DomainException>(() =>
            WorkOrderStatusMachine.Ensure(EnRoute, OnSite, TransitionVia.StatusUpdate, Device)).Code);

    [Fact]
    public void The_platform_may_send_a_scheduled_dispatch() =>
        Assert.Equal(WorkOrderStatus.Dispatched,
            WorkOrderStatusMachine.Ensure(Created, WorkOrderStatus.Dispatched, TransitionVia.Dispatch, Actor.System("t1")).To);

    [Fact]
    public void Dispatched_is_reached_only_through_a_dispatch()
    {
        var error = Assert.Throws<DomainException>(() =>
            WorkOrderStatusMachine.Ensure(Created, WorkOrderStatus.Dispatched, TransitionVia.StatusUpdate, Dispatcher));
        Assert.Contains("through a dispatch", error.Message);
    }

    [Theory]
    [InlineData(ClosedInvoiced)]
    [InlineData(Cancelled)]
    public void Closed_and_cancelled_are_final(WorkOrderStatus status)
    {
        Assert.True(WorkOrderStatusMachine.IsTerminal(status));
        foreach (var via in Enum.GetValues<TransitionVia>())
        {
            Assert.Empty(WorkOrderStatusMachine.NextStatuses(status, via));
        }
    }

    [Fact]
    public void Every_status_but_the_final_ones_has_a_way_forward()
    {
        foreach (var status in Enum.GetValues<WorkOrderStatus>().Where(s => !WorkOrderStatusMachine.IsTerminal(s)))
        {
            Assert.NotEmpty(Enum.GetValues<TransitionVia>().SelectMany(v => WorkOrderStatusMachine.NextStatuses(status, v)));
        }
    }
}
