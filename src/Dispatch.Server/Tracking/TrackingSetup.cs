using Dispatch.Domain.Identity;
using Dispatch.Grains.Tracking;

namespace Dispatch.Server.Tracking;

public static class TrackingSetup
{
    public const string HubPath = "/hubs/tracking";

    /// <summary>Web-side services of live tracking (the silo side is <c>AddDispatchTracking</c> on the silo builder).</summary>
    public static IServiceCollection AddDispatchTrackingApi(this IServiceCollection services)
    {
        services.AddSignalR(o =>
        {
            o.MaximumReceiveMessageSize = 512 * 1024; // a full batch of fixes
        });
        services.AddSingleton<HubWatchers>();
        services.AddSingleton<DeviceIngest>();
        return services;
    }

    /// <summary>Device ingest (JSON batch, OsmAnd), the tracking hub, and the tracking statistics for operators.</summary>
    public static IEndpointRouteBuilder MapDispatchTracking(this IEndpointRouteBuilder app)
    {
        app.MapDeviceIngest();
        app.MapHub<TrackingHub>(HubPath);

        // What the live fan-out holds right now: how an operator (and the tests) see that slow clients stay bounded.
        app.MapGet("/api/v1/tracking/stats", (LocationSubscribers subscribers, LocationFeed feed, LivePositions positions) =>
        {
            var stats = subscribers.Stats();
            return Results.Ok(new
            {
                subscribers = stats.Subscribers,
                bufferedUpdates = stats.Buffered,
                delivered = stats.Delivered,
                coalesced = stats.Coalesced,
                dropped = stats.Dropped,
                batchesReceived = feed.BatchesReceived,
                updatesReceived = feed.UpdatesReceived,
                indexedTechnicians = positions.Count,
                managedHeapBytes = GC.GetTotalMemory(forceFullCollection: false),
                workingSetBytes = Environment.WorkingSet,
            });
        }).RequireAuthorization(p => p.RequireRole(Roles.Admin));
        return app;
    }
}
