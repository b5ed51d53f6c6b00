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
    private bool _writing;
    private TaskCompletionSource? _nextWrite;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Onboarding a fleet adds thousands of ids in a burst: write the set on a throttle, not once per id. The timer
        // interleaves with the Enroll calls waiting for it.
        var every = options.Value.PersistInterval;
        this.RegisterGrainTimer(PersistAsync, new GrainTimerCreationOptions(every, every) { Interleave = true });
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => PersistAsync(cancellationToken);

    public Task Enroll(string technicianId)
    {
        _dirty |= state.State.TechnicianIds.Add(technicianId);
        if (!_dirty && !_writing)
            return Task.CompletedTask;
        // Not yet stored (new, or added before a write that has not happened or is under way): wait for the next write.
        _nextWrite ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _nextWrite.Task;
    }

    public Task<string[]> List() => Task.FromResult(state.State.TechnicianIds.ToArray());

    private async Task PersistAsync(CancellationToken cancellationToken)
    {
        if (!_dirty || _writing)
            return;
        _dirty = false;
        _writing = true;
        var waiting = _nextWrite;
        _nextWrite = null;
        try
        {
            await state.WriteStateAsync(cancellationToken);
            waiting?.TrySetResult();
        }
        catch (Exception ex)
        {
            _dirty = true;
            waiting?.TrySetException(ex);
            throw;
        }
        finally
        {
            _writing = false;
        }
    }
}
