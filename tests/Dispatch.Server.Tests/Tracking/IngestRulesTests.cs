using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dispatch.Testing;

namespace Dispatch.Server.Tests.Tracking;

/// <summary>What the ingest endpoints accept and refuse, over real HTTP against the real server.</summary>
public class IngestRulesTests(SharedTrackingServer shared) : IClassFixture<SharedTrackingServer>
{
    private const string Position = "query($id: ID!) { technicianPosition(technicianId: $id) { position { latitude } timestamp } }";
    private const string Trail = "query($id: ID!) { technicianTrail(technicianId: $id) { position { latitude } source } }";
    private TrackingServer Server => shared.Server;

    private static DateTimeOffset Ms(DateTimeOffset t) => DateTimeOffset.FromUnixTimeMilliseconds(t.ToUnixTimeMilliseconds());

    [Fact]
    public async Task Duplicates_are_idempotent_and_late_fixes_fill_the_trail_without_moving_the_position_back()
    {
        var device = await Server.NewDeviceAsync();
        using var dispatcher = Server.Client(Server.Token("dana", "Dispatcher"));
        var t = Ms(DateTimeOffset.UtcNow.AddMinutes(-1));
        object[] batch = [TrackingServer.Fix(29.70, -95.3, t), TrackingServer.Fix(29.72, -95.3, t.AddSeconds(20))];

        var first = await Server.PostFixesAsync(device, batch);
        var retry = await Server.PostFixesAsync(device, batch);
        var late = await Server.PostFixesAsync(device, TrackingServer.Fix(29.71, -95.3, t.AddSeconds(10)));

        Assert.Equal((2, 0), (first.GetProperty("accepted").GetInt32(), first.GetProperty("duplicates").GetInt32()));
        Assert.Equal((2, 2), (retry.GetProperty("accepted").GetInt32(), retry.GetProperty("duplicates").GetInt32()));
        Assert.Equal((1, 0), (late.GetProperty("accepted").GetInt32(), late.GetProperty("duplicates").GetInt32()));
        var position = (await dispatcher.DataAsync(Position, new { id = device.TechnicianId })).GetProperty("technicianPosition");
        Assert.Equal(29.72, position.GetProperty("position").GetProperty("latitude").GetDouble());
        var trail = (await dispatcher.DataAsync(Trail, new { id = device.TechnicianId })).GetProperty("technicianTrail");
        Assert.Equal([29.70, 29.71, 29.72], trail.EnumerateArray().Select(p => p.GetProperty("position").GetProperty("latitude").GetDouble()));
        Assert.All(trail.EnumerateArray(), p => Assert.Equal(device.DeviceId, p.GetProperty("source").GetString()));
    }

    [Fact]
    public async Task Invalid_fixes_are_rejected_with_reasons_while_valid_ones_in_the_batch_are_kept()
    {
        var device = await Server.NewDeviceAsync();
        var now = DateTimeOffset.UtcNow;

        var answer = await Server.PostFixesAsync(device,
            TrackingServer.Fix(29.7, -95.3, now),
            TrackingServer.Fix(91, -95.3, now),
            TrackingServer.Fix(29.7, -95.3, now.AddHours(2)),
            TrackingServer.Fix(29.7, -95.3, now.AddYears(-3)),
            new { lat = 29.7, lon = -95.3, timestamp = now.ToString("O"), accuracy = -3 },
            new { lat = 29.7, lon = -95.3 });

        Assert.Equal((1, 5), (answer.GetProperty("accepted").GetInt32(), answer.GetProperty("rejected").GetInt32()));
        Assert.Equal(["1:INVALID_COORDINATES", "2:TIMESTAMP_IN_FUTURE", "3:TIMESTAMP_TOO_OLD", "4:INVALID_ACCURACY", "5:MISSING_TIMESTAMP"],
            answer.GetProperty("rejections").EnumerateArray().Select(r => $"{r.GetProperty("index").GetInt32()}:{r.GetProperty("code").GetString()}"));
        Assert.All(answer.GetProperty("rejections").EnumerateArray(), r => Assert.False(string.IsNullOrEmpty(r.GetProperty("message").GetString())));
    }

    [Fact]
    public async Task Malformed_requests_are_problem_json_and_store_nothing()
    {
        var device = await Server.NewDeviceAsync();
        using var client = Server.DeviceClient(device.Credential);
        using var dispatcher = Server.Client(Server.Token("dana", "Dispatcher"));
        var now = DateTimeOffset.UtcNow.ToString("O");

        async Task<(HttpStatusCode, string?, JsonElement)> Post(string body, string type = "application/json")
        {
            using var response = await client.PostAsync("/api/v1/locations", new StringContent(body, Encoding.UTF8, type));
            var text = await response.Content.ReadAsStringAsync();
            return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, text.Length > 0 ? JsonDocument.Parse(text).RootElement.Clone() : default);
        }

        var notJson = await Post("{\"fixes\": [");
        var noArray = await Post("{\"fix\": {}}");
        var wrongType = await Post($"{{\"fixes\": [{{\"lat\": 29.7, \"lon\": -95.3, \"timestamp\": \"{now}\"}}, {{\"lat\": \"north\", \"lon\": 1, \"timestamp\": \"{now}\"}}]}}");
        var badTime = await Post("{\"fixes\": [{\"lat\": 29.7, \"lon\": -95.3, \"timestamp\": \"yesterday\"}]}");
        var tooMany = await Post(JsonSerializer.Serialize(new { fixes = Enumerable.Repeat(TrackingServer.Fix(1, 1, DateTimeOffset.UtcNow), 501) }));
        var text = await Post("lat=1", "text/plain");

        foreach (var (status, type, _) in new[] { notJson, noArray, wrongType, badTime, tooMany })
        {
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Equal("application/problem+json", type);
        }
        Assert.True(wrongType.Item3.GetProperty("errors").TryGetProperty("fixes[1].lat", out _));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, text.Item1);
        // The valid first fix of the malformed batch was not stored either.
        var position = (await dispatcher.DataAsync(Position, new { id = device.TechnicianId })).GetProperty("technicianPosition");
        Assert.Equal(JsonValueKind.Null, position.ValueKind);
    }

    [Fact]
    public async Task Device_keys_authenticate_and_revocation_takes_effect_at_once()
    {
        var device = await Server.NewDeviceAsync(osmAnd: true);
        using var dispatcher = Server.Client(Server.Token("dana", "Dispatcher"));
        using var anonymous = new HttpClient { BaseAddress = Server.Process.BaseAddress };
        using var wrongKey = Server.DeviceClient($"{device.Tenant}/{device.DeviceId}:{device.Key[..^2]}xx");
        using var unqualified = Server.DeviceClient($"{device.DeviceId}:{device.Key}"); // the default tenant may be left out
        using var unknown = Server.DeviceClient($"default/nobody:{device.Key}");
        var body = new { fixes = new[] { TrackingServer.Fix(29.7, -95.3, DateTimeOffset.UtcNow) } };

        using var noHeader = await anonymous.PostAsJsonAsync("/api/v1/locations", body);
        using var wrong = await wrongKey.PostAsJsonAsync("/api/v1/locations", body);
        using var stranger = await unknown.PostAsJsonAsync("/api/v1/locations", body);
        using var ok = await unqualified.PostAsJsonAsync("/api/v1/locations", body);
        using var admin = Server.Client(Server.Token("ada", "Admin"));
        var revoked = (await admin.DataAsync("mutation($id: ID!) { revokeDevice(id: $id) { revokedAt } }", new { id = device.DeviceId }))
            .GetProperty("revokeDevice");
        using var afterRevoke = await unqualified.PostAsJsonAsync("/api/v1/locations", body);
        using var osmAndAfterRevoke = await anonymous.GetAsync($"/osmand?id={device.DeviceId}&lat=1&lon=1");

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.OK, HttpStatusCode.Unauthorized],
            new[] { noHeader, wrong, stranger, ok, afterRevoke }.Select(r => r.StatusCode));
        Assert.Equal("Device", wrong.Headers.WwwAuthenticate.Single().Scheme);
        Assert.NotEqual(JsonValueKind.Null, revoked.GetProperty("revokedAt").ValueKind);
        // Revoking an OsmAnd device frees its identifier: the id is then unknown.
        Assert.Equal(HttpStatusCode.NotFound, osmAndAfterRevoke.StatusCode);
    }

    [Fact]
    public async Task OsmAnd_refuses_malformed_and_unknown_devices_and_drops_fixes_it_can_never_accept()
    {
        var device = await Server.NewDeviceAsync(osmAnd: true);
        var keyed = await Server.NewDeviceAsync(osmAnd: false);
        using var http = new HttpClient { BaseAddress = Server.Process.BaseAddress };

        using var noId = await http.GetAsync("/osmand?lat=1&lon=1");
        using var badLat = await http.GetAsync($"/osmand?id={device.DeviceId}&lat=abc&lon=1");
        using var outOfRange = await http.GetAsync($"/osmand?id={device.DeviceId}&lat=100&lon=1");
        using var unknown = await http.GetAsync("/osmand?id=not-registered&lat=1&lon=1");
        using var notOsmAnd = await http.GetAsync($"/osmand?id={keyed.DeviceId}&lat=1&lon=1");
        using var clockYearsOff = await http.GetAsync($"/osmand?id={device.DeviceId}&lat=1&lon=1&timestamp=946684800");
        using var withWrongKey = await http.GetAsync($"/osmand?id={device.DeviceId}&lat=1&lon=1&key=wrong");
        using var withKey = await http.GetAsync($"/osmand?id={device.DeviceId}&lat=1&lon=1&key={device.Key}");

        Assert.Equal([HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.NotFound, HttpStatusCode.NotFound,
            HttpStatusCode.OK, HttpStatusCode.Unauthorized, HttpStatusCode.OK],
            new[] { noId, badLat, outOfRange, unknown, notOsmAnd, clockYearsOff, withWrongKey, withKey }.Select(r => r.StatusCode));
        Assert.Equal("TIMESTAMP_TOO_OLD", clockYearsOff.Headers.GetValues("X-Fix-Rejected").Single());
    }

    [Fact]
    public async Task The_app_reports_for_its_own_technician_only()
    {
        var device = await Server.NewDeviceAsync();
        const string Report = """
            mutation($input: ReportLocationInput!) { reportLocation(input: $input) { accepted duplicates rejected rejections { index code } reportingIntervalSeconds } }
            """;
        object Input(double lat) => new { input = new { technicianId = device.TechnicianId, fixes = new[]
        {
            new { latitude = lat, longitude = -95.3, timestamp = DateTimeOffset.UtcNow.ToString("O"), accuracy = (double?)4 },
            new { latitude = 200.0, longitude = -95.3, timestamp = DateTimeOffset.UtcNow.ToString("O"), accuracy = (double?)null },
        } } };

        using var own = Server.Client(Server.Token(device.UserId, "Technician"));
        using var colleague = Server.Client(Server.Token("someone-else", "Technician"));
        using var dispatcher = Server.Client(Server.Token("dana", "Dispatcher"));
        var report = (await own.DataAsync(Report, Input(29.65))).GetProperty("reportLocation");
        var notYours = await colleague.PostAsync(Report, Input(1));
        var notATechnician = await dispatcher.PostAsync(Report, Input(1));

        Assert.Equal((1, 1, 30), (report.GetProperty("accepted").GetInt32(), report.GetProperty("rejected").GetInt32(),
            report.GetProperty("reportingIntervalSeconds").GetInt32()));
        Assert.Equal("INVALID_COORDINATES", report.GetProperty("rejections")[0].GetProperty("code").GetString());
        Assert.Equal("FORBIDDEN", notYours.ErrorCode());
        Assert.Equal("FORBIDDEN", notATechnician.ErrorCode());
        var trail = (await dispatcher.DataAsync(Trail, new { id = device.TechnicianId })).GetProperty("technicianTrail");
        Assert.Equal("app:" + device.UserId, trail.EnumerateArray().Single().GetProperty("source").GetString());
    }

    [Fact]
    public async Task Positions_trails_and_devices_are_for_dispatchers_and_admins()
    {
        var device = await Server.NewDeviceAsync();
        using var technician = Server.Client(Server.Token(device.UserId, "Technician"));

        var positions = await technician.PostAsync("{ technicianPositions(boundingBox: {minLatitude: 0, minLongitude: 0, maxLatitude: 1, maxLongitude: 1}) { technicianId } }");
        var register = await technician.PostAsync("mutation($t: ID!) { registerDevice(input: { technicianId: $t }) { key } }", new { t = device.TechnicianId });
        var badBox = await Server.Client(Server.Token("dana", "Dispatcher"))
            .PostAsync("{ technicianPositions(boundingBox: {minLatitude: 2, minLongitude: 0, maxLatitude: 1, maxLongitude: 1}) { technicianId } }");

        Assert.Equal("FORBIDDEN", positions.ErrorCode());
        Assert.Equal("FORBIDDEN", register.ErrorCode());
        Assert.Equal("VALIDATION", badBox.ErrorCode());
    }
}
