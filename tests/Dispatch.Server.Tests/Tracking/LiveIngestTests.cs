using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dispatch.Server.Tests.Dispatching;
using Dispatch.Testing;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace Dispatch.Server.Tests.Tracking;

/// <summary>Every ingest path reaches a real graphql-transport-ws subscriber of the real server process.</summary>
public class LiveIngestTests(SharedTrackingServer shared) : IClassFixture<SharedTrackingServer>
{
    public const string Subscription = """
        subscription($ids: [ID!], $box: BoundingBoxInput) {
          technicianLocations(technicianIds: $ids, boundingBox: $box) { technicianId position { latitude longitude } timestamp speed heading accuracy }
        }
        """;

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private TrackingServer Server => shared.Server;

    private Task<GraphQLWsSubscriber> SubscribeAsync(object variables, string tenant = "default") =>
        GraphQLWsSubscriber.ConnectAsync(Server.WebSocketUri, Server.Token("dana", "Dispatcher", tenant), Subscription, variables);

    /// <summary>
    /// Sends fixes (each newer than the last) until the subscriber shows one: the subscription is set up asynchronously
    /// after the subscribe message, so the first fix may legitimately be sent before it listens.
    /// </summary>
    private static async Task<JsonElement> SendUntilReceivedAsync(GraphQLWsSubscriber subscriber, string technicianId, Func<int, Task> send)
    {
        var clock = Stopwatch.StartNew();
        for (var attempt = 0; ; attempt++)
        {
            await send(attempt);
            try
            {
                return await subscriber.WaitForLocationAsync(l => l.GetProperty("technicianId").GetString() == technicianId,
                    TimeSpan.FromMilliseconds(500), "the fix arrived");
            }
            catch (TimeoutException) when (clock.Elapsed < Deadline)
            {
            }
        }
    }

    [Fact]
    public async Task An_http_batch_reaches_a_graphql_ws_subscriber_with_the_newest_fix()
    {
        var device = await Server.NewDeviceAsync();
        await using var subscriber = await SubscribeAsync(new { ids = new[] { device.TechnicianId } });

        var received = await SendUntilReceivedAsync(subscriber, device.TechnicianId, async attempt =>
        {
            var now = DateTimeOffset.UtcNow;
            var answer = await Server.PostFixesAsync(device,
                TrackingServer.Fix(29.70, -95.30, now.AddSeconds(-2)), TrackingServer.Fix(29.71, -95.31, now.AddSeconds(-1), speed: 12.5));
            Assert.Equal(2, answer.GetProperty("accepted").GetInt32());
            Assert.Equal(30, answer.GetProperty("reportingIntervalSeconds").GetInt32());
        });

        Assert.Equal(29.71, received.GetProperty("position").GetProperty("latitude").GetDouble());
        Assert.Equal(12.5, received.GetProperty("speed").GetDouble());
        Assert.Equal(5, received.GetProperty("accuracy").GetDouble());
    }

    [Fact]
    public async Task OsmAnd_by_query_string_form_and_json_reaches_a_subscriber_with_speed_converted_from_knots()
    {
        var device = await Server.NewDeviceAsync(osmAnd: true);
        await using var subscriber = await SubscribeAsync(new { ids = new[] { device.TechnicianId } });
        using var http = new HttpClient { BaseAddress = Server.Process.BaseAddress };
        var seconds = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 300;

        // GET with the query string, as OsmAnd and Traccar Client send it; speed in knots.
        var received = await SendUntilReceivedAsync(subscriber, device.TechnicianId, async attempt =>
        {
            using var response = await http.GetAsync($"/osmand?id={device.DeviceId}&lat=29.75&lon=-95.35&timestamp={seconds + attempt}&speed=10&bearing=90&altitude=12&accuracy=4&batt=77");
            Assert.Equal(200, (int)response.StatusCode);
            Assert.Equal("", await response.Content.ReadAsStringAsync());
            Assert.True(response.Headers.Contains("X-Reporting-Interval"));
        });
        Assert.Equal(10 * 1852.0 / 3600, received.GetProperty("speed").GetDouble(), 6);
        Assert.Equal(90, received.GetProperty("heading").GetDouble());

        // POST form.
        using (var form = await http.PostAsync("/osmand", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["id"] = device.DeviceId, ["lat"] = "29.76", ["lon"] = "-95.36", ["timestamp"] = (seconds + 100).ToString(),
        })))
            Assert.Equal(200, (int)form.StatusCode);
        await subscriber.WaitForLocationAsync(l => l.GetProperty("position").GetProperty("latitude").GetDouble() == 29.76, Deadline, "the form fix arrived");

        // POST JSON as newer Traccar Client versions send it (speed already in m/s there, battery 0..1).
        var json = new
        {
            device_id = device.DeviceId,
            location = new
            {
                timestamp = DateTimeOffset.FromUnixTimeSeconds(seconds + 200).ToString("O"),
                coords = new { latitude = 29.77, longitude = -95.37, speed = 3.5, heading = 180.0, accuracy = 6.0, altitude = 20.0 },
                battery = new { level = 0.5 },
            },
        };
        using (var posted = await http.PostAsJsonAsync("/osmand", json))
            Assert.Equal(200, (int)posted.StatusCode);
        var fromJson = await subscriber.WaitForLocationAsync(l => l.GetProperty("position").GetProperty("latitude").GetDouble() == 29.77, Deadline, "the JSON fix arrived");
        Assert.Equal(3.5, fromJson.GetProperty("speed").GetDouble());
    }

    [Fact]
    public async Task SignalR_device_fixes_reach_a_graphql_subscriber_and_a_signalr_watcher()
    {
        var device = await Server.NewDeviceAsync();
        await using var subscriber = await SubscribeAsync(new { ids = new[] { device.TechnicianId } });
        await using var deviceConnection = Connect("device:" + device.Credential);
        await using var watcher = Connect(Server.Token("dana", "Dispatcher"));
        var watched = new List<JsonElement>();
        watcher.On<JsonElement>("locations", batch => { lock (watched) watched.AddRange(batch.EnumerateArray()); });
        await deviceConnection.StartAsync();
        await watcher.StartAsync();
        await watcher.InvokeAsync("WatchTechnicians", new[] { device.TechnicianId });

        await SendUntilReceivedAsync(subscriber, device.TechnicianId, async attempt =>
        {
            var fix = new { lat = 29.8, lon = -95.4, timestamp = DateTimeOffset.UtcNow.AddMilliseconds(-attempt), accuracy = 3.0 };
            var answer = await deviceConnection.InvokeAsync<JsonElement>("SendFixes", new[] { fix });
            Assert.Equal(1, answer.GetProperty("accepted").GetInt32());
        });
        await Eventually.Until(() => { lock (watched) return watched.Any(l => l.GetProperty("technicianId").GetString() == device.TechnicianId); },
            Deadline, "the SignalR watcher got the fix");
    }

    [Fact]
    public async Task The_graphql_ws_client_from_node_receives_a_posted_fix()
    {
        var device = await Server.NewDeviceAsync();
        await NodeE2E.EnsureInstalledAsync();
        using var node = E2e.Start("tracking-subscriber.mjs", Server.WebSocketUri.ToString(), Server.Token("dana", "Dispatcher"), device.TechnicianId);

        await Eventually.Until(async () =>
        {
            if (node.Process.HasExited)
                return true;
            await Server.PostFixesAsync(device, TrackingServer.Fix(29.9, -95.1, DateTimeOffset.UtcNow));
            return false;
        }, Deadline, "the node subscriber received a fix", TimeSpan.FromMilliseconds(250));

        await node.Process.WaitForExitAsync();
        Assert.True(node.Process.ExitCode == 0, node.Output);
        Assert.Contains("RECEIVED {\"technicianId\":\"" + device.TechnicianId, node.Output);
    }

    [Fact]
    public async Task Bounding_box_filtering_is_exact_at_the_edges_for_subscriptions_and_queries()
    {
        var box = new { minLatitude = 40.0, minLongitude = -100.0, maxLatitude = 40.5, maxLongitude = -99.5 };
        var inside = await Server.NewDeviceAsync();
        var outside = await Server.NewDeviceAsync();
        await using var subscriber = await SubscribeAsync(new { box });
        using var dispatcher = Server.Client(Server.Token("dana", "Dispatcher"));

        // On the north-east corner is inside (edges inclusive); a millionth of a degree further north is not.
        await SendUntilReceivedAsync(subscriber, inside.TechnicianId, async attempt =>
            await Server.PostFixesAsync(inside, TrackingServer.Fix(40.5, -99.5, DateTimeOffset.UtcNow.AddMilliseconds(-1000 + attempt))));
        await Server.PostFixesAsync(outside, TrackingServer.Fix(40.500001, -99.5, DateTimeOffset.UtcNow));
        // Once the index has the outside fix, every subscriber's filter has seen it (the host filters before indexing);
        // a later inside fix drains after it, so when that arrives, the outside one would have too.
        await Eventually.Until(async () => (await dispatcher.DataAsync("query($id: ID!) { technicianPosition(technicianId: $id) { technicianId } }",
            new { id = outside.TechnicianId })).GetProperty("technicianPosition").ValueKind != JsonValueKind.Null, Deadline, "the host saw the outside fix");
        await Server.PostFixesAsync(inside, TrackingServer.Fix(40.0, -100.0, DateTimeOffset.UtcNow));
        await subscriber.WaitForLocationAsync(l => l.GetProperty("position").GetProperty("latitude").GetDouble() == 40.0, Deadline, "the south-west corner fix arrived");

        Assert.DoesNotContain(subscriber.Locations, l => l.GetProperty("technicianId").GetString() == outside.TechnicianId);
        var onMap = (await dispatcher.DataAsync("query($box: BoundingBoxInput!) { technicianPositions(boundingBox: $box) { technicianId } }", new { box }))
            .GetProperty("technicianPositions").EnumerateArray().Select(p => p.GetProperty("technicianId").GetString()).ToArray();
        Assert.Contains(inside.TechnicianId, onMap);
        Assert.DoesNotContain(outside.TechnicianId, onMap);
    }

    [Fact]
    public async Task A_subscriber_only_ever_receives_its_own_tenants_fixes()
    {
        var mine = await Server.NewDeviceAsync(tenant: "acme");
        var theirs = await Server.NewDeviceAsync(tenant: "globex", technicianId: mine.TechnicianId); // same technician id, other tenant
        await using var subscriber = await SubscribeAsync(new { ids = new[] { mine.TechnicianId } }, tenant: "acme");

        await Server.PostFixesAsync(theirs, TrackingServer.Fix(10, 10, DateTimeOffset.UtcNow.AddSeconds(-5)));
        await SendUntilReceivedAsync(subscriber, mine.TechnicianId, async attempt =>
            await Server.PostFixesAsync(mine, TrackingServer.Fix(20, 20, DateTimeOffset.UtcNow.AddMilliseconds(-attempt))));
        using var globex = Server.Client(Server.Token("gabe", "Dispatcher", "globex"));
        var seenByGlobex = (await globex.DataAsync("query($id: ID!) { technicianPosition(technicianId: $id) { position { latitude } } }",
            new { id = mine.TechnicianId })).GetProperty("technicianPosition");

        Assert.All(subscriber.Locations, l => Assert.Equal(20, l.GetProperty("position").GetProperty("latitude").GetDouble()));
        Assert.Equal(10, seenByGlobex.GetProperty("position").GetProperty("latitude").GetDouble());
    }

    [Fact]
    public async Task A_signalr_watcher_by_bounding_box_gets_what_is_inside_edges_included_and_nothing_else()
    {
        var box = new { minLatitude = 41.0, minLongitude = -101.0, maxLatitude = 41.5, maxLongitude = -100.5 };
        var inside = await Server.NewDeviceAsync();
        var outside = await Server.NewDeviceAsync();
        await using var watcher = Connect(Server.Token("dana", "Dispatcher"));
        var watched = new List<JsonElement>();
        watcher.On<JsonElement>("locations", batch => { lock (watched) watched.AddRange(batch.EnumerateArray()); });
        await watcher.StartAsync();
        await watcher.InvokeAsync("WatchBoundingBox", box);
        bool Received(Func<JsonElement, bool> match) { lock (watched) return watched.Any(match); }
        using var dispatcher = Server.Client(Server.Token("dana", "Dispatcher"));

        // The south-west corner is inside; a millionth of a degree further west is not.
        await Server.PostFixesAsync(inside, TrackingServer.Fix(41.0, -101.0, DateTimeOffset.UtcNow.AddSeconds(-5)));
        await Eventually.Until(() => Received(l => l.GetProperty("technicianId").GetString() == inside.TechnicianId), Deadline, "the corner fix arrived");
        await Server.PostFixesAsync(outside, TrackingServer.Fix(41.0, -101.000001, DateTimeOffset.UtcNow));
        await Eventually.Until(async () => (await dispatcher.DataAsync("query($id: ID!) { technicianPosition(technicianId: $id) { technicianId } }",
            new { id = outside.TechnicianId })).GetProperty("technicianPosition").ValueKind != JsonValueKind.Null, Deadline, "the host saw the outside fix");
        // Filtered on the same host after the outside fix: once this arrives, the outside one would have too.
        await Server.PostFixesAsync(inside, TrackingServer.Fix(41.5, -100.5, DateTimeOffset.UtcNow));
        await Eventually.Until(() => Received(l => l.GetProperty("latitude").GetDouble() == 41.5), Deadline, "the north-east corner fix arrived");

        Assert.False(Received(l => l.GetProperty("technicianId").GetString() == outside.TechnicianId));
    }

    [Fact]
    public async Task A_posted_fix_moves_the_technician_for_best_match()
    {
        // A tenant of its own, so no other test's technicians compete.
        var tenant = "bm" + Guid.NewGuid().ToString("N")[..8];
        using var dispatcher = Server.Client(Server.Token("dana", "Dispatcher", tenant));
        var api = new DispatchApi(dispatcher);
        var technicianId = await api.CreateTechnicianAsync(lat: 32.78, lon: -96.80); // based in Dallas
        var device = await Server.RegisterDeviceAsync(technicianId, "user-" + technicianId, tenant);
        var orderId = await api.CreateOrderAsync(lat: 29.76, lon: -95.37); // a job in Houston
        var now = DateTimeOffset.UtcNow;
        const string Suggest = "query($id: ID!, $window: TimeWindowInput) { suggestTechnicians(workOrderId: $id, window: $window) " +
            "{ ranked { technicianId travelOrigin travelTimeMinutes } } }";
        var variables = new { id = orderId, window = DispatchApi.Window((now.AddMinutes(30), now.AddMinutes(150))) };
        JsonElement Match(JsonElement data) =>
            data.GetProperty("suggestTechnicians").GetProperty("ranked").EnumerateArray().Single(r => r.GetProperty("technicianId").GetString() == technicianId);

        var fromHome = Match(await dispatcher.DataAsync(Suggest, variables));
        await Server.PostFixesAsync(device, TrackingServer.Fix(29.77, -95.37, now));

        Assert.Equal("HOME_BASE", fromHome.GetProperty("travelOrigin").GetString());
        await Eventually.Until(async () =>
        {
            var match = Match(await dispatcher.DataAsync(Suggest, variables));
            return match.GetProperty("travelOrigin").GetString() == "CURRENT_LOCATION" && match.GetProperty("travelTimeMinutes").GetInt32() <= 5;
        }, Deadline, "best match travels from the tracked position", TimeSpan.FromMilliseconds(200));
    }

    private HubConnection Connect(string token) => new HubConnectionBuilder()
        .WithUrl(new Uri(Server.Process.BaseAddress, "/hubs/tracking"), o =>
        {
            o.Transports = HttpTransportType.WebSockets;
            o.SkipNegotiation = true;
            o.AccessTokenProvider = () => Task.FromResult<string?>(token);
        })
        .Build();
}

/// <summary>The node scripts in tests/e2e.</summary>
internal static class E2e
{
    public static NodeRun Start(string script, params string[] args) =>
        script == "npm" ? new NodeRun("npm", args) : new NodeRun("node", [script, .. args]);

    public sealed class NodeRun : IDisposable
    {
        private readonly StringBuilder _output = new();

        public NodeRun(string fileName, string[] args)
        {
            var start = new ProcessStartInfo(fileName)
            {
                WorkingDirectory = NodeE2E.Directory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in args)
                start.ArgumentList.Add(arg);
            Process = new Process { StartInfo = start };
            Process.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
            Process.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
            Process.Start();
            Process.BeginOutputReadLine();
            Process.BeginErrorReadLine();
        }

        public Process Process { get; }

        public string Output
        {
            get
            {
                lock (_output)
                    return _output.ToString();
            }
        }

        public void Dispose()
        {
            if (!Process.HasExited)
                Process.Kill(entireProcessTree: true);
            Process.Dispose();
        }
    }
}
