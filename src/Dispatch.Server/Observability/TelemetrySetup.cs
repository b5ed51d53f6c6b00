using Dispatch.Grains.Telemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Dispatch.Server.Observability;

public static class TelemetrySetup
{
    /// <summary>
    /// OpenTelemetry metrics (Orleans' meter, ours, ASP.NET Core's) and traces (Orleans' activity sources, ASP.NET Core),
    /// exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set; otherwise nothing is collected or exported.
    /// </summary>
    public static IServiceCollection AddDispatchTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        if (string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            return services;
        }

        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(configuration["OTEL_SERVICE_NAME"] ?? "dispatch"))
            .WithMetrics(metrics => metrics
                .AddMeter("Microsoft.Orleans", DispatchMetrics.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddOtlpExporter())
            .WithTracing(tracing => tracing
                .AddSource("Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application")
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/health"))
                .AddOtlpExporter());
        return services;
    }
}
