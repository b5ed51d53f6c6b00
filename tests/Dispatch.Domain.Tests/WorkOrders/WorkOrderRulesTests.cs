using Dispatch.Domain.Common;
using Dispatch.Domain.Identity;
using Dispatch.Domain.WorkOrders;

namespace Dispatch.Domain.Tests.WorkOrders;

public class WorkOrderRulesTests
{
    private static readonly Actor Dispatcher = new("d1", "Dee Spatcher", "t1", [Roles.Dispatcher]);
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    private static NewWorkOrder Valid() => new()
    {
        Title = "Booster pump not building pressure",
        Customer = new Customer("Bayou City Water", CustomerTier.Gold),
        Site = new Site("1200 Main St, Houston, TX"),
        Priority = Priority.High,
        EstimatedDuration = TimeSpan.FromHours(2),
    };

    [Fact]
    public void Create_records_who_and_when_in_the_timeline()
    {
        var order = WorkOrderRules.Create("t1", "wo-1", Valid(), Dispatcher, Now);

        Assert.Equal(WorkOrderStatus.Created, order.Status);
        Assert.Equal(1, order.Version);
        var entry = Assert.Single(order.Timeline);
        Assert.Equal(("d1", "Dee Spatcher", Now, TimelineEntryKind.Created), (entry.ActorId, entry.ActorName, entry.At, entry.Kind));
    }

    [Theory]
    [InlineData("", "title")]
    [InlineData("   ", "title")]
    public void Create_refuses_a_blank_title(string title, string field)
    {
        var error = Assert.Throws<DomainException>(() => WorkOrderRules.Create("t1", "wo-1", Valid() with { Title = title }, Dispatcher, Now));
        Assert.Equal((ErrorCodes.Validation, field), (error.Code, error.Details["field"]));
    }

    [Fact]
    public void Create_refuses_a_missing_customer_site_or_duration()
    {
        Assert.Equal("customer.name", Assert.Throws<DomainException>(() =>
            WorkOrderRules.Create("t1", "wo-1", Valid() with { Customer = new Customer(" ") }, Dispatcher, Now)).Details["field"]);
        Assert.Equal("site.address", Assert.Throws<DomainException>(() =>
            WorkOrderRules.Create("t1", "wo-1", Valid() with { Site = new Site("") }, Dispatcher, Now)).Details["field"]);
        Assert.Equal("estimatedDuration", Assert.Throws<DomainException>(() =>
            WorkOrderRules.Create("t1", "wo-1", Valid() with { EstimatedDuration = TimeSpan.Zero }, Dispatcher, Now)).Details["field"]);
        Assert.Equal("priority", Assert.Throws<DomainException>(() =>
            WorkOrderRules.Create("t1", "wo-1", Valid() with { Priority = (Priority)42 }, Dispatcher, Now)).Details["field"]);
    }

    [Fact]
    public void A_refused_status_change_leaves_the_order_as_it_was()
    {
        var order = WorkOrderRules.Create("t1", "wo-1", Valid(), Dispatcher, Now);

        Assert.Throws<DomainException>(() => WorkOrderRules.ChangeStatus(order, new StatusChange(WorkOrderStatus.OnSite), Dispatcher, Now.AddMinutes(1)));

        Assert.Equal(WorkOrderStatus.Created, order.Status);
        Assert.Single(order.Timeline);
        Assert.Equal(1, order.Version);
    }

    [Fact]
    public void Each_status_change_appends_one_ordered_entry()
    {
        var order = WorkOrderRules.Create("t1", "wo-1", Valid(), Dispatcher, Now);
        order = WorkOrderRules.Move(order, WorkOrderStatus.Dispatched, TransitionVia.Dispatch, Dispatcher, Now.AddMinutes(1),
            TimelineEntryKind.Dispatched, "Dispatched.");
        order = WorkOrderRules.ChangeStatus(order, new StatusChange(WorkOrderStatus.Acknowledged, "on my way after lunch"), Dispatcher, Now.AddMinutes(2));

        Assert.Equal(WorkOrderStatus.Acknowledged, order.Status);
        Assert.Equal(3, order.Version);
        Assert.Equal([WorkOrderStatus.Created, WorkOrderStatus.Dispatched, WorkOrderStatus.Acknowledged], order.Timeline.Select(e => e.ToStatus!.Value));
        Assert.Equal("on my way after lunch", order.Timeline[^1].Note);
        Assert.Equal(WorkOrderStatus.Dispatched, order.Timeline[^1].FromStatus);
        Assert.Equal(Now.AddMinutes(2), order.StatusChangedAt);
    }

    [Fact]
    public void A_note_must_have_text()
    {
        var order = WorkOrderRules.Create("t1", "wo-1", Valid(), Dispatcher, Now);
        Assert.Equal(ErrorCodes.Validation, Assert.Throws<DomainException>(() => WorkOrderRules.AddNote(order, " ", Dispatcher, Now)).Code);
        Assert.Equal("Gate is locked", WorkOrderRules.AddNote(order, "Gate is locked", Dispatcher, Now).Timeline[^1].Note);
    }
}
