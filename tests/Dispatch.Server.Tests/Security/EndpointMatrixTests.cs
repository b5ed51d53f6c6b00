using System.Net.Http.Json;
using System.Text.Json;
using Dispatch.Server.Tests.Tracking;
using Dispatch.Testing;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Dispatch.Server.Tests.Security;

/// <summary>
/// The security matrix for everything that is not a GraphQL field: the plain HTTP endpoints, the SignalR hub's methods,
/// and the device credentials (JSON batch, OsmAnd, hub) including keys presented under the wrong tenant.
/// </summary>
public sealed class EndpointMatrixTests(SecurityWorld world) : IClassFixture<SecurityWorld>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    public static TheoryData<string, Principal, Outcome> HttpCells => Cells(MatrixExpectations.Http);

    public static TheoryData<string, Principal, Outcome> HubCells => Cells(MatrixExpectations.Hub);

    [Theory]
    [MemberData(nameof(HttpCells))]
    public async Task Http_endpoint(string endpoint, Principal principal, Outcome expected)
    {
        var before = await world.PositionStateAsync(world.TechOwn);
        using var client = world.Client(principal);
        if (endpoint == "POST /api/v1/locations")
        {
            // Device endpoints read device keys; for the other tenant that is B's own device.
            client.DefaultRequestHeaders.Authorization = principal == Principal.OtherTenant
                ? new("Device", world.DeviceB.Credential)
                : world.Authorization(principal);
        }

        using var response = endpoint switch
        {
            "POST /api/v1/locations" => await client.PostAsJsonAsync("/api/v1/locations",
                new { fixes = new[] { TrackingServer.Fix(principal == Principal.OtherTenant ? SecurityWorld.LatitudeB : SecurityWorld.LatitudeA, -95.35, world.NextFixTime()) } }),
            _ => await client.GetAsync(endpoint.Split(' ')[1]),
        };
        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync();
        var after = await world.PositionStateAsync(world.TechOwn);

        Assert.True(status < 500, $"5xx: {status} {body}");
        var ok = expected switch
        {
            Outcome.Allowed => status is >= 200 and < 300,
            Outcome.Denied => status is 401 or 403,
            Outcome.Unauthenticated => status == 401,
            _ => status is >= 200 and < 300 && MatrixVerdict.Leak(body, MatrixVerdict.Markers(world, principal)) is null,
        };
        Assert.True(ok, $"expected {expected}, actual HTTP {status}: {MatrixVerdict.Shorten(body)}");
        if (endpoint == "POST /api/v1/locations")
        {
            if (expected == Outcome.Allowed)
                Assert.NotEqual(before, after);
            else
                Assert.Equal(before, after);
        }
    }

    [Theory]
    [MemberData(nameof(HubCells))]
    public async Task Hub_method(string method, Principal principal, Outcome expected)
    {
        var before = await world.PositionStateAsync(world.TechOwn);
        var received = new List<string>();
        await using var connection = Connect(HubCredential(principal));
        connection.On<JsonElement>("locations", batch =>
        {
            lock (received)
                received.Add(batch.GetRawText());
        });
        string? refusal = null;
        try
        {
            await connection.StartAsync();
            switch (method)
            {
                case "SendFixes":
                    await connection.InvokeAsync<JsonElement>("SendFixes", new[] { new { lat = SecurityWorld.LatitudeA, lon = -95.34, timestamp = world.NextFixTime().ToString("O") } });
                    break;
                case "WatchTechnicians":
                    await connection.InvokeAsync("WatchTechnicians", new[] { world.TechOwn });
                    break;
                case "WatchBoundingBox":
                    await connection.InvokeAsync("WatchBoundingBox", new { minLatitude = 29.5, minLongitude = -95.6, maxLatitude = 30.0, maxLongitude = -95.1 });
                    break;
                case "Unwatch":
                    await connection.InvokeAsync("Unwatch");
                    break;
                default:
                    Assert.Fail($"no way to call hub method {method}");
                    break;
            }
        }
        catch (Exception e) when (e is HubException or InvalidOperationException or HttpRequestException or TaskCanceledException or IOException or System.Net.WebSockets.WebSocketException)
        {
            refusal = e.GetType().Name + ": " + e.Message;
        }

        string[] Received()
        {
            lock (received)
                return [.. received];
        }

        var watch = method.StartsWith("Watch", StringComparison.Ordinal);
        switch (expected)
        {
            case Outcome.Allowed:
                Assert.True(refusal is null, $"expected Allowed, actual refused: {refusal}");
                if (watch)
                {
                    await Eventually.Until(async () =>
                    {
                        if (Received().Any(r => r.Contains(SecurityWorld.LatitudeAMarker, StringComparison.Ordinal)))
                            return true;
                        await world.PostFixAsync(world.DeviceOwn);
                        return false;
                    }, Deadline, "the watcher received tenant A's fix", TimeSpan.FromMilliseconds(300));
                }
                else if (method == "SendFixes")
                {
                    Assert.NotEqual(before, await world.PositionStateAsync(world.TechOwn));
                }

                break;

            case Outcome.Denied or Outcome.Unauthenticated:
                Assert.True(refusal is not null, $"expected {expected}, actual: the hub accepted {method}");
                if (method == "SendFixes")
                    Assert.Equal(before, await world.PositionStateAsync(world.TechOwn));
                break;

            default:
                // Tenant B watching A's technician id (B has a twin) or A's map area: B's fixes arrive, A's never do.
                Assert.True(refusal is null || refusal.Contains("FORBIDDEN", StringComparison.Ordinal), $"expected {expected}, actual refused: {refusal}");
                if (refusal is null && watch)
                    await CheckHubScopedAsync(method, Received);
                break;
        }
    }

    private async Task CheckHubScopedAsync(string method, Func<string[]> received)
    {
        var sentinel = method == "WatchTechnicians" ? world.DeviceBTwin : world.DeviceB;
        await Eventually.Until(async () =>
        {
            if (received().Length > 0)
                return true;
            await world.PostFixAsync(sentinel);
            return false;
        }, Deadline, "tenant B's own fix arrived", TimeSpan.FromMilliseconds(300));

        // Tenant A's fix reaches A's index before the next sentinel is sent, so a leak would arrive before it.
        var positionBefore = await world.PositionStateAsync(world.TechOwn);
        await world.PostFixAsync(world.DeviceOwn);
        await Eventually.Until(async () => await world.PositionStateAsync(world.TechOwn) != positionBefore, Deadline, "tenant A's host saw the fix");
        var seen = received().Length;
        await Eventually.Until(async () =>
        {
            if (received().Length > seen)
                return true;
            await world.PostFixAsync(sentinel);
            return false;
        }, Deadline, "another of B's fixes arrived", TimeSpan.FromMilliseconds(300));

        Assert.All(received(), r => Assert.DoesNotContain(SecurityWorld.LatitudeAMarker, r, StringComparison.Ordinal));
    }

    // ---- device credentials ----

    public static TheoryData<string> DeviceCases => [.. DeviceCredentialCases.Keys];

    /// <summary>
    /// A device posts for its bound technician only: its own key works; another tenant's key, a key under the wrong tenant,
    /// a wrong key or a revoked device is refused and stores nothing. OsmAnd without a key identifies the device by its
    /// registered identifier alone (Traccar Client compatibility, docs/devices.md); with a key, the key must match.
    /// </summary>
    [Theory]
    [MemberData(nameof(DeviceCases))]
    public async Task Device_credential(string name)
    {
        var (expectedStatus, act) = DeviceCredentialCases[name];
        var before = await world.PositionStateAsync(world.TechOwn);

        var status = await act(world);

        var after = await world.PositionStateAsync(world.TechOwn);
        Assert.True(status == expectedStatus, $"expected HTTP {expectedStatus}, actual HTTP {status}");
        if (status is >= 200 and < 300)
            Assert.NotEqual(before, after);
        else
            Assert.Equal(before, after);
    }

    private static readonly Dictionary<string, (int Status, Func<SecurityWorld, Task<int>> Act)> DeviceCredentialCases = new()
    {
        ["locations: own key"] = (200, w => PostBatch(w, w.DeviceOwn.Credential)),
        ["locations: B's device id and key under tenant A"] = (401, w => PostBatch(w, $"{SecurityWorld.TenantA}/{w.DeviceB.DeviceId}:{w.DeviceB.Key}")),
        ["locations: A's device id with B's key"] = (401, w => PostBatch(w, $"{SecurityWorld.TenantA}/{w.DeviceOwn.DeviceId}:{w.DeviceB.Key}")),
        ["locations: A's device id under tenant B"] = (401, w => PostBatch(w, $"{SecurityWorld.TenantB}/{w.DeviceOwn.DeviceId}:{w.DeviceOwn.Key}")),
        ["locations: A's device under an unknown tenant"] = (401, w => PostBatch(w, $"{SecurityWorld.GhostTenant}/{w.DeviceOwn.DeviceId}:{w.DeviceOwn.Key}")),
        ["locations: wrong key"] = (401, w => PostBatch(w, $"{SecurityWorld.TenantA}/{w.DeviceOwn.DeviceId}:{w.DeviceOwn.Key[..^2]}xx")),
        ["locations: revoked device"] = (401, async w =>
        {
            var device = await SecurityWorld.RegisterDeviceAsync(w.AdminA, SecurityWorld.TenantA, w.TechOwn);
            await w.AdminA.DataAsync("mutation($id: ID!) { revokeDevice(id: $id) { id } }", new { id = device.DeviceId });
            return await PostBatch(w, device.Credential);
        }),
        ["locations: user bearer token"] = (401, w => PostBatch(w, null, w.Token(Principal.Admin))),
        ["osmand: own key"] = (200, w => OsmAnd(w, w.DeviceOwnOsmAnd.DeviceId, w.DeviceOwnOsmAnd.Key)),
        ["osmand: no key (identifier only)"] = (200, w => OsmAnd(w, w.DeviceOwnOsmAnd.DeviceId, null)),
        ["osmand: wrong key"] = (401, w => OsmAnd(w, w.DeviceOwnOsmAnd.DeviceId, w.DeviceOwnOsmAnd.Key[..^2] + "xx")),
        ["osmand: B's key on A's identifier"] = (401, w => OsmAnd(w, w.DeviceOwnOsmAnd.DeviceId, w.DeviceB.Key)),
        ["osmand: a device not registered for OsmAnd"] = (404, w => OsmAnd(w, w.DeviceOwn.DeviceId, w.DeviceOwn.Key)),
        ["hub: B's device id and key under tenant A"] = (401, async w =>
        {
            await using var connection = Connect($"device:{SecurityWorld.TenantA}/{w.DeviceB.DeviceId}:{w.DeviceB.Key}", w);
            try
            {
                await connection.StartAsync();
                await connection.InvokeAsync<JsonElement>("SendFixes", new[] { new { lat = SecurityWorld.LatitudeA, lon = -95.33, timestamp = w.NextFixTime().ToString("O") } });
                return 200;
            }
            catch (Exception e) when (e is HubException or InvalidOperationException or HttpRequestException or TaskCanceledException or IOException or System.Net.WebSockets.WebSocketException)
            {
                return 401;
            }
        }),
    };

    private static async Task<int> PostBatch(SecurityWorld w, string? deviceCredential, string? bearer = null)
    {
        using var client = new HttpClient { BaseAddress = w.Process.BaseAddress };
        client.DefaultRequestHeaders.Authorization = deviceCredential is not null ? new("Device", deviceCredential) : new("Bearer", bearer);
        using var response = await client.PostAsJsonAsync("/api/v1/locations",
            new { fixes = new[] { TrackingServer.Fix(SecurityWorld.LatitudeA, -95.32, w.NextFixTime()) } });
        return (int)response.StatusCode;
    }

    private static async Task<int> OsmAnd(SecurityWorld w, string id, string? key)
    {
        var query = $"/osmand?id={Uri.EscapeDataString(id)}&lat={SecurityWorld.LatitudeA}&lon=-95.31&timestamp={w.NextFixTime().ToUnixTimeMilliseconds()}"
            + (key is null ? "" : "&key=" + Uri.EscapeDataString(key));
        using var response = await w.Process.Http.GetAsync(query);
        return (int)response.StatusCode;
    }

    private string? HubCredential(Principal principal) => principal switch
    {
        Principal.Anonymous => null,
        Principal.Device => "device:" + world.DeviceOwn.Credential,
        _ => world.Token(principal),
    };

    private HubConnection Connect(string? credential) => Connect(credential, world);

    private static HubConnection Connect(string? credential, SecurityWorld w) => new HubConnectionBuilder()
        .WithUrl(new Uri(w.Process.BaseAddress, "/hubs/tracking"), o =>
        {
            o.Transports = HttpTransportType.WebSockets;
            o.SkipNegotiation = true;
            if (credential is not null)
                o.AccessTokenProvider = () => Task.FromResult<string?>(credential);
        })
        .Build();

    private static TheoryData<string, Principal, Outcome> Cells(IReadOnlyDictionary<string, IReadOnlyDictionary<Principal, Outcome>> table)
    {
        var data = new TheoryData<string, Principal, Outcome>();
        foreach (var (row, columns) in table)
        {
            foreach (var (principal, expected) in columns)
                data.Add(row, principal, expected);
        }

        return data;
    }
}
