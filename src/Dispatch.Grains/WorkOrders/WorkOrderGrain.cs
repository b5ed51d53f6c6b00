using Dispatch.Domain.Common;
using Dispatch.Domain.Identity;
using Dispatch.Domain.WorkOrders;

namespace Dispatch.Grains.WorkOrders;

[GenerateSerializer, Alias("Dispatch.WorkOrderGrainState")]
public sealed class WorkOrderGrainState
{
    [Id(0)] public WorkOrder? Order { get; set; }
}

/// <summary>
/// Thin shell around <see cref="WorkOrderRules"/>: checks tenant and existence, applies the rule, persists, and only
/// then acknowledges. A refused rule or a failed write leaves the in-memory value as it was.
/// </summary>
public sealed class WorkOrderGrain(
    [PersistentState("state")] IPersistentState<WorkOrderGrainState> state,
    TimeProvider clock) : Grain, IWorkOrderGrain
{
    private (string Tenant, string Id) Key => TenantKey.Parse(this.GetPrimaryKeyString());

    public async Task<WorkOrder> Create(NewWorkOrder input, Actor actor)
    {
        var (tenant, id) = Key;
        GrainGuards.EnsureSameTenant(tenant, actor);
        if (state.State.Order is not null)
        {
            throw new DomainException(ErrorCodes.AlreadyExists, $"Work order '{id}' already exists.");
        }

        return await Commit(WorkOrderRules.Create(tenant, id, input, actor, clock.GetUtcNow()));
    }

    public Task<WorkOrder?> Get() => Task.FromResult(state.State.Order);

    public Task<WorkOrder> ChangeStatus(StatusChange change, Actor actor) =>
        Commit(WorkOrderRules.ChangeStatus(Existing(actor), change, actor, clock.GetUtcNow()));

    public Task<WorkOrder> AddNote(string note, Actor actor) =>
        Commit(WorkOrderRules.AddNote(Existing(actor), note, actor, clock.GetUtcNow()));

    private WorkOrder Existing(Actor actor)
    {
        var (tenant, id) = Key;
        GrainGuards.EnsureSameTenant(tenant, actor);
        return state.State.Order ?? throw DomainException.NotFound("Work order", id);
    }

    private async Task<WorkOrder> Commit(WorkOrder next)
    {
        var previous = state.State.Order;
        state.State.Order = next;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // The write may or may not have landed (ETag conflict, storage outage): forget this activation so the next
            // call reads the truth from storage instead of trusting memory.
            state.State.Order = previous;
            DeactivateOnIdle();
            throw;
        }

        return next;
    }
}
