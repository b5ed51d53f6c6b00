using System.Collections.Immutable;
using Dispatch.Domain.Scheduling;

namespace Dispatch.Domain.Matching;

public enum MatchExclusionKind
{
    Inactive,
    NotFieldTechnician,
    MissingSkill,
    MissingCertification,
    /// <summary>Held, but lapsed already or lapsing before the job ends.</summary>
    ExpiredCertification,
    ScheduleConflict,
    AtCapacity,
}

/// <summary>Why a technician cannot take the work order.</summary>
[GenerateSerializer, Immutable, Alias("Dispatch.MatchExclusion")]
public sealed record MatchExclusion(
    [property: Id(0)] MatchExclusionKind Kind,
    [property: Id(1)] string Reason);

/// <summary>Where the travel estimate starts from.</summary>
public enum TravelOrigin
{
    /// <summary>The job site is unknown, so no estimate.</summary>
    Unknown,
    CurrentLocation,
    PreviousJob,
    HomeBase,
}

/// <summary>Each component between 0 (worst) and 1 (best).</summary>
[GenerateSerializer, Immutable, Alias("Dispatch.MatchScores")]
public readonly record struct MatchScores(
    [property: Id(0)] double Travel,
    [property: Id(1)] double Availability,
    [property: Id(2)] double Skills,
    [property: Id(3)] double Workload);

/// <summary>One technician's fit for a work order, with enough detail to explain the ranking.</summary>
[GenerateSerializer, Immutable, Alias("Dispatch.MatchResult")]
public sealed record MatchResult
{
    [Id(0)] public required string TechnicianId { get; init; }
    [Id(1)] public required string TechnicianName { get; init; }
    [Id(2)] public ImmutableArray<MatchExclusion> Exclusions { get => field.IsDefault ? [] : field; init; } = [];
    [Id(3)] public MatchScores Scores { get; init; }
    /// <summary>Weighted sum of the components, 0–100; zero for excluded technicians.</summary>
    [Id(4)] public double Total { get; init; }
    [Id(5)] public TimeSpan? TravelTime { get; init; }
    [Id(6)] public TravelOrigin TravelOrigin { get; init; }
    /// <summary>The free time around the window, when the window is free.</summary>
    [Id(7)] public TimeWindow? FreeTime { get; init; }
    [Id(8)] public ImmutableArray<ScheduleConflict> Conflicts { get => field.IsDefault ? [] : field; init; } = [];
    /// <summary>One line for the dispatcher: "12 min away, free 10:00–12:00, has pump-repair, 2 active orders".</summary>
    [Id(9)] public required string Reason { get; init; }

    public bool IsEligible => Exclusions.IsEmpty;
}
