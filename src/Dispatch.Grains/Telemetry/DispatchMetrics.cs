using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Dispatch.Grains.Telemetry;

/// <summary>
/// Dispatch's own instruments, next to Orleans' "Microsoft.Orleans" meter, and its activity source. Counters rather than
/// rates: the backend (Prometheus, an OTLP collector) derives fixes/s and dispatches/s from them.
/// </summary>
public static class DispatchMetrics
{
    public const string MeterName = "Dispatch";

    /// <summary>Name of the <see cref="ActivitySource"/> for dispatch and ingest spans.</summary>
    public const string ActivitySourceName = "Dispatch";

    public static readonly ActivitySource Activities = new(ActivitySourceName, "1.0");

    private static readonly Meter Meter = new(MeterName, "1.0");

    // Subscription counts per feed, from every host in this process (one in production; several in-process test silos).
    private static readonly ConcurrentDictionary<object, (string Feed, Func<int> Count)> SubscriptionSources = new();

    /// <summary>Location fixes stored (current or trail), duplicates included, per request outcome.</summary>
    public static readonly Counter<long> FixesAccepted = Meter.CreateCounter<long>("dispatch.fixes.accepted", "{fix}", "Location fixes accepted.");

    /// <summary>Fixes refused; tag <c>reason</c>: a validation code, or <c>unauthorized</c>, <c>rate_limited</c>, <c>too_large</c>, <c>malformed</c>.</summary>
    public static readonly Counter<long> FixesRejected = Meter.CreateCounter<long>("dispatch.fixes.rejected", "{fix}", "Location fixes rejected.");

    /// <summary>Dispatch attempts by <c>outcome</c>: dispatched, scheduled, conflicts, reassigned, failed.</summary>
    public static readonly Counter<long> Dispatches = Meter.CreateCounter<long>("dispatch.dispatches", "{dispatch}", "Dispatch and reassign attempts by outcome.");

    /// <summary>From the moment a technician's new position entered this silo's fan-out to its delivery to a web host.</summary>
    public static readonly Histogram<double> FanOutLag = Meter.CreateHistogram<double>("dispatch.fanout.lag", "ms",
        "From a position update entering the fan-out to its delivery to a web host.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000] });

    /// <summary>Open live subscriptions by <c>feed</c> (work_orders: GraphQL work-order and board feeds; locations: GraphQL and SignalR position feeds).</summary>
    public static readonly ObservableGauge<int> OpenSubscriptions = Meter.CreateObservableGauge("dispatch.subscriptions.open", ObserveSubscriptions,
        "{subscription}", "Live subscriptions (GraphQL over WebSocket and SSE, SignalR).");

    /// <summary>Adds a source of open-subscription counts to <see cref="OpenSubscriptions"/>; dispose to remove it.</summary>
    public static IDisposable TrackSubscriptions(string feed, Func<int> count)
    {
        var key = new object();
        SubscriptionSources[key] = (feed, count);
        return new Removal(key);
    }

    private static IEnumerable<Measurement<int>> ObserveSubscriptions() =>
        SubscriptionSources.Values
            .GroupBy(s => s.Feed, StringComparer.Ordinal)
            .Select(g => new Measurement<int>(g.Sum(s => s.Count()), new KeyValuePair<string, object?>("feed", g.Key)))
            .ToArray();

    private sealed class Removal(object key) : IDisposable
    {
        public void Dispose() => SubscriptionSources.TryRemove(key, out _);
    }
}
