using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Dispatch.Testing;

namespace Dispatch.Server.Tests.Tracking;

/// <summary>
/// Clients that stop reading their sockets (a GraphQL subscriber and a SignalR watcher) while a fleet keeps reporting:
/// ingest goes on, a healthy subscriber keeps receiving, and what the server holds for the stalled ones stays bounded.
/// </summary>
public class SlowSubscriberTests(SharedTrackingServer shared, ITestOutputHelper output) : IClassFixture<SharedTrackingServer>
{
    private const int Technicians = 100;
    private const int Rounds = 150;
    private static readonly object Box = new { minLatitude = 10.0, minLongitude = 10.0, maxLatitude = 12.0, maxLongitude = 12.0 };
    private TrackingServer Server => shared.Server;

    [Fact]
    public async Task Stalled_subscribers_keep_server_memory_bounded_while_another_keeps_receiving()
    {
        var devices = new TestDevice[Technicians];
        await Parallel.ForEachAsync(Enumerable.Range(0, Technicians), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (i, _) => devices[i] = await Server.NewDeviceAsync());
        var token = Server.Token("dana", "Dispatcher");
        await using var healthy = await GraphQLWsSubscriber.ConnectAsync(Server.WebSocketUri, token, LiveIngestTests.Subscription, new { box = Box });
        await using var stalled = await GraphQLWsSubscriber.ConnectAsync(Server.WebSocketUri, token, LiveIngestTests.Subscription, new { box = Box });
        using var stalledWatcher = await StalledSignalRWatcherAsync(token);
        stalled.StopReading();
        using var admin = Server.Client(Server.Token("ops", "Admin"));
        var before = await StatsAsync(admin);

        // The fleet reports: every technician moves every round, each fix a separate HTTP request.
        var clients = devices.Select(d => Server.DeviceClient(d.Credential)).ToArray();
        var t0 = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.AddMinutes(-3).ToUnixTimeMilliseconds());
        var maxBuffered = 0;
        for (var round = 0; round < Rounds; round++)
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, Technicians), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
            {
                var fix = TrackingServer.Fix(10.5 + round * 0.005, 10.5 + i * 0.005, t0.AddMilliseconds(round * 100));
                using var response = await clients[i].PostAsJsonAsync("/api/v1/locations", new { fixes = new[] { fix } });
                Assert.True(response.IsSuccessStatusCode, $"ingest answered {(int)response.StatusCode}");
            });
            if (round % 25 == 0)
                maxBuffered = Math.Max(maxBuffered, (await StatsAsync(admin)).GetProperty("bufferedUpdates").GetInt32());
        }

        var last = t0.AddMilliseconds((Rounds - 1) * 100);
        await Eventually.Until(() =>
        {
            var newest = healthy.Locations.GroupBy(l => l.GetProperty("technicianId").GetString())
                .Count(g => g.Any(l => DateTimeOffset.Parse(l.GetProperty("timestamp").GetString()!) == last));
            return newest == Technicians;
        }, TimeSpan.FromSeconds(60), "the healthy subscriber got every technician's newest position");

        var after = await StatsAsync(admin);
        output.WriteLine($"before: {before}");
        output.WriteLine($"after:  {after}; largest buffered sample {maxBuffered}; stalled GraphQL events read {stalled.Events.Count}");
        // Each subscriber holds at most one waiting update per technician, whatever the fleet sent.
        Assert.True(maxBuffered <= 3 * Technicians, $"buffered {maxBuffered}");
        Assert.True(after.GetProperty("bufferedUpdates").GetInt32() <= 3 * Technicians);
        var growth = after.GetProperty("workingSetBytes").GetInt64() - before.GetProperty("workingSetBytes").GetInt64();
        Assert.True(growth < 512L * 1024 * 1024, $"working set grew by {growth / (1024 * 1024)} MiB");
        foreach (var client in clients)
            client.Dispose();
    }

    private static async Task<JsonElement> StatsAsync(HttpClient admin) =>
        JsonDocument.Parse(await admin.GetStringAsync("/api/v1/tracking/stats")).RootElement.Clone();

    /// <summary>A SignalR client at the protocol level: handshake, WatchBoundingBox, then it never reads again.</summary>
    private async Task<ClientWebSocket> StalledSignalRWatcherAsync(string token)
    {
        var socket = new ClientWebSocket();
        var uri = new Uri($"ws://{Server.Process.BaseAddress.Authority}/hubs/tracking?access_token={Uri.EscapeDataString(token)}");
        await socket.ConnectAsync(uri, CancellationToken.None);
        const char separator = '\u001e';
        await socket.SendAsync(Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}" + separator), WebSocketMessageType.Text, true, CancellationToken.None);
        var invocation = JsonSerializer.Serialize(new { type = 1, invocationId = "1", target = "WatchBoundingBox", arguments = new[] { Box } });
        await socket.SendAsync(Encoding.UTF8.GetBytes(invocation + separator), WebSocketMessageType.Text, true, CancellationToken.None);

        // Read until the invocation's completion (type 3), then stop reading for good.
        var received = new StringBuilder();
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!received.ToString().Contains("\"type\":3"))
        {
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            received.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
        }
        Assert.DoesNotContain("\"error\"", received.ToString());
        return socket;
    }
}
