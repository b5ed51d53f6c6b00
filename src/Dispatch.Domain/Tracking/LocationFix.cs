using Dispatch.Domain.Geo;

namespace Dispatch.Domain.Tracking;

/// <summary>
/// A fix as a device or app sent it, before any rule ran: every field may be missing or absurd. Units are the ones our
/// JSON API documents (metres, metres per second, degrees, percent); protocol adapters convert before building one.
/// </summary>
[GenerateSerializer, Immutable, Alias("Dispatch.FixInput")]
public readonly record struct FixInput
{
    [Id(0)] public double? Latitude { get; init; }
    [Id(1)] public double? Longitude { get; init; }
    [Id(2)] public DateTimeOffset? Timestamp { get; init; }
    [Id(3)] public double? AccuracyMeters { get; init; }
    [Id(4)] public double? SpeedMetersPerSecond { get; init; }
    [Id(5)] public double? HeadingDegrees { get; init; }
    [Id(6)] public double? AltitudeMeters { get; init; }
    [Id(7)] public double? BatteryPercent { get; init; }
}

/// <summary>A validated position report: where a technician's device was at an instant, and how sure it was.</summary>
[GenerateSerializer, Immutable, Alias("Dispatch.LocationFix")]
public sealed record LocationFix
{
    [Id(0)] public required GeoPoint Position { get; init; }
    [Id(1)] public required DateTimeOffset Timestamp { get; init; }
    [Id(2)] public double? AccuracyMeters { get; init; }
    [Id(3)] public double? SpeedMetersPerSecond { get; init; }
    [Id(4)] public double? HeadingDegrees { get; init; }
    [Id(5)] public double? AltitudeMeters { get; init; }
    [Id(6)] public double? BatteryPercent { get; init; }

    /// <summary>
    /// Which source reported it (a device id, or <c>app:{userId}</c> for the mobile app): a duplicate is the same source
    /// reporting the same instant twice, while two sources may legitimately report the same instant.
    /// </summary>
    [Id(7)] public required string Source { get; init; }
}

/// <summary>
/// A technician's position as the live map shows it, and the message the fan-out carries. The tenant travels with it so
/// every host can keep tenants apart without looking anything up.
/// </summary>
[GenerateSerializer, Immutable, Alias("Dispatch.LocationUpdate")]
public sealed record LocationUpdate(
    [property: Id(0)] string Tenant,
    [property: Id(1)] string TechnicianId,
    [property: Id(2)] LocationFix Fix)
{
    /// <summary>When the update entered its silo's fan-out (set by its silo's LocationPublisher): the start of the fan-out lag metric.</summary>
    [Id(3)] public DateTimeOffset EnteredFanOutAt { get; init; }

    /// <summary>"Newer wins" for everything that keeps only the latest position per technician.</summary>
    public bool IsNewerThan(LocationUpdate other) => Fix.Timestamp > other.Fix.Timestamp;
}
