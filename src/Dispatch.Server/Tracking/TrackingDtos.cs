using System.Text.Json.Serialization;
using Dispatch.Domain.Tracking;
using Dispatch.Grains.Tracking;

namespace Dispatch.Server.Tracking;

/// <summary>A fix as devices send it over SignalR (and as the JSON API documents it): degrees, metres, m/s, percent.</summary>
public sealed record DeviceFixDto
{
    [JsonPropertyName("lat")] public double? Lat { get; init; }
    [JsonPropertyName("lon")] public double? Lon { get; init; }
    [JsonPropertyName("timestamp")] public DateTimeOffset? Timestamp { get; init; }
    [JsonPropertyName("accuracy")] public double? Accuracy { get; init; }
    [JsonPropertyName("speed")] public double? Speed { get; init; }
    [JsonPropertyName("heading")] public double? Heading { get; init; }
    [JsonPropertyName("altitude")] public double? Altitude { get; init; }
    [JsonPropertyName("battery")] public double? Battery { get; init; }

    public FixInput ToInput() => new()
    {
        Latitude = Lat, Longitude = Lon, Timestamp = Timestamp, AccuracyMeters = Accuracy,
        SpeedMetersPerSecond = Speed, HeadingDegrees = Heading, AltitudeMeters = Altitude, BatteryPercent = Battery,
    };
}

/// <summary>The answer to every device ingest (HTTP JSON, SignalR).</summary>
public sealed record IngestAnswer(
    [property: JsonPropertyName("accepted")] int Accepted,
    [property: JsonPropertyName("duplicates")] int Duplicates,
    [property: JsonPropertyName("rejected")] int Rejected,
    [property: JsonPropertyName("rejections")] IReadOnlyList<RejectionDto> Rejections,
    [property: JsonPropertyName("reportingIntervalSeconds")] int ReportingIntervalSeconds)
{
    public static IngestAnswer From(IngestResult result) => new(result.Accepted, result.Duplicates, result.Rejected.Length,
        result.Rejected.Select(r => new RejectionDto(r.Index, r.Code, r.Message)).ToArray(), result.ReportingIntervalSeconds);
}

public sealed record RejectionDto(
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("message")] string Message);

/// <summary>A technician's position as SignalR watchers receive it (a <c>locations</c> message carries a list).</summary>
public sealed record TechnicianLocationDto(
    [property: JsonPropertyName("technicianId")] string TechnicianId,
    [property: JsonPropertyName("latitude")] double Latitude,
    [property: JsonPropertyName("longitude")] double Longitude,
    [property: JsonPropertyName("timestamp")] DateTimeOffset Timestamp,
    [property: JsonPropertyName("speed")] double? Speed,
    [property: JsonPropertyName("heading")] double? Heading,
    [property: JsonPropertyName("accuracy")] double? Accuracy)
{
    public static TechnicianLocationDto From(LocationUpdate update) => new(update.TechnicianId, update.Fix.Position.Latitude,
        update.Fix.Position.Longitude, update.Fix.Timestamp, update.Fix.SpeedMetersPerSecond, update.Fix.HeadingDegrees, update.Fix.AccuracyMeters);
}

public sealed record BoundingBoxDto(
    [property: JsonPropertyName("minLatitude")] double MinLatitude,
    [property: JsonPropertyName("minLongitude")] double MinLongitude,
    [property: JsonPropertyName("maxLatitude")] double MaxLatitude,
    [property: JsonPropertyName("maxLongitude")] double MaxLongitude);

/// <summary>Source-generated JSON for the ingest answer: the hot path skips reflection-based serialization.</summary>
[JsonSerializable(typeof(IngestAnswer))]
internal sealed partial class TrackingJsonContext : JsonSerializerContext;
