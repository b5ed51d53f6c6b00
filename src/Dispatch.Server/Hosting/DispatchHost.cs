using Dispatch.Grains.Hosting;
using Dispatch.Grains.Storage;
using Dispatch.Grains.Tracking;
using Dispatch.GraphQL.Transport;
using Dispatch.Server.GraphQL;
using Dispatch.Server.Health;
using Dispatch.Server.Identity;
using Dispatch.Server.Observability;
using Dispatch.Server.Operations;
using Dispatch.Server.Security;
using Dispatch.Server.Tracking;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Orleans.Configuration;
using Orleans.Dashboard;

namespace Dispatch.Server.Hosting;

/// <summary>
/// The one process: ASP.NET Core and an Orleans silo co-hosted, so API calls reach local grain activations without a
/// network hop. Shared by <c>dotnet run</c>, the CLI verbs that need grains, and the functional tests.
/// </summary>
public static class DispatchHost
{
    /// <summary>Configuration section bound onto Orleans' <see cref="ClusterMembershipOptions"/>.</summary>
    public const string MembershipSection = "Dispatch:Cluster:Membership";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? customize = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        var settings = DispatchSettings.From(builder.Configuration);

        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls(DispatchSettings.DefaultUrl);
        }

        builder.Logging.AddFilter("Orleans", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // "Request starting …" lines carry the query string, where browser WebSocket clients put their token
        // (access_token): pinned here, after configuration's rules, so no log level setting can bring them back.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        builder.Logging.AddFilter("Polly", LogLevel.Warning);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));

        var dashboard = DashboardSetup.IsEnabled(builder.Configuration);
        builder.UseOrleans(silo =>
        {
            silo.UseDispatchStorage(settings.Storage).AddDispatchTracking();
            // Orleans' failure detector, tunable by operators (and tightened by the cluster tests): Dispatch:Cluster:Membership:*
            // binds onto ClusterMembershipOptions, e.g. ProbeTimeout, NumMissedProbesLimit, NumVotesForDeathDeclaration.
            silo.Services.AddOptions<ClusterMembershipOptions>().Bind(builder.Configuration.GetSection(MembershipSection));
            // Trace context crosses grain calls, so a dispatch or ingest span links the HTTP request to the grains it reached;
            // only when traces are exported (over OTLP): otherwise the two filters on every grain call carry context nobody reads.
            if (TelemetrySetup.ExportsOverOtlp(builder.Configuration))
            {
                silo.AddActivityPropagation();
            }
            if (dashboard)
            {
                silo.AddDashboard();
            }

            if (settings.Kubernetes)
            {
                // Pod IP, pod name and cluster ids from the downward API; dead pods' silos are retired promptly.
                silo.UseKubernetesHosting();
            }
        });

        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(settings.Storage);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddDispatchAuthentication(settings.Auth, settings.DataDirectory);
        builder.Services.AddDispatchTenants(builder.Configuration, settings.Storage);
        builder.AddDispatchLimits();
        builder.Services.AddDispatchGraphQL(builder.Configuration, builder.Environment);
        builder.Services.AddDispatchTelemetry(builder.Configuration);
        builder.Services.AddDispatchTrackingApi();
        if (dashboard)
        {
            builder.Services.AddDispatchDashboard(builder.Configuration);
        }

        builder.Services.AddHealthChecks().AddCheck<ReadinessCheck>("silo-and-storage", tags: [HealthEndpoints.ReadyTag]);

        customize?.Invoke(builder);
        builder.Services.AddHostedService<ShutdownDrain>();

        var app = builder.Build();
        app.UseDispatchSecurityHeaders();
        // Routing placed here, not left to WebApplication's default at the very start: short-circuit endpoints (device
        // ingest, which authenticates devices in grains) run from here with the security headers set, and skip the
        // user pipeline below (S1 in docs/benchmarks.md).
        app.UseRouting();
        app.UseAuthentication();
        app.UseTokenRefusals();
        app.UseDispatchRateLimits();
        app.UseAuthorization();
        app.MapDispatchHealth();
        app.MapOperationsApi();
        app.MapGraphQLTransport();
        app.MapDispatchTracking();
        app.MapAccessPolicy();
        app.MapDispatchMetrics(builder.Configuration);
        if (dashboard)
        {
            app.MapDispatchDashboard();
        }

        app.Lifetime.ApplicationStarted.Register(() => PrintWelcome(app, settings));
        return app;
    }

    private static void PrintWelcome(WebApplication app, DispatchSettings settings)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var where = settings.Storage.Mode switch
        {
            StorageMode.Embedded => $"SQLite in {settings.DataDirectory}",
            StorageMode.Postgres => "PostgreSQL (cluster " + settings.Storage.ClusterId + ")",
            _ => "memory (nothing is kept)",
        };
        app.Logger.LogInformation(
            "Dispatch is ready. Listening on {Addresses}; data: {Storage}. Health: /health/ready. " +
            "Get a token: dotnet run --project src/Dispatch.Server -- token --user alice --role Dispatcher",
            string.Join(", ", addresses), where);
    }
}
