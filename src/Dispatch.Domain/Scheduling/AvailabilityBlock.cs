namespace Dispatch.Domain.Scheduling;

public enum AvailabilityKind
{
    Pto,
    Training,
    /// <summary>
    /// On-call duty. Unlike the other kinds this is availability, not absence: the technician is reachable for
    /// emergencies, so an on-call window never conflicts with work and counts as working time, which lets an
    /// urgent job be dispatched to the on-call technician outside their regular hours.
    /// </summary>
    OnCall,
    Other,
}

/// <summary>
/// A span the technician's availability differs from their working hours: time off, training, on-call duty.
/// The window may cross midnight or last several days.
/// </summary>
[GenerateSerializer, Immutable, Alias("Dispatch.AvailabilityBlock")]
public sealed record AvailabilityBlock
{
    public AvailabilityBlock(string id, AvailabilityKind kind, TimeWindow window, string? note = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        if (window.End <= window.Start)
            throw new ArgumentException("An availability block needs a non-empty time window.", nameof(window));
        if (!Enum.IsDefined(kind))
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown availability kind.");
        Id = id;
        Kind = kind;
        Window = window;
        Note = note;
    }

    /// <summary>Identifies the block within its technician's schedule, so it can be edited or removed.</summary>
    [Id(0)] public string Id { get; }
    [Id(1)] public AvailabilityKind Kind { get; }
    [Id(2)] public TimeWindow Window { get; }
    [Id(3)] public string? Note { get; }

    /// <summary>Whether work booked inside this block conflicts with it.</summary>
    public bool BlocksWork => Kind != AvailabilityKind.OnCall;
}
