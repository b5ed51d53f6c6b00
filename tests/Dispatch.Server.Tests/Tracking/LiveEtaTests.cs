using System.Text.Json;
using Dispatch.Server.Tests.Dispatching;
using Dispatch.Testing;

namespace Dispatch.Server.Tests.Tracking;

/// <summary>
/// Live ETA end to end against the real server process: a dispatched order goes En Route, a device posts fixes over HTTP,
/// and real graphql-transport-ws subscribers to <c>workOrderUpdated</c> and <c>boardUpdated</c> see the ETA and late risk.
/// </summary>
public class LiveEtaTests(LiveEtaTests.Server shared) : IClassFixture<LiveEtaTests.Server>
{
    /// <summary>A server whose ETA throttle is short, so a test sees a second update within a second.</summary>
    public sealed class Server : IAsyncLifetime
    {
        public TrackingServer Tracking { get; } = new(new Dictionary<string, string> { ["Dispatch__Tracking__Eta__ReportEvery"] = "00:00:01" });

        public async ValueTask InitializeAsync() => await Tracking.StartAsync();

        public ValueTask DisposeAsync() => Tracking.DisposeAsync();
    }

    private const string Events = """
        kind version workOrder { id status eta { arrivesAt distanceMeters basedOnFixAt lateRisk arrived technicianId } }
        """;

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private const double SiteLatitude = 29.76, SiteLongitude = -95.37;

    private TrackingServer Tracking => shared.Tracking;

    private static JsonElement Eta(JsonElement change) => change.GetProperty("workOrder").GetProperty("eta");

    [Fact]
    public async Task Fixes_posted_by_a_device_give_subscribers_a_live_eta_and_then_late_risk()
    {
        using var dispatcher = Tracking.Client(Tracking.Token("dana", "Dispatcher"));
        var api = new DispatchApi(dispatcher);
        var technicianId = DispatchApi.NewId("tech");
        var userId = "user-" + technicianId;
        await api.CreateTechnicianAsync(technicianId, userId: userId);
        var device = await Tracking.RegisterDeviceAsync(technicianId, userId);
        var orderId = await api.CreateOrderAsync(lat: SiteLatitude, lon: SiteLongitude);
        var now = DateTimeOffset.UtcNow;
        var windowEnd = now.AddMinutes(15);
        var dispatched = await api.DispatchAsync(orderId, [technicianId], (now.AddMinutes(1), windowEnd));
        Assert.Equal("DISPATCHED", dispatched.GetProperty("data").GetProperty("dispatchWorkOrder").GetProperty("outcome").GetString());

        await using var single = await GraphQLWsSubscriber.ConnectAsync(Tracking.WebSocketUri, Tracking.Token("dana", "Dispatcher"),
            $$"""subscription($id: ID!) { workOrderUpdated(id: $id) { {{Events}} } }""", new { id = orderId });
        await using var board = await GraphQLWsSubscriber.ConnectAsync(Tracking.WebSocketUri, Tracking.Token("dana", "Dispatcher"),
            $$"""subscription { boardUpdated { {{Events}} } }""");
        // Subscriptions start asynchronously after the subscribe message: a note per attempt until both listen.
        await Eventually.Until(async () =>
        {
            await dispatcher.DataAsync("mutation($input: AddWorkOrderNoteInput!) { addWorkOrderNote(input: $input) { id } }",
                new { input = new { id = orderId, note = "probe" } });
            return single.Payloads("workOrderUpdated").Any() && board.Payloads("boardUpdated").Any(c => c.GetProperty("workOrder").GetProperty("id").GetString() == orderId);
        }, Deadline, "both subscriptions are live", TimeSpan.FromMilliseconds(200));

        // The technician sets off (from the app, as the technician).
        using var technician = Tracking.Client(Tracking.Token(userId, "Technician"));
        await technician.DataAsync("mutation($input: UpdateWorkOrderStatusInput!) { updateWorkOrderStatus(input: $input) { status } }",
            new { input = new { id = orderId, status = "EN_ROUTE" } });

        // 6.7 km north of the site (8.7 km by road), driving at 12 m/s: about 12 minutes, inside the window.
        var fixAt = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var answer = await Tracking.PostFixesAsync(device, TrackingServer.Fix(SiteLatitude + 0.06, SiteLongitude, fixAt, speed: 12));
        Assert.Equal(1, answer.GetProperty("accepted").GetInt32());
        Assert.Equal(15, answer.GetProperty("reportingIntervalSeconds").GetInt32()); // en route, arrival more than 10 minutes out

        var onTime = await single.WaitForPayloadAsync("workOrderUpdated", c => c.GetProperty("kind").GetString() == "ETA_UPDATED", Deadline, "the first ETA");
        var eta = Eta(onTime);
        Assert.False(eta.GetProperty("lateRisk").GetBoolean());
        Assert.Equal(fixAt, eta.GetProperty("basedOnFixAt").GetDateTimeOffset());
        Assert.InRange(eta.GetProperty("distanceMeters").GetDouble(), 8_650, 8_700);
        Assert.InRange((eta.GetProperty("arrivesAt").GetDateTimeOffset() - fixAt).TotalMinutes, 11.9, 12.2);
        Assert.Equal(technicianId, eta.GetProperty("technicianId").GetString());
        Assert.Equal("EN_ROUTE", onTime.GetProperty("workOrder").GetProperty("status").GetString());

        // Then the device shows the technician stuck 45 km away: by the window's end they cannot make it.
        await Tracking.PostFixesAsync(device, TrackingServer.Fix(SiteLatitude + 0.4, SiteLongitude, fixAt.AddSeconds(30), speed: 0));
        var late = await single.WaitForPayloadAsync("workOrderUpdated", c => c.GetProperty("kind").GetString() == "ETA_UPDATED" && Eta(c).GetProperty("lateRisk").GetBoolean(),
            Deadline, "late risk on workOrderUpdated");
        Assert.True(Eta(late).GetProperty("arrivesAt").GetDateTimeOffset() > windowEnd);
        await board.WaitForPayloadAsync("boardUpdated", c => c.GetProperty("kind").GetString() == "ETA_UPDATED" && Eta(c).GetProperty("lateRisk").GetBoolean(),
            Deadline, "late risk on boardUpdated");

        var order = (await dispatcher.DataAsync("query($id: ID!) { workOrder(id: $id) { eta { lateRisk } timeline { kind summary } } }", new { id = orderId }))
            .GetProperty("workOrder");
        Assert.True(order.GetProperty("eta").GetProperty("lateRisk").GetBoolean());
        Assert.Single(order.GetProperty("timeline").EnumerateArray(), e => e.GetProperty("summary").GetString()!.StartsWith("Late risk", StringComparison.Ordinal));

        // On site, the ETA is gone, and subscribers see it go.
        await technician.DataAsync("mutation($input: UpdateWorkOrderStatusInput!) { updateWorkOrderStatus(input: $input) { status } }",
            new { input = new { id = orderId, status = "ON_SITE" } });
        var onSite = await single.WaitForPayloadAsync("workOrderUpdated", c => c.GetProperty("workOrder").GetProperty("status").GetString() == "ON_SITE", Deadline, "on site");
        Assert.Equal(JsonValueKind.Null, Eta(onSite).ValueKind);
    }
}
