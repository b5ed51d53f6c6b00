namespace Dispatch.Grains.Tests.Storage;

/// <summary>Test-only grain: persistent state on the default storage provider, plus a reminder that records its ticks.</summary>
[Alias("Dispatch.Grains.Tests.Storage.IStorageProbeGrain")]
public interface IStorageProbeGrain : IGrainWithStringKey
{
    [Alias("SetValue")]
    Task SetValue(string value);

    [Alias("GetValue")]
    Task<string?> GetValue();

    [Alias("ScheduleReminder")]
    Task ScheduleReminder(string name, TimeSpan dueTime, TimeSpan period);

    [Alias("GetTicks")]
    Task<ProbeTicks> GetTicks();
}

[GenerateSerializer, Immutable, Alias("Dispatch.Grains.Tests.Storage.ProbeTicks")]
public sealed record ProbeTicks([property: Id(0)] int Count, [property: Id(1)] DateTime? LastTickUtc);

/// <summary>Stored with the grain storage serializer, so plain settable properties.</summary>
[GenerateSerializer, Alias("Dispatch.Grains.Tests.Storage.ProbeState")]
public sealed class ProbeState
{
    [Id(0)]
    public string? Value { get; set; }

    [Id(1)]
    public int Ticks { get; set; }

    [Id(2)]
    public DateTime? LastTickUtc { get; set; }
}

public sealed class StorageProbeGrain([PersistentState("state")] IPersistentState<ProbeState> state) : Grain, IStorageProbeGrain, IRemindable
{
    public Task SetValue(string value)
    {
        state.State.Value = value;
        return state.WriteStateAsync();
    }

    public Task<string?> GetValue() => Task.FromResult(state.State.Value);

    public Task ScheduleReminder(string name, TimeSpan dueTime, TimeSpan period) =>
        this.RegisterOrUpdateReminder(name, dueTime, period);

    public Task<ProbeTicks> GetTicks() => Task.FromResult(new ProbeTicks(state.State.Ticks, state.State.LastTickUtc));

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        state.State.Ticks++;
        state.State.LastTickUtc = DateTime.UtcNow;
        return state.WriteStateAsync();
    }
}
