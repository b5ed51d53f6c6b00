using System.Collections.Immutable;
using Dispatch.Domain.Geo;
using Dispatch.Domain.Matching;

namespace Dispatch.Domain.Technicians;

/// <summary>What a dispatcher enters about a technician.</summary>
[GenerateSerializer, Immutable, Alias("Dispatch.NewTechnician")]
public sealed record NewTechnician
{
    [Id(0)] public required string Name { get; init; }
    [Id(1)] public string? Phone { get; init; }
    [Id(2)] public string? Email { get; init; }
    /// <summary>The product's "Field role": without it a person cannot be dispatched.</summary>
    [Id(3)] public bool IsField { get; init; } = true;
    [Id(4)] public ImmutableArray<string> Skills { get; init; } = [];
    [Id(5)] public ImmutableArray<Certification> Certifications { get; init; } = [];
    [Id(6)] public GeoPoint? HomeBase { get; init; }
    /// <summary>IANA time-zone id; working hours are local to it.</summary>
    [Id(7)] public string TimeZoneId { get; init; } = "UTC";
    /// <summary>The user id the technician signs in with, so the mobile app finds "my work".</summary>
    [Id(8)] public string? UserId { get; init; }
}

/// <summary>A technician as their grain holds it.</summary>
[GenerateSerializer, Immutable, Alias("Dispatch.Technician")]
public sealed record Technician
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string Tenant { get; init; }
    [Id(2)] public required string Name { get; init; }
    [Id(3)] public string? Phone { get; init; }
    [Id(4)] public string? Email { get; init; }
    [Id(5)] public bool IsField { get; init; } = true;
    [Id(6)] public bool Active { get; init; } = true;
    [Id(7)] public ImmutableArray<string> Skills { get; init; } = [];
    [Id(8)] public ImmutableArray<Certification> Certifications { get; init; } = [];
    [Id(9)] public GeoPoint? HomeBase { get; init; }
    [Id(10)] public string TimeZoneId { get; init; } = "UTC";
    [Id(11)] public string? UserId { get; init; }
    [Id(12)] public DateTimeOffset CreatedAt { get; init; }
    [Id(13)] public DateTimeOffset UpdatedAt { get; init; }
    [Id(14)] public long Version { get; init; }
}
