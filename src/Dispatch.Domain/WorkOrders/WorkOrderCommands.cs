using System.Collections.Immutable;
using Dispatch.Domain.Scheduling;

namespace Dispatch.Domain.WorkOrders;

/// <summary>What a dispatcher fills in to open a work order.</summary>
[GenerateSerializer, Immutable, Alias("Dispatch.NewWorkOrder")]
public sealed record NewWorkOrder
{
    [Id(0)] public required string Title { get; init; }
    [Id(1)] public string? Description { get; init; }
    [Id(2)] public string? Type { get; init; }
    [Id(3)] public Priority Priority { get; init; } = Priority.Normal;
    [Id(4)] public required Customer Customer { get; init; }
    [Id(5)] public required Site Site { get; init; }
    [Id(6)] public Asset? Asset { get; init; }
    [Id(7)] public DateTimeOffset? SlaDueAt { get; init; }
    [Id(8)] public ImmutableArray<string> RequiredSkills { get; init; } = [];
    [Id(9)] public ImmutableArray<string> RequiredCertifications { get; init; } = [];
    [Id(10)] public TimeSpan EstimatedDuration { get; init; } = TimeSpan.FromHours(1);
    [Id(11)] public string? SpecialInstructions { get; init; }
}

/// <summary>A status change with what the product asks to record alongside it.</summary>
/// <param name="Parts">Required when moving to Awaiting Parts: the supplier, tracking number and expected date.</param>
[GenerateSerializer, Immutable, Alias("Dispatch.StatusChange")]
public sealed record StatusChange(
    [property: Id(0)] WorkOrderStatus To,
    [property: Id(1)] string? Note = null,
    [property: Id(2)] PartsOrder? Parts = null);

/// <summary>What a dispatcher fills in on the dispatch form.</summary>
[GenerateSerializer, Immutable, Alias("Dispatch.DispatchRequest")]
public sealed record DispatchRequest
{
    /// <summary>One or several technicians; the primary is <see cref="PrimaryTechnicianId"/>, else the first.</summary>
    [Id(0)] public required ImmutableArray<string> TechnicianIds { get; init; }
    [Id(1)] public string? PrimaryTechnicianId { get; init; }
    /// <summary>When to send the dispatch; null or not in the future means now. The slot is reserved at once either way.</summary>
    [Id(2)] public DateTimeOffset? DispatchAt { get; init; }
    /// <summary>The arrival window promised to the customer; defaults to the dispatch time plus the estimated duration.</summary>
    [Id(3)] public TimeWindow? ArrivalWindow { get; init; }
    /// <summary>Overrides the work order's estimate for this visit.</summary>
    [Id(4)] public TimeSpan? EstimatedDuration { get; init; }
    [Id(5)] public string? Notes { get; init; }
    /// <summary>Book despite schedule conflicts (overlaps, absences, hours, travel). Needs <see cref="OverrideReason"/>.</summary>
    [Id(6)] public bool OverrideConflicts { get; init; }
    /// <summary>Book despite capacity limits (active orders, hours per day). Needs <see cref="OverrideReason"/>.</summary>
    [Id(7)] public bool OverrideCapacity { get; init; }
    /// <summary>Why the dispatcher overrides; recorded in the timeline.</summary>
    [Id(8)] public string? OverrideReason { get; init; }
}

/// <summary>Move a dispatched work order to other technicians or another primary, optionally to another time.</summary>
[GenerateSerializer, Immutable, Alias("Dispatch.ReassignRequest")]
public sealed record ReassignRequest
{
    [Id(0)] public required ImmutableArray<string> TechnicianIds { get; init; }
    [Id(1)] public string? PrimaryTechnicianId { get; init; }
    /// <summary>Optional: why (sick call, emergency elsewhere, customer rescheduled, skills mismatch).</summary>
    [Id(2)] public string? Reason { get; init; }
    /// <summary>Optional new arrival window (the customer rescheduled); otherwise the visit keeps its time.</summary>
    [Id(3)] public TimeWindow? ArrivalWindow { get; init; }
    [Id(4)] public TimeSpan? EstimatedDuration { get; init; }
    [Id(5)] public bool OverrideConflicts { get; init; }
    [Id(6)] public bool OverrideCapacity { get; init; }
    [Id(7)] public string? OverrideReason { get; init; }
}

public enum DispatchOutcome
{
    /// <summary>Reserved and sent: the work order is Dispatched and the technicians are told.</summary>
    Dispatched = 0,
    /// <summary>Reserved now, sent at the dispatch time (a durable timer sends it, across restarts).</summary>
    Scheduled = 1,
    /// <summary>Nothing changed: at least one technician's schedule conflicts. Override, pick someone else, or move the time.</summary>
    Conflicts = 2,
    /// <summary>Reassigned: the old slots are released and the new ones held.</summary>
    Reassigned = 3,
}

/// <summary>Every conflict one technician's schedule has with the proposed visit.</summary>
[GenerateSerializer, Immutable, Alias("Dispatch.TechnicianConflicts")]
public sealed record TechnicianConflicts(
    [property: Id(0)] string TechnicianId,
    [property: Id(1)] string TechnicianName,
    [property: Id(2)] ImmutableArray<ScheduleConflict> Conflicts);

/// <summary>
/// The answer to a dispatch or reassignment. With <see cref="DispatchOutcome.Conflicts"/> the work order is unchanged
/// and <see cref="Conflicts"/> lists every conflicting appointment of every technician; otherwise it lists what was
/// overridden (empty when nothing was).
/// </summary>
[GenerateSerializer, Immutable, Alias("Dispatch.DispatchResult")]
public sealed record DispatchResult(
    [property: Id(0)] DispatchOutcome Outcome,
    [property: Id(1)] WorkOrder WorkOrder,
    [property: Id(2)] ImmutableArray<TechnicianConflicts> Conflicts);
