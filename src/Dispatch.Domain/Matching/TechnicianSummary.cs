using System.Collections.Immutable;
using Dispatch.Domain.Geo;
using Dispatch.Domain.Scheduling;

namespace Dispatch.Domain.Matching;

/// <summary>
/// What best-match needs to know about one technician: kept in the in-memory technician index and refreshed
/// by the technician's grain, so a suggestion never has to call a hundred thousand grains.
/// </summary>
[GenerateSerializer, Immutable, Alias("Dispatch.TechnicianSummary")]
public sealed record TechnicianSummary
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string Name { get; init; }
    [Id(2)] public bool IsActive { get; init; } = true;
    /// <summary>Holds the Field (technician) role; only field staff are dispatched to sites.</summary>
    [Id(3)] public bool IsField { get; init; } = true;
    /// <summary>Skill names, compared case-insensitively.</summary>
    [Id(4)] public ImmutableArray<string> Skills { get => field.IsDefault ? [] : field; init; } = [];
    [Id(5)] public ImmutableArray<Certification> Certifications { get => field.IsDefault ? [] : field; init; } = [];
    /// <summary>
    /// Where the technician starts from when nothing fresher is known (home or depot). Null when unknown: travel from it
    /// is then unknown too, which scores neutral.
    /// </summary>
    [Id(6)] public required GeoPoint? HomeBase { get; init; }
    [Id(7)] public GeoPoint? LastLocation { get; init; }
    [Id(8)] public DateTimeOffset? LastLocationAt { get; init; }
    /// <summary>Work orders dispatched and not yet finished, across all days.</summary>
    [Id(9)] public int ActiveWorkOrders { get; init; }
    /// <summary>Working time booked on the dispatch day (the index refreshes it as days roll over).</summary>
    [Id(10)] public TimeSpan BookedToday { get; init; }
    [Id(11)] public required TechnicianSchedule Schedule { get; init; }
    /// <summary>The user id the technician signs in with (for "my work" and the Technician-role guard).</summary>
    [Id(12)] public string? UserId { get; init; }
}
