using System.Collections.Immutable;
using Dispatch.Domain.Scheduling;

namespace Dispatch.Domain.WorkOrders;

public enum AssignmentRole { Primary = 0, Supporting = 1 }

/// <summary>
/// A technician on a work order. <see cref="UserId"/> is copied from the technician's profile when assigned, so the
/// work order can tell, without another call, whether a Technician-role caller is one of its technicians.
/// </summary>
[GenerateSerializer, Immutable, Alias("Dispatch.AssignedTechnician")]
public sealed record AssignedTechnician(
    [property: Id(0)] string TechnicianId,
    [property: Id(1)] string Name,
    [property: Id(2)] AssignmentRole Role,
    [property: Id(3)] string? UserId = null);

/// <summary>One primary owner and any supporting technicians, primary first.</summary>
[GenerateSerializer, Immutable, Alias("Dispatch.Assignment")]
public sealed record Assignment
{
    [Id(0)] public ImmutableArray<AssignedTechnician> Technicians { get => field.IsDefault ? [] : field; init; } = [];

    // Methods rather than properties: the grain-state JSON serializer writes every public property.
    public AssignedTechnician GetPrimary() => Technicians.First(t => t.Role == AssignmentRole.Primary);

    public bool Includes(string technicianId) => Technicians.Any(t => t.TechnicianId == technicianId);

    public ImmutableArray<string> GetTechnicianIds() => [.. Technicians.Select(t => t.TechnicianId)];
}

public enum AssignmentChangeKind { Assigned = 0, Reassigned = 1, Unassigned = 2 }

/// <summary>One line of the assignment history: the original assignment and every change, who made it and when.</summary>
[GenerateSerializer, Immutable, Alias("Dispatch.AssignmentChange")]
public sealed record AssignmentChange(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string ActorId,
    [property: Id(2)] string ActorName,
    [property: Id(3)] AssignmentChangeKind Kind,
    [property: Id(4)] ImmutableArray<AssignedTechnician> From,
    [property: Id(5)] ImmutableArray<AssignedTechnician> To,
    [property: Id(6)] string? Reason = null);

/// <summary>
/// A visit to the site: when the dispatch is sent, the arrival window promised to the customer and the time the
/// technicians' calendars hold for it.
/// </summary>
/// <remarks>
/// The booked window starts at the start of the arrival window and lasts the estimated duration, and always covers the
/// whole arrival window: the technician plans to arrive at its start, and the window absorbs slippage for the customer
/// without promising the same technician elsewhere.
/// </remarks>
[GenerateSerializer, Immutable, Alias("Dispatch.ScheduledVisit")]
public sealed record ScheduledVisit
{
    /// <summary>1 for the first visit, 2 for the first return visit, ...</summary>
    [Id(0)] public required int Number { get; init; }
    /// <summary>The dispatch time: when the technicians are (or were to be) told.</summary>
    [Id(1)] public required DateTimeOffset SendAt { get; init; }
    /// <summary>When the dispatch was actually sent; null while a scheduled dispatch waits for its time.</summary>
    [Id(2)] public DateTimeOffset? SentAt { get; init; }
    [Id(3)] public required TimeWindow ArrivalWindow { get; init; }
    [Id(4)] public required TimeWindow BookedWindow { get; init; }
    [Id(5)] public required TimeSpan EstimatedDuration { get; init; }
    /// <summary>Instructions for this visit (access codes, directions); shown in the technician's app.</summary>
    [Id(6)] public string? Notes { get; init; }

    public static TimeWindow BookedWindowFor(TimeWindow arrival, TimeSpan estimatedDuration)
    {
        var end = arrival.Start + estimatedDuration;
        return new TimeWindow(arrival.Start, end > arrival.End ? end : arrival.End);
    }
}

/// <summary>What an Awaiting Parts order waits for.</summary>
[GenerateSerializer, Immutable, Alias("Dispatch.PartsOrder")]
public sealed record PartsOrder(
    [property: Id(0)] string Supplier,
    [property: Id(1)] string? TrackingNumber = null,
    [property: Id(2)] DateTimeOffset? ExpectedAt = null,
    [property: Id(3)] string? Note = null);
