using System.Text.Json;
using Dispatch.Testing;

namespace Dispatch.Cluster.Tests;

/// <summary>GraphQL over WebSocket subscribers on one silo: the tenant's board, one work order, and technicians' positions.</summary>
public sealed class LiveFeeds : IAsyncDisposable
{
    private LiveFeeds(int silo, GraphQLWsSubscriber board, GraphQLWsSubscriber order, GraphQLWsSubscriber locations)
    {
        Silo = silo;
        Board = board;
        Order = order;
        Locations = locations;
    }

    public int Silo { get; }
    public GraphQLWsSubscriber Board { get; }
    public GraphQLWsSubscriber Order { get; }
    public GraphQLWsSubscriber Locations { get; }

    public static async Task<LiveFeeds> ConnectAsync(SiloCluster cluster, int silo, Workload load, string watchedOrder)
    {
        var uri = cluster.WebSocketUri(silo);
        var board = await GraphQLWsSubscriber.ConnectAsync(uri, load.DispatcherToken, "subscription { boardUpdated { kind workOrderId version } }");
        var order = await GraphQLWsSubscriber.ConnectAsync(uri, load.DispatcherToken,
            "subscription($id: ID!) { workOrderUpdated(id: $id) { kind workOrderId version } }", new { id = watchedOrder });
        var locations = await GraphQLWsSubscriber.ConnectAsync(uri, load.DispatcherToken,
            "subscription($ids: [ID!]) { technicianLocations(technicianIds: $ids) { technicianId timestamp } }", new { ids = load.Devices.Keys.ToArray() });
        return new LiveFeeds(silo, board, order, locations);
    }

    /// <summary>(work order, version) pairs this silo's board subscriber received.</summary>
    public HashSet<(string, long)> BoardEvents() => Events(Board, "boardUpdated");

    public HashSet<(string, long)> OrderEvents() => Events(Order, "workOrderUpdated");

    /// <summary>(technician, fix time in ms) pairs this silo's position subscriber received.</summary>
    public HashSet<(string, long)> Positions() =>
        Locations.Locations.Select(l => (l.GetProperty("technicianId").GetString()!, l.GetProperty("timestamp").GetDateTimeOffset().ToUnixTimeMilliseconds())).ToHashSet();

    private static HashSet<(string, long)> Events(GraphQLWsSubscriber subscriber, string field)
    {
        if (subscriber.Error is { } error)
            throw new InvalidOperationException($"{field} subscription failed: {error}");
        return subscriber.Events
            .Where(e => e.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object)
            .Select(e => e.GetProperty("data").GetProperty(field))
            .Select(e => (e.GetProperty("workOrderId").GetString()!, e.GetProperty("version").GetInt64()))
            .ToHashSet();
    }

    public async ValueTask DisposeAsync()
    {
        await Board.DisposeAsync();
        await Order.DisposeAsync();
        await Locations.DisposeAsync();
    }
}
