using System.Collections.Concurrent;
using Dispatch.Domain.Common;
using Dispatch.Domain.Geo;
using Dispatch.Domain.Identity;
using Dispatch.Domain.Tracking;
using Dispatch.Grains.Tracking;
using Dispatch.Server.Identity;
using Dispatch.Server.Security;
using Microsoft.AspNetCore.SignalR;

namespace Dispatch.Server.Tracking;

/// <summary>
/// <c>/hubs/tracking</c>. Devices (device key) call <c>SendFixes</c>; dashboards (JWT, Admin or Dispatcher) call
/// <c>WatchTechnicians</c> or <c>WatchBoundingBox</c> and receive <c>locations</c> messages (lists of positions).
/// </summary>
public sealed class TrackingHub(DeviceIngest ingest, BearerTokenValidator tokens, HubWatchers watchers, ConnectionCounter connections) : Hub
{
    private const string DeviceItem = "device";
    private const string ActorItem = "actor";
    private const string LeaseItem = "lease";

    public override async Task OnConnectedAsync()
    {
        var http = Context.GetHttpContext();
        if (http is not null && DeviceAuthentication.TryRead(http, out var credential))
        {
            var keyHash = DeviceKeys.Hash(credential.Key);
            // An empty ingest authenticates without storing anything or spending rate-limit tokens.
            var check = await ingest.IngestAsync(credential.Tenant, credential.DeviceId, keyHash, []);
            if (check.Status != IngestStatus.Ok)
            {
                Context.Abort();
                return;
            }

            Context.Items[DeviceItem] = (credential.Tenant, credential.DeviceId, keyHash);
        }
        else
        {
            var user = Context.User?.Identity?.IsAuthenticated == true
                ? Context.User
                : await tokens.ValidateAsync(http?.Request.Query["access_token"].ToString(), Context.ConnectionAborted);
            if (user?.ToActor() is not { } actor)
            {
                Context.Abort();
                return;
            }

            // Counted with the user's GraphQL WebSockets (Dispatch:Limits:WebSocketsPerUser).
            if (connections.TryAcquire(actor.Tenant, actor.UserId) is not { } lease)
            {
                Context.Abort();
                return;
            }

            Context.Items[LeaseItem] = lease;
            Context.Items[ActorItem] = actor;
        }

        await base.OnConnectedAsync();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        watchers.Stop(Context.ConnectionId);
        if (Context.Items.TryGetValue(LeaseItem, out var lease)) (lease as IDisposable)?.Dispose();
        return base.OnDisconnectedAsync(exception);
    }

    /// <summary>Devices: a batch of fixes, answered like <c>POST /api/v1/locations</c>.</summary>
    public async Task<IngestAnswer> SendFixes(DeviceFixDto[] fixes)
    {
        if (Context.Items[DeviceItem] is not (string tenant, string deviceId, string keyHash))
            throw new HubException("Only devices send fixes (connect with the device key).");
        var result = await ingest.IngestAsync(tenant, deviceId, keyHash, fixes.Select(f => f.ToInput()).ToArray());
        switch (result.Status)
        {
            case IngestStatus.Unauthorized:
                Context.Abort();
                throw new HubException("The device is revoked.");
            case IngestStatus.RateLimited:
                throw new HubException($"RATE_LIMITED: retry after {result.RetryAfterSeconds} s; nothing was stored.");
            case IngestStatus.TooLarge:
                throw new HubException("BATCH_TOO_LARGE: nothing was stored.");
        }

        return IngestAnswer.From(result);
    }

    /// <summary>Dashboards: receive the positions of these technicians (replaces any earlier watch).</summary>
    public void WatchTechnicians(string[] technicianIds)
    {
        var actor = Watcher();
        if (technicianIds.Length == 0 || technicianIds.Any(id => !TenantKey.IsValidPart(id)))
            throw new HubException("Name at least one valid technician id.");
        watchers.Start(Context.ConnectionId, actor.Tenant, new LocationFilter(technicianIds.ToHashSet(StringComparer.Ordinal), null));
    }

    /// <summary>Dashboards: receive the positions of technicians inside this box, edges inclusive (replaces any earlier watch).</summary>
    public void WatchBoundingBox(BoundingBoxDto box)
    {
        var actor = Watcher();
        BoundingBox bounds;
        try
        {
            bounds = new BoundingBox(box.MinLatitude, box.MinLongitude, box.MaxLatitude, box.MaxLongitude);
        }
        catch (ArgumentException e)
        {
            throw new HubException("Invalid bounding box: " + e.Message);
        }

        watchers.Start(Context.ConnectionId, actor.Tenant, new LocationFilter(null, bounds));
    }

    public void Unwatch() => watchers.Stop(Context.ConnectionId);

    private Actor Watcher()
    {
        if (Context.Items[ActorItem] is not Actor actor)
            throw new HubException("Devices cannot watch; connect with a user token.");
        if (!actor.IsInRole(Roles.Admin) && !actor.IsInRole(Roles.Dispatcher))
            throw new HubException("FORBIDDEN: only admins and dispatchers watch the fleet.");
        return actor;
    }
}

/// <summary>
/// The SignalR connections watching positions on this host, each a <see cref="LocationSubscriber"/>. The sink awaits
/// SignalR's send, which waits while the connection's outgoing buffer is full: a client that reads slowly gets each
/// technician's newest position as it catches up, and one that stopped reading holds at most one position per technician.
/// </summary>
public sealed class HubWatchers(LocationSubscribers subscribers, IHubContext<TrackingHub> hub)
{
    public const string Method = "locations";
    private readonly ConcurrentDictionary<string, LocationSubscriber> _byConnection = new(StringComparer.Ordinal);

    public void Start(string connectionId, string tenant, LocationFilter filter)
    {
        var client = hub.Clients.Client(connectionId);
        var subscriber = subscribers.Subscribe(tenant, filter,
            batch => new ValueTask(client.SendAsync(Method, batch.Select(TechnicianLocationDto.From).ToArray())), TimeSpan.Zero);
        if (_byConnection.TryGetValue(connectionId, out var previous))
            previous.Dispose();
        _byConnection[connectionId] = subscriber;
    }

    public void Stop(string connectionId)
    {
        if (_byConnection.TryRemove(connectionId, out var subscriber))
            subscriber.Dispose();
    }
}
