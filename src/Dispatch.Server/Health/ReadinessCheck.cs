using Dispatch.Grains.Hosting;
using Dispatch.Grains.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Dispatch.Server.Health;

/// <summary>
/// Ready means: the silo finished starting, the process is not shutting down (so a load balancer drains it before the
/// silo leaves), and the database answers.
/// </summary>
internal sealed class ReadinessCheck(IHostApplicationLifetime lifetime, DispatchStorageOptions storage) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("Shutting down.");
        }

        if (!lifetime.ApplicationStarted.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("Starting.");
        }

        return await SchemaMigrator.CanConnectAsync(storage, cancellationToken)
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy($"Storage ({storage.Mode}) is not reachable.");
    }
}

internal static class HealthEndpoints
{
    public const string ReadyTag = "ready";

    public static IEndpointRouteBuilder MapDispatchHealth(this IEndpointRouteBuilder app)
    {
        // Live: the process answers. Nothing else, or a slow database would get healthy pods restarted.
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new() { Predicate = c => c.Tags.Contains(ReadyTag) }).AllowAnonymous();
        return app;
    }
}
