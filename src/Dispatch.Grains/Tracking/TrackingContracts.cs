using Dispatch.Domain.Tracking;

namespace Dispatch.Grains.Tracking;

/// <summary>What a location grain did with a report: one outcome per fix, and how often to report from now on.</summary>
[GenerateSerializer, Immutable, Alias("Dispatch.LocationReportResult")]
public sealed record LocationReportResult(
    [property: Id(0)] FixOutcome[] Outcomes,
    [property: Id(1)] int ReportingIntervalSeconds);

public enum IngestStatus
{
    Ok,
    /// <summary>Unknown device, wrong key or revoked: nothing stored.</summary>
    Unauthorized,
    /// <summary>The device is over its rate limit: nothing stored, retry after <see cref="IngestResult.RetryAfterSeconds"/>.</summary>
    RateLimited,
    /// <summary>More fixes than one request may carry: nothing stored.</summary>
    TooLarge,
    /// <summary>
    /// Only between the server and a location grain: the device is not admitted there (or not with this key), nothing
    /// was stored, and the device's grain decides. Never an answer to a device.
    /// </summary>
    NotAdmitted,
}

/// <summary>
/// A device ingest answer. Accepted counts duplicates too: retrying a batch gives the same answer. On success
/// <see cref="TechnicianId"/> names the technician whose location grain took it, where the server sends the device's next request.
/// </summary>
[GenerateSerializer, Immutable, Alias("Dispatch.IngestResult")]
public sealed record IngestResult(
    [property: Id(0)] IngestStatus Status,
    [property: Id(1)] int Accepted,
    [property: Id(2)] int Duplicates,
    [property: Id(3)] FixRejection[] Rejected,
    [property: Id(4)] int ReportingIntervalSeconds,
    [property: Id(5)] int RetryAfterSeconds = 0,
    [property: Id(6)] string? TechnicianId = null)
{
    public static IngestResult Refused(IngestStatus status, int retryAfterSeconds = 0) => new(status, 0, 0, [], 0, retryAfterSeconds);
}

/// <summary>Where an OsmAnd identifier points.</summary>
[GenerateSerializer, Immutable, Alias("Dispatch.OsmAndTarget")]
public sealed record OsmAndTarget([property: Id(0)] string Tenant, [property: Id(1)] string DeviceId);
