using System.Collections.Immutable;
using Dispatch.Domain.Geo;
using Dispatch.Domain.Matching;
using Dispatch.Domain.Scheduling;

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
    /// <summary>Regular hours in <see cref="TimeZoneId"/>; null means Monday to Friday, 08:00-17:00.</summary>
    [Id(9)] public ImmutableArray<WorkingShift>? WorkingHours { get; init; }
    /// <summary>Limits on active work orders and booked time per day; null means no limits.</summary>
    [Id(10)] public TechnicianCapacity? Capacity { get; init; }
}

/// <summary>A profile edit: null fields stay as they are.</summary>
[GenerateSerializer, Immutable, Alias("Dispatch.TechnicianUpdate")]
public sealed record TechnicianUpdate
{
    [Id(0)] public string? Name { get; init; }
    [Id(1)] public string? Phone { get; init; }
    [Id(2)] public string? Email { get; init; }
    [Id(3)] public bool? IsField { get; init; }
    [Id(4)] public ImmutableArray<string>? Skills { get; init; }
    [Id(5)] public ImmutableArray<Certification>? Certifications { get; init; }
    [Id(6)] public GeoPoint? HomeBase { get; init; }
    [Id(7)] public string? TimeZoneId { get; init; }
    [Id(8)] public string? UserId { get; init; }
}

/// <summary>A position report from the technician's device or the tracking pipeline.</summary>
[GenerateSerializer, Immutable, Alias("Dispatch.TechnicianPosition")]
public sealed record TechnicianPosition(
    [property: Id(0)] GeoPoint Point,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] double? SpeedKmh = null,
    [property: Id(3)] double? Heading = null);

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
    /// <summary>Regular working hours, local to <see cref="TimeZoneId"/>.</summary>
    [Id(15)] public ImmutableArray<WorkingShift> WorkingHours { get => field.IsDefault ? [] : field; init; } = [];
    [Id(16)] public TechnicianCapacity Capacity { get => field ?? TechnicianCapacity.Unlimited; init; } = TechnicianCapacity.Unlimited;
    /// <summary>Who made the last profile change (user id), for the audit trail.</summary>
    [Id(17)] public string? UpdatedBy { get; init; }
}
