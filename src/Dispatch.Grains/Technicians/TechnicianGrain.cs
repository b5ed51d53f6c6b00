using Dispatch.Domain.Common;
using Dispatch.Domain.Identity;
using Dispatch.Domain.Technicians;

namespace Dispatch.Grains.Technicians;

[GenerateSerializer, Alias("Dispatch.TechnicianGrainState")]
public sealed class TechnicianGrainState
{
    [Id(0)] public Technician? Technician { get; set; }
}

public sealed class TechnicianGrain(
    [PersistentState("state")] IPersistentState<TechnicianGrainState> state,
    TimeProvider clock) : Grain, ITechnicianGrain
{
    private (string Tenant, string Id) Key => TenantKey.Parse(this.GetPrimaryKeyString());

    public async Task<Technician> Create(NewTechnician input, Actor actor)
    {
        var (tenant, id) = Key;
        GrainGuards.EnsureSameTenant(tenant, actor);
        if (state.State.Technician is not null)
        {
            throw new DomainException(ErrorCodes.AlreadyExists, $"Technician '{id}' already exists.");
        }

        return await Commit(TechnicianRules.Create(tenant, id, input, clock.GetUtcNow()));
    }

    public Task<Technician?> Get() => Task.FromResult(state.State.Technician);

    public Task<Technician> SetActive(bool active, Actor actor) =>
        Commit(TechnicianRules.SetActive(Existing(actor), active, clock.GetUtcNow()));

    private Technician Existing(Actor actor)
    {
        var (tenant, id) = Key;
        GrainGuards.EnsureSameTenant(tenant, actor);
        return state.State.Technician ?? throw DomainException.NotFound("Technician", id);
    }

    private async Task<Technician> Commit(Technician next)
    {
        if (ReferenceEquals(next, state.State.Technician))
        {
            return next;
        }

        var previous = state.State.Technician;
        state.State.Technician = next;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State.Technician = previous;
            DeactivateOnIdle();
            throw;
        }

        return next;
    }
}
