using System.Collections.Immutable;
using Dispatch.Domain.Geo;

namespace Dispatch.Domain.Scheduling;

/// <summary>A work order asking one technician's calendar for time.</summary>
[GenerateSerializer, Immutable, Alias("Dispatch.ReservationRequest")]
public sealed record ReservationRequest
{
    [Id(0)] public required string WorkOrderId { get; init; }
    [Id(1)] public required TimeWindow Window { get; init; }
    [Id(2)] public GeoPoint? Site { get; init; }
    [Id(3)] public BookingKind Kind { get; init; } = BookingKind.Primary;
    /// <summary>Book despite overlaps, absences, hours and travel time.</summary>
    [Id(4)] public bool OverrideConflicts { get; init; }
    /// <summary>Book despite the active-order and hours-per-day limits.</summary>
    [Id(5)] public bool OverrideCapacity { get; init; }
}

public enum ReservationStatus
{
    Reserved = 0,
    /// <summary>Not booked: the schedule conflicts and the conflicts were not overridden.</summary>
    Conflicts = 1,
    /// <summary>Not booked: a guard refused (inactive, no Field role, at capacity); see the error code.</summary>
    Refused = 2,
}

/// <summary>
/// What the technician's grain answered. Carries the technician's name and user id so the work order can record the
/// assignment without a second call.
/// </summary>
[GenerateSerializer, Immutable, Alias("Dispatch.ReservationOutcome")]
public sealed record ReservationOutcome
{
    [Id(0)] public required ReservationStatus Status { get; init; }
    [Id(1)] public required string TechnicianId { get; init; }
    [Id(2)] public required string TechnicianName { get; init; }
    [Id(3)] public string? UserId { get; init; }
    /// <summary>Every conflict found; when reserved, the ones that were overridden.</summary>
    [Id(4)] public ImmutableArray<ScheduleConflict> Conflicts { get => field.IsDefault ? [] : field; init; } = [];
    /// <summary>For <see cref="ReservationStatus.Refused"/>: one of <see cref="Common.ErrorCodes"/>.</summary>
    [Id(5)] public string? ErrorCode { get; init; }
    [Id(6)] public string? Message { get; init; }

    public bool IsReserved => Status == ReservationStatus.Reserved;
}
