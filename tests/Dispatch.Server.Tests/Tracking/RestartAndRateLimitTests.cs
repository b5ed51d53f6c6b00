using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dispatch.Testing;

namespace Dispatch.Server.Tests.Tracking;

/// <summary>Servers of their own: one restarted, one with a tight rate limit.</summary>
public class RestartAndRateLimitTests
{
    [Fact]
    public async Task Last_known_positions_survive_a_restart()
    {
        await using var server = new TrackingServer();
        await server.StartAsync();
        var devices = new[] { await server.NewDeviceAsync(), await server.NewDeviceAsync() };
        var at = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.AddSeconds(-30).ToUnixTimeMilliseconds());
        for (var i = 0; i < devices.Length; i++)
            await server.PostFixesAsync(devices[i], TrackingServer.Fix(35.0 + i, -90.0, at.AddSeconds(-10)), TrackingServer.Fix(35.1 + i, -90.1, at));

        await server.RestartAsync(); // SIGTERM: positions not yet written by the throttle are written on deactivation

        using var dispatcher = server.Client(server.Token("dana", "Dispatcher"));
        var onMap = (await dispatcher.DataAsync("{ technicianPositions(boundingBox: {minLatitude: 30, minLongitude: -95, maxLatitude: 40, maxLongitude: -85}) { technicianId position { latitude longitude } timestamp } }"))
            .GetProperty("technicianPositions").EnumerateArray()
            .ToDictionary(p => p.GetProperty("technicianId").GetString()!, p => p);
        for (var i = 0; i < devices.Length; i++)
        {
            var position = onMap[devices[i].TechnicianId];
            Assert.Equal(35.1 + i, position.GetProperty("position").GetProperty("latitude").GetDouble());
            Assert.Equal(at, DateTimeOffset.Parse(position.GetProperty("timestamp").GetString()!));
        }

        var trail = (await dispatcher.DataAsync("query($id: ID!) { technicianTrail(technicianId: $id) { timestamp } }", new { id = devices[0].TechnicianId }))
            .GetProperty("technicianTrail");
        Assert.Equal(2, trail.GetArrayLength());
        // Keys survive too (only their hashes are stored).
        var answer = await server.PostFixesAsync(devices[0], TrackingServer.Fix(35.2, -90.2, DateTimeOffset.UtcNow));
        Assert.Equal(1, answer.GetProperty("accepted").GetInt32());
    }

    [Fact]
    public async Task Over_the_rate_limit_a_batch_is_refused_whole_with_429_and_retry_after()
    {
        await using var server = new TrackingServer(new Dictionary<string, string>
        {
            ["Dispatch__Tracking__RateLimit__Burst"] = "5",
            ["Dispatch__Tracking__RateLimit__PerSecond"] = "0.05",
        });
        await server.StartAsync();
        var device = await server.NewDeviceAsync();
        var other = await server.NewDeviceAsync();
        var t = DateTimeOffset.UtcNow.AddMinutes(-1);
        object[] Batch(int from, int count) => Enumerable.Range(from, count).Select(i => TrackingServer.Fix(30, -90, t.AddSeconds(i))).ToArray();

        var first = await server.PostFixesAsync(device, Batch(0, 4));
        using var client = server.DeviceClient(device.Credential);
        using var limited = await client.PostAsJsonAsync("/api/v1/locations", new { fixes = Batch(10, 2) });
        var otherDevice = await server.PostFixesAsync(other, Batch(0, 5)); // limits are per device

        Assert.Equal(4, first.GetProperty("accepted").GetInt32());
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal(5, otherDevice.GetProperty("accepted").GetInt32());
        using var dispatcher = server.Client(server.Token("dana", "Dispatcher"));
        var trail = (await dispatcher.DataAsync("query($id: ID!) { technicianTrail(technicianId: $id) { timestamp } }", new { id = device.TechnicianId }))
            .GetProperty("technicianTrail");
        Assert.Equal(4, trail.GetArrayLength()); // nothing of the refused batch was stored
    }
}
