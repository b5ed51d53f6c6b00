using Dispatch.Domain.Tracking;

namespace Dispatch.Grains.Tracking;

/// <summary>Live-tracking settings, bound from the <c>Dispatch:Tracking</c> configuration section.</summary>
public sealed class TrackingOptions
{
    public const string SectionName = "Dispatch:Tracking";

    public FixLimits Limits { get; set; } = new();

    public DeviceRateLimit RateLimit { get; set; } = new();

    public TrailOptions Trail { get; set; } = new();

    public ReportingIntervals Reporting { get; set; } = new();

    /// <summary>
    /// How often a technician's location grain writes its state when it changed. Never per fix: a crash loses at most
    /// this much of the position history, and a graceful shutdown loses nothing.
    /// </summary>
    public TimeSpan PersistInterval { get; set; } = TimeSpan.FromSeconds(15);

    public FanOutOptions FanOut { get; set; } = new();

    /// <summary>Live ETA of en-route work orders (<c>Dispatch:Tracking:Eta</c>).</summary>
    public EtaOptions Eta { get; set; } = new();

    /// <summary>Grid cell size of the in-memory position index (degrees; 0.1° ≈ 11 km north-south).</summary>
    public double IndexCellSizeDegrees { get; set; } = 0.1;
}

public sealed class DeviceRateLimit
{
    /// <summary>Fixes a device may send at once (an offline tracker uploading its buffer).</summary>
    public double Burst { get; set; } = 1000;

    /// <summary>Sustained fixes per second per device; far above any real tracker, low enough to stop a runaway loop.</summary>
    public double PerSecond { get; set; } = 10;
}

public sealed class FanOutOptions
{
    /// <summary>
    /// A silo's location publisher sends what it collected at least this often (at once when idle, see LocationPublisher).
    /// 5 ms (was 15): with the subscriber interval below it made up most of S2's latency budget; at 2k fixes/s and 50
    /// subscribers, 5/5 ms took p50 from 26 to 7 ms and p99 from 47 to 21 ms at about the same server CPU per fix.
    /// </summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Most updates in one batch from a silo to a host.</summary>
    public int MaxBatch { get; set; } = 256;

    /// <summary>How often each host re-registers its observer and each silo's publisher re-reads the host list.</summary>
    public TimeSpan HostRefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Most technicians one subscriber's buffer holds while the subscriber is behind (latest fix per technician).</summary>
    public int SubscriberBufferCapacity { get; set; } = 10_000;

    /// <summary>Most updates in one message to a subscriber.</summary>
    public int SubscriberMaxBatch { get; set; } = 200;

    /// <summary>
    /// Shortest gap between two messages to one GraphQL subscription. Updates arriving in between are coalesced per
    /// technician. (SignalR watchers need no such pacing: their sends wait for the client, so coalescing follows the
    /// client's real speed.) 5 ms (was 25), see <see cref="FlushInterval"/>: coalescing still caps a subscriber at 200
    /// messages a second, and a subscriber that falls behind is coalesced by its buffer whatever the interval.
    /// </summary>
    public TimeSpan GraphQLSubscriberInterval { get; set; } = TimeSpan.FromMilliseconds(5);
}
