using Orleans.Concurrency;
using Dispatch.Domain.Identity;
using Dispatch.Domain.WorkOrders;

namespace Dispatch.Grains.WorkOrders;

/// <summary>One work order. Key: "{tenant}/{workOrderId}" (see <see cref="Dispatch.Domain.Common.TenantKey"/>).</summary>
[Alias("Dispatch.IWorkOrderGrain")]
public interface IWorkOrderGrain : IGrainWithStringKey
{
    [Alias("Create")]
    Task<WorkOrder> Create(NewWorkOrder input, Actor actor);

    /// <summary>The work order, or null when none was created under this key.</summary>
    [ReadOnly, Alias("Get")]
    Task<WorkOrder?> Get();

    [Alias("ChangeStatus")]
    Task<WorkOrder> ChangeStatus(StatusChange change, Actor actor);

    [Alias("AddNote")]
    Task<WorkOrder> AddNote(string note, Actor actor);
}
