using Dispatch.Grains.Events;
using Dispatch.Grains.Telemetry;
using Dispatch.Grains.Tracking;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Dispatch.Server.Observability;

public static class TelemetrySetup
{
    /// <summary>Serve the Prometheus text format at <see cref="PrometheusPath"/> (<c>Dispatch:Metrics:Prometheus</c>, default off).</summary>
    public const string PrometheusKey = "Dispatch:Metrics:Prometheus";

    public const string PrometheusPath = "/metrics";

    /// <summary>Whether metrics and traces go out over OTLP (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set); traces go nowhere else.</summary>
    public static bool ExportsOverOtlp(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);

    /// <summary>
    /// OpenTelemetry metrics (Orleans' meter, ours, ASP.NET Core's) and traces (ours, Orleans' activity sources, ASP.NET
    /// Core). Metrics and traces go out over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set; metrics are also served for
    /// Prometheus to scrape when <see cref="PrometheusKey"/> is on. With neither, nothing is collected.
    /// </summary>
    public static IServiceCollection AddDispatchTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        // Our gauge of open subscriptions reads the live feeds; registering the sources costs nothing when unobserved.
        services.AddHostedService<SubscriptionGauges>();

        var otlp = ExportsOverOtlp(configuration);
        var prometheus = configuration.GetValue(PrometheusKey, false);
        if (!otlp && !prometheus)
        {
            return services;
        }

        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(configuration["OTEL_SERVICE_NAME"] ?? "dispatch"))
            .WithMetrics(metrics =>
            {
                // "System.Runtime" is .NET's own meter: GC, JIT, thread pool and lock contention, what an operator reads first
                // when a node is slow.
                metrics.AddMeter("Microsoft.Orleans", DispatchMetrics.MeterName, "System.Runtime").AddAspNetCoreInstrumentation();
                if (otlp) metrics.AddOtlpExporter();
                if (prometheus) metrics.AddPrometheusExporter();
            });
        if (otlp)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(DispatchMetrics.ActivitySourceName, "Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application")
                .AddAspNetCoreInstrumentation(o => o.Filter = http =>
                    !http.Request.Path.StartsWithSegments("/health") && !http.Request.Path.StartsWithSegments(PrometheusPath))
                .AddOtlpExporter());
        }

        return services;
    }

    /// <summary>The scrape endpoint, when <see cref="PrometheusKey"/> is on. Anonymous, like any Prometheus target: counts only.</summary>
    public static IEndpointRouteBuilder MapDispatchMetrics(this IEndpointRouteBuilder app, IConfiguration configuration)
    {
        if (configuration.GetValue(PrometheusKey, false))
        {
            app.MapPrometheusScrapingEndpoint(PrometheusPath).AllowAnonymous();
        }

        return app;
    }

    /// <summary>Feeds <see cref="DispatchMetrics.OpenSubscriptions"/> from this host's work-order and location feeds.</summary>
    private sealed class SubscriptionGauges(IWorkOrderEventFeed workOrders, LocationSubscribers locations) : IHostedService
    {
        private readonly List<IDisposable> _sources = [];

        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (workOrders is WorkOrderEventFeed feed)
            {
                _sources.Add(DispatchMetrics.TrackSubscriptions("work_orders", () => feed.SubscriberCount));
            }

            _sources.Add(DispatchMetrics.TrackSubscriptions("locations", locations.Count));
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            _sources.ForEach(s => s.Dispose());
            return Task.CompletedTask;
        }
    }
}
