using Dispatch.Domain.Common;
using Dispatch.Domain.Identity;
using Dispatch.Domain.WorkOrders;
using Dispatch.Grains.WorkOrders;

namespace Dispatch.Grains.Tests.WorkOrders;

[Collection(ClusterCollection.Name)]
public class WorkOrderGrainTests(ClusterFixture fixture)
{
    private static readonly Actor Dispatcher = new("d1", "Dee", "acme", [Roles.Dispatcher]);

    private static NewWorkOrder NewOrder() => new()
    {
        Title = "Seal leak on centrifugal pump",
        Customer = new Customer("Gulf Coast Dairy"),
        Site = new Site("12 Farm Rd, Katy, TX"),
    };

    private IWorkOrderGrain Grain(string tenant = "acme") =>
        fixture.Grains.GetGrain<IWorkOrderGrain>(TenantKey.Compose(tenant, "wo-" + Guid.NewGuid().ToString("N")));

    [Fact]
    public async Task Create_then_get_returns_the_order_with_its_timeline()
    {
        var grain = Grain();
        var created = await grain.Create(NewOrder(), Dispatcher);

        var read = await grain.Get();

        Assert.NotNull(read);
        Assert.Equal(created.Id, read.Id);
        Assert.Equal("acme", read.Tenant);
        Assert.Equal(WorkOrderStatus.Created, read.Status);
        Assert.Single(read.Timeline);
    }

    [Fact]
    public async Task Creating_twice_is_refused_and_changes_nothing()
    {
        var grain = Grain();
        await grain.Create(NewOrder(), Dispatcher);

        var error = await Assert.ThrowsAsync<DomainException>(() => grain.Create(NewOrder() with { Title = "Other" }, Dispatcher));

        Assert.Equal(ErrorCodes.AlreadyExists, error.Code);
        Assert.Equal("Seal leak on centrifugal pump", (await grain.Get())!.Title);
    }

    [Fact]
    public async Task An_unknown_order_is_not_found()
    {
        var error = await Assert.ThrowsAsync<DomainException>(() => Grain().ChangeStatus(new StatusChange(WorkOrderStatus.Cancelled), Dispatcher));
        Assert.Equal(ErrorCodes.NotFound, error.Code);
    }

    [Fact]
    public async Task Another_tenant_cannot_touch_the_order()
    {
        var grain = Grain();
        await grain.Create(NewOrder(), Dispatcher);
        var stranger = Dispatcher with { Tenant = "other" };

        var error = await Assert.ThrowsAsync<DomainException>(() => grain.ChangeStatus(new StatusChange(WorkOrderStatus.Cancelled), stranger));

        Assert.Equal(ErrorCodes.Forbidden, error.Code);
        Assert.Equal(WorkOrderStatus.Created, (await grain.Get())!.Status);
    }

    [Fact]
    public async Task An_illegal_transition_is_refused_and_changes_nothing()
    {
        var grain = Grain();
        await grain.Create(NewOrder(), Dispatcher);

        var error = await Assert.ThrowsAsync<DomainException>(() => grain.ChangeStatus(new StatusChange(WorkOrderStatus.Complete), Dispatcher));

        Assert.Equal(ErrorCodes.InvalidTransition, error.Code);
        var read = (await grain.Get())!;
        Assert.Equal((WorkOrderStatus.Created, 1L, 1), (read.Status, read.Version, read.Timeline.Count));
    }

    [Fact]
    public async Task Concurrent_changes_are_all_kept_in_order()
    {
        var grain = Grain();
        await grain.Create(NewOrder(), Dispatcher);

        await Task.WhenAll(Enumerable.Range(0, 50).Select(i => grain.AddNote($"note {i}", Dispatcher with { UserId = $"d{i}" })));

        var read = (await grain.Get())!;
        Assert.Equal(51, read.Timeline.Count);
        Assert.Equal(51, read.Version);
        Assert.Equal(50, read.Timeline.Skip(1).Select(e => e.Note).Distinct().Count());
        Assert.True(read.Timeline.Zip(read.Timeline.Skip(1)).All(p => p.First.At <= p.Second.At), "timeline is ordered by time");
    }
}
