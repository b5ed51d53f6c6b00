using Dispatch.Domain.Geo;

namespace Dispatch.Domain.Tracking;

/// <summary>Why a fix was refused. Stable codes: device authors branch on them (docs/devices.md).</summary>
public static class FixRejectionCodes
{
    public const string MissingPosition = "MISSING_POSITION";
    public const string InvalidCoordinates = "INVALID_COORDINATES";
    public const string MissingTimestamp = "MISSING_TIMESTAMP";
    public const string TimestampInFuture = "TIMESTAMP_IN_FUTURE";
    public const string TimestampTooOld = "TIMESTAMP_TOO_OLD";
    public const string InvalidAccuracy = "INVALID_ACCURACY";
    public const string InvalidSpeed = "INVALID_SPEED";
    public const string InvalidHeading = "INVALID_HEADING";
    public const string InvalidAltitude = "INVALID_ALTITUDE";
    public const string InvalidBattery = "INVALID_BATTERY";
}

/// <summary>One refused fix of a batch: its position in the batch, the code, and a sentence for people.</summary>
[GenerateSerializer, Immutable, Alias("Dispatch.FixRejection")]
public sealed record FixRejection(
    [property: Id(0)] int Index,
    [property: Id(1)] string Code,
    [property: Id(2)] string Message);

/// <summary>The limits a fix must respect. Bound from <c>Dispatch:Tracking:Limits</c>.</summary>
public sealed class FixLimits
{
    /// <summary>Device clocks drift; beyond this a timestamp is a broken clock, and accepting it would pin the position.</summary>
    public TimeSpan MaxFutureSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Trackers upload what they buffered offline, so days-old fixes are normal; years-old ones are a dead RTC battery.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(7);

    public double MaxAccuracyMeters { get; set; } = 10_000;

    /// <summary>About 540 km/h: nothing on a road goes faster, so anything above is a glitch.</summary>
    public double MaxSpeedMetersPerSecond { get; set; } = 150;

    public double MinAltitudeMeters { get; set; } = -1_000;

    public double MaxAltitudeMeters { get; set; } = 20_000;

    /// <summary>The most fixes one request may carry.</summary>
    public int MaxBatchSize { get; set; } = 500;
}

/// <summary>The pure rules a fix passes before it can move a technician.</summary>
public static class FixValidator
{
    /// <summary>A fix, or the reason it is refused. <paramref name="now"/> is the server's clock, never the device's.</summary>
    public static (LocationFix? Fix, FixRejection? Rejection) Validate(FixInput input, int index, string source, DateTimeOffset now, FixLimits limits)
    {
        FixRejection Reject(string code, string message) => new(index, code, message);

        if (input.Latitude is not { } lat || input.Longitude is not { } lon)
            return (null, Reject(FixRejectionCodes.MissingPosition, "A fix needs lat and lon."));
        if (!GeoPoint.TryCreate(lat, lon, out var position))
            return (null, Reject(FixRejectionCodes.InvalidCoordinates, "lat must be within -90..90 and lon within -180..180."));
        if (input.Timestamp is not { } timestamp)
            return (null, Reject(FixRejectionCodes.MissingTimestamp, "A fix needs the time it was taken."));
        if (timestamp - now > limits.MaxFutureSkew)
            return (null, Reject(FixRejectionCodes.TimestampInFuture,
                $"The timestamp is more than {limits.MaxFutureSkew.TotalSeconds:0} s ahead of the server clock; check the device clock."));
        if (now - timestamp > limits.MaxAge)
            return (null, Reject(FixRejectionCodes.TimestampTooOld, $"The fix is older than {limits.MaxAge.TotalHours:0} h."));
        if (input.AccuracyMeters is { } accuracy && (!double.IsFinite(accuracy) || accuracy < 0 || accuracy > limits.MaxAccuracyMeters))
            return (null, Reject(FixRejectionCodes.InvalidAccuracy, $"accuracy must be 0..{limits.MaxAccuracyMeters:0} m."));
        if (input.SpeedMetersPerSecond is { } speed && (!double.IsFinite(speed) || speed < 0 || speed > limits.MaxSpeedMetersPerSecond))
            return (null, Reject(FixRejectionCodes.InvalidSpeed, $"speed must be 0..{limits.MaxSpeedMetersPerSecond:0} m/s."));
        if (input.HeadingDegrees is { } heading && (!double.IsFinite(heading) || heading < 0 || heading > 360))
            return (null, Reject(FixRejectionCodes.InvalidHeading, "heading must be 0..360 degrees."));
        if (input.AltitudeMeters is { } altitude && (!double.IsFinite(altitude) || altitude < limits.MinAltitudeMeters || altitude > limits.MaxAltitudeMeters))
            return (null, Reject(FixRejectionCodes.InvalidAltitude, $"altitude must be {limits.MinAltitudeMeters:0}..{limits.MaxAltitudeMeters:0} m."));
        if (input.BatteryPercent is { } battery && (!double.IsFinite(battery) || battery < 0 || battery > 100))
            return (null, Reject(FixRejectionCodes.InvalidBattery, "battery must be 0..100 percent."));

        return (new LocationFix
        {
            Position = position,
            // Millisecond precision: what every protocol carries, and what makes "same timestamp" mean the same thing after a round trip.
            Timestamp = new DateTimeOffset(timestamp.UtcTicks - timestamp.UtcTicks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero),
            AccuracyMeters = input.AccuracyMeters,
            SpeedMetersPerSecond = input.SpeedMetersPerSecond,
            // 360 and 0 are the same direction; keep one spelling.
            HeadingDegrees = input.HeadingDegrees is 360 ? 0 : input.HeadingDegrees,
            AltitudeMeters = input.AltitudeMeters,
            BatteryPercent = input.BatteryPercent,
            Source = source,
        }, null);
    }
}
