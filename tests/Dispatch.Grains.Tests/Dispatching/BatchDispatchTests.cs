using Dispatch.Domain.Common;
using Dispatch.Domain.WorkOrders;
using static Dispatch.Grains.Tests.Scenario;

namespace Dispatch.Grains.Tests.Dispatching;

[Collection(ClusterCollection.Name)]
public class BatchDispatchTests(ClusterFixture fixture)
{
    private readonly Scenario _s = new(fixture.Grains);

    [Fact]
    public async Task Each_item_gets_its_own_result_and_is_all_or_nothing()
    {
        await _s.CreateTechnician("tom");
        await _s.CreateTechnician("ann");
        await _s.CreateTechnician("idle");
        await _s.Technician("idle").SetActive(false, _s.Admin);
        foreach (var id in new[] { "wo-1", "wo-2", "wo-3", "wo-4", "wo-5" }) await _s.CreateWorkOrder(id);

        var result = await _s.Desk.DispatchBatch(new BatchDispatchRequest
        {
            // The group schedule: Tom, 08:00-10:00.
            Shared = new BatchDispatchItem { TechnicianIds = ["tom"], ArrivalWindow = Slot(8, 2) },
            Items =
            [
                new BatchDispatchItem { WorkOrderId = "wo-1" },                                           // shared: Tom 08-10
                new BatchDispatchItem { WorkOrderId = "wo-2" },                                           // shared again: Tom is taken
                new BatchDispatchItem { WorkOrderId = "wo-3", TechnicianIds = ["ann", "idle"] },           // Ann reserved, idle refuses: neither
                new BatchDispatchItem { WorkOrderId = "wo-4", TechnicianIds = ["ann"], ArrivalWindow = Slot(13, 1), DispatchAt = DateTimeOffset.UtcNow.AddHours(1) },
                new BatchDispatchItem { WorkOrderId = "missing" },
                new BatchDispatchItem { WorkOrderId = "wo-5", ArrivalWindow = Slot(11, 1) },              // Tom, later
            ],
        }, _s.Dispatcher);

        Assert.Equal(["wo-1", "wo-2", "wo-3", "wo-4", "missing", "wo-5"], result.Items.Select(i => i.WorkOrderId));
        Assert.Equal(
            [BatchItemStatus.Dispatched, BatchItemStatus.Conflicts, BatchItemStatus.Error, BatchItemStatus.Scheduled, BatchItemStatus.Error, BatchItemStatus.Dispatched],
            result.Items.Select(i => i.Status));
        Assert.Equal(3, result.Succeeded);
        Assert.Equal("wo-1", Assert.Single(Assert.Single(result.Items[1].Conflicts).Conflicts).WorkOrderId);
        Assert.Equal((ErrorCodes.TechnicianInactive, WorkOrderStatus.Created), (result.Items[2].ErrorCode, result.Items[2].WorkOrder!.Status));
        Assert.Equal(ErrorCodes.NotFound, result.Items[4].ErrorCode);

        Assert.Equal(["wo-1", "wo-5"], (await _s.Bookings("tom")).Select(b => b.WorkOrderId));
        Assert.Equal(["wo-4"], (await _s.Bookings("ann")).Select(b => b.WorkOrderId));
        Assert.Equal(WorkOrderStatus.Created, (await _s.WorkOrder("wo-2").Get())!.Status);
        Assert.Null((await _s.WorkOrder("wo-3").Get())!.Assignment);
    }

    [Fact]
    public async Task A_batch_is_validated_as_a_whole()
    {
        Assert.Equal(ErrorCodes.Validation, (await Assert.ThrowsAsync<DomainException>(() =>
            _s.Desk.DispatchBatch(new BatchDispatchRequest { Items = [] }, _s.Dispatcher))).Code);
        Assert.Equal(ErrorCodes.Validation, (await Assert.ThrowsAsync<DomainException>(() => _s.Desk.DispatchBatch(new BatchDispatchRequest
        {
            Items = [new BatchDispatchItem { WorkOrderId = "a" }, new BatchDispatchItem { WorkOrderId = "a" }],
        }, _s.Dispatcher))).Code);
        Assert.Equal(ErrorCodes.Forbidden, (await Assert.ThrowsAsync<DomainException>(() => _s.Desk.DispatchBatch(new BatchDispatchRequest
        {
            Items = [new BatchDispatchItem { WorkOrderId = "a" }],
        }, _s.TechnicianUser("tom")))).Code);
    }
}
