using Microsoft.Extensions.Options;

namespace Dispatch.Grains.Tracking;

[GenerateSerializer, Alias("Dispatch.TrackedFleetState")]
public sealed class TrackedFleetState
{
    [Id(0)] public HashSet<string> TechnicianIds { get; set; } = new(StringComparer.Ordinal);
}

/// <inheritdoc cref="ITrackedFleetGrain"/>
public sealed class TrackedFleetGrain(
    [PersistentState("fleet")] IPersistentState<TrackedFleetState> state,
    IOptions<TrackingOptions> options) : Grain, ITrackedFleetGrain
{
    private bool _dirty;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Onboarding a fleet adds thousands of ids in a burst: write the set on a throttle, not once per id. A lost id
        // comes back the next time that technician's location grain activates.
        var every = options.Value.PersistInterval;
        this.RegisterGrainTimer(PersistAsync, new GrainTimerCreationOptions(every, every));
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => PersistAsync(cancellationToken);

    public Task Add(string technicianId)
    {
        _dirty |= state.State.TechnicianIds.Add(technicianId);
        return Task.CompletedTask;
    }

    public Task<string[]> List() => Task.FromResult(state.State.TechnicianIds.ToArray());

    private async Task PersistAsync(CancellationToken cancellationToken)
    {
        if (!_dirty)
            return;
        _dirty = false;
        try
        {
            await state.WriteStateAsync(cancellationToken);
        }
        catch
        {
            _dirty = true;
            throw;
        }
    }
}
