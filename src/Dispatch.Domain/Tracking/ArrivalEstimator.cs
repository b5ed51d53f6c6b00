using Dispatch.Domain.Geo;

namespace Dispatch.Domain.Tracking;

/// <summary>Live ETA settings, bound from <c>Dispatch:Tracking:Eta</c>.</summary>
public sealed class EtaOptions
{
    /// <summary>Road distance over straight-line distance: roads are never straight.</summary>
    public double RoadFactor { get; set; } = TravelEstimator.DefaultRoadFactor;

    /// <summary>
    /// The speed assumed when the fix gives none worth trusting (no speed, stopped at a light, an absurd value). Urban,
    /// because an en-route technician who is not moving is usually stuck in town traffic, not on a free highway.
    /// </summary>
    public double DefaultSpeedKmh { get; set; } = 30;

    /// <summary>Below this the technician counts as stopped: a standstill says nothing about how fast the rest of the drive goes.</summary>
    public double MinMovingSpeedMetersPerSecond { get; set; } = 2;

    /// <summary>Above this (≈ 160 km/h) the reported speed is a glitch, not a drive.</summary>
    public double MaxPlausibleSpeedMetersPerSecond { get; set; } = 45;

    /// <summary>Within this straight-line distance of the site the technician has arrived (the geofence).</summary>
    public double ArrivalRadiusMeters { get; set; } = 150;

    /// <summary>A position older than this says too little about where the technician is now: no ETA from it.</summary>
    public TimeSpan MaxFixAge { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>A new ETA reaches the work order only when it moved at least this much (or late risk or arrival flipped).</summary>
    public TimeSpan MinChange { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>At most one ETA update per work order this often, however fast fixes come.</summary>
    public TimeSpan ReportEvery { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>Where an en-route technician is heading: the site, and for the work order's primary technician the order and its promise.</summary>
/// <param name="WorkOrderId">Set for the technician whose position drives the work order's ETA (the primary); null for the others.</param>
/// <param name="ArrivalWindowEnd">The end of the arrival window promised to the customer, when there is one.</param>
[GenerateSerializer, Immutable, Alias("Dispatch.TravelDestination")]
public sealed record TravelDestination(
    [property: Id(0)] GeoPoint Site,
    [property: Id(1)] string? WorkOrderId = null,
    [property: Id(2)] DateTimeOffset? ArrivalWindowEnd = null);

/// <summary>An estimated arrival, computed from one fix.</summary>
/// <param name="ArrivesAt">When the technician is expected on site (the fix's time when already inside the geofence).</param>
/// <param name="DistanceMeters">Estimated road distance left (0 once inside the geofence).</param>
/// <param name="BasedOnFixAt">The timestamp of the fix the estimate comes from.</param>
/// <param name="LateRisk">The expected arrival is after the end of the arrival window.</param>
/// <param name="Arrived">The fix is inside the site's geofence.</param>
[GenerateSerializer, Immutable, Alias("Dispatch.ArrivalEstimate")]
public sealed record ArrivalEstimate(
    [property: Id(0)] DateTimeOffset ArrivesAt,
    [property: Id(1)] double DistanceMeters,
    [property: Id(2)] DateTimeOffset BasedOnFixAt,
    [property: Id(3)] bool LateRisk,
    [property: Id(4)] bool Arrived);

/// <summary>What to do with a freshly computed ETA.</summary>
public enum EtaReportDecision
{
    /// <summary>Nothing the work order needs to hear: it moved less than <see cref="EtaOptions.MinChange"/>.</summary>
    Skip,
    /// <summary>Tell the work order now.</summary>
    Send,
    /// <summary>Worth telling, but the last update was too recent: tell it once <see cref="EtaOptions.ReportEvery"/> has passed.</summary>
    Later,
}

/// <summary>
/// Live ETA for an en-route technician: great-circle distance times a road factor, at the fix's speed when the technician
/// is moving at a plausible speed, else at a default urban speed. Crude on purpose — it runs on fixes, not in a routing
/// engine — and honest about it: a stale position gives no estimate at all.
/// </summary>
public static class ArrivalEstimator
{
    /// <summary>The estimate from <paramref name="fix"/>, or null when the fix is too old to say where the technician is.</summary>
    public static ArrivalEstimate? Estimate(LocationFix fix, TravelDestination destination, DateTimeOffset now, EtaOptions options)
    {
        ArgumentNullException.ThrowIfNull(fix);
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(options);
        if (now - fix.Timestamp > options.MaxFixAge)
            return null;

        var straightMeters = fix.Position.DistanceKmTo(destination.Site) * 1000;
        if (straightMeters <= options.ArrivalRadiusMeters)
            return new ArrivalEstimate(fix.Timestamp, 0, fix.Timestamp, IsLate(fix.Timestamp, destination.ArrivalWindowEnd), Arrived: true);

        var roadMeters = straightMeters * Math.Max(1, options.RoadFactor);
        var speed = fix.SpeedMetersPerSecond is { } s && s >= options.MinMovingSpeedMetersPerSecond && s <= options.MaxPlausibleSpeedMetersPerSecond
            ? s
            : options.DefaultSpeedKmh / 3.6;
        // Whole seconds: finer is noise. Counted from the fix, not from now (the technician drove on since), but never
        // before now: an ETA in the past would only say "any moment".
        var arrivesAt = fix.Timestamp + TimeSpan.FromSeconds(Math.Round(roadMeters / speed));
        if (arrivesAt < now)
            arrivesAt = now;
        return new ArrivalEstimate(arrivesAt, Math.Round(roadMeters), fix.Timestamp, IsLate(arrivesAt, destination.ArrivalWindowEnd), Arrived: false);
    }

    /// <summary>Late risk: arriving after the arrival window ends. No window, no promise to break.</summary>
    public static bool IsLate(DateTimeOffset arrivesAt, DateTimeOffset? windowEnd) => windowEnd is { } end && arrivesAt > end;

    /// <summary>
    /// Whether <paramref name="next"/> is worth a call to the work order: the first estimate, an ETA moved by at least
    /// <see cref="EtaOptions.MinChange"/>, or late risk or arrival flipped — and then at most once per <see cref="EtaOptions.ReportEvery"/>.
    /// </summary>
    public static EtaReportDecision Decide(ArrivalEstimate? lastSent, DateTimeOffset? lastSentAt, ArrivalEstimate next, DateTimeOffset now, EtaOptions options)
    {
        ArgumentNullException.ThrowIfNull(next);
        var matters = lastSent is null
            || (next.ArrivesAt - lastSent.ArrivesAt).Duration() >= options.MinChange
            || next.LateRisk != lastSent.LateRisk
            || next.Arrived != lastSent.Arrived;
        if (!matters)
            return EtaReportDecision.Skip;
        return lastSentAt is { } at && now - at < options.ReportEvery ? EtaReportDecision.Later : EtaReportDecision.Send;
    }
}
