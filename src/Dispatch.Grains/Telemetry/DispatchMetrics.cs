using System.Diagnostics.Metrics;

namespace Dispatch.Grains.Telemetry;

/// <summary>
/// Dispatch's own instruments, next to Orleans' "Microsoft.Orleans" meter. Counters rather than rates: the backend
/// (Prometheus, an OTLP collector) derives fixes/s and dispatches/s from them.
/// </summary>
public static class DispatchMetrics
{
    public const string MeterName = "Dispatch";

    private static readonly Meter Meter = new(MeterName, "1.0");

    public static readonly Counter<long> FixesAccepted = Meter.CreateCounter<long>("dispatch.fixes.accepted", "{fix}", "Location fixes accepted.");
    public static readonly Counter<long> FixesRejected = Meter.CreateCounter<long>("dispatch.fixes.rejected", "{fix}", "Location fixes rejected.");
    public static readonly Counter<long> Dispatches = Meter.CreateCounter<long>("dispatch.dispatches", "{dispatch}", "Work orders dispatched.");
    public static readonly Counter<long> DispatchConflicts = Meter.CreateCounter<long>("dispatch.dispatch.conflicts", "{dispatch}", "Dispatches refused for schedule conflicts.");
    public static readonly UpDownCounter<long> OpenSubscriptions = Meter.CreateUpDownCounter<long>("dispatch.subscriptions.open", "{subscription}", "Live subscriptions (GraphQL, SignalR).");
    public static readonly Histogram<double> FanOutLag = Meter.CreateHistogram<double>("dispatch.fanout.lag", "ms", "From a fix's arrival to its delivery to a web host.");
}
