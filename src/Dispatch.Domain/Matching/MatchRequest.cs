using System.Collections.Immutable;
using Dispatch.Domain.Geo;
using Dispatch.Domain.Scheduling;

namespace Dispatch.Domain.Matching;

/// <summary>The work order to find a technician for.</summary>
[GenerateSerializer, Immutable, Alias("Dispatch.MatchRequest")]
public sealed record MatchRequest
{
    [Id(0)] public required string WorkOrderId { get; init; }
    [Id(1)] public required TimeWindow Window { get; init; }
    /// <summary>The job site; unknown (not yet geocoded) makes travel neutral for every candidate.</summary>
    [Id(2)] public GeoPoint? Site { get; init; }
    [Id(3)] public ImmutableArray<string> RequiredSkills { get => field.IsDefault ? [] : field; init; } = [];
    /// <summary>Nice to have: raises the skill score, never excludes.</summary>
    [Id(4)] public ImmutableArray<string> PreferredSkills { get => field.IsDefault ? [] : field; init; } = [];
    /// <summary>Each must be held and valid until the window ends.</summary>
    [Id(5)] public ImmutableArray<string> RequiredCertifications { get => field.IsDefault ? [] : field; init; } = [];
    /// <summary>"Now" for location freshness and certificate expiry; passed in so scoring is repeatable.</summary>
    [Id(6)] public required DateTimeOffset AsOf { get; init; }
}
