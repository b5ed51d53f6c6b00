using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Dispatch.Testing;

namespace Dispatch.Cluster.Tests;

/// <summary>Our meter, Orleans' and ASP.NET Core's, as Prometheus scrapes them from a real server after real traffic.</summary>
public partial class MetricsTests(SingleServer server) : IClassFixture<SingleServer>
{
    [Fact]
    public async Task Fixes_dispatches_open_subscriptions_and_fan_out_lag_are_measured()
    {
        using var office = server.Client(server.Token("dana", "Dispatcher"));
        var tech = "tech-" + Guid.NewGuid().ToString("N")[..8];
        await office.DataAsync("mutation($input: CreateTechnicianInput!) { createTechnician(input: $input) { id } }",
            new { input = new { id = tech, name = "Metered", skills = new[] { "pump" }, userId = "u-" + tech } });
        var shifts = Enum.GetNames<DayOfWeek>().Select(d => new { day = d.ToUpperInvariant(), start = "00:00", end = "00:00" }).ToArray();
        await office.DataAsync("mutation($input: SetTechnicianWorkingHoursInput!) { setTechnicianWorkingHours(input: $input) { id } }",
            new { input = new { technicianId = tech, shifts } });
        using var admin = server.Client(server.Token("ops", "Admin")); // devices are admin work
        var credential = (await admin.DataAsync("mutation($input: RegisterDeviceInput!) { registerDevice(input: $input) { credential } }",
            new { input = new { id = "dev-" + tech, technicianId = tech } })).GetProperty("registerDevice").GetProperty("credential").GetString()!;

        var before = await ScrapeAsync();

        // Two orders for one slot: one dispatched, one in conflict.
        var slot = new { start = DateTimeOffset.UtcNow.Date.AddDays(4).AddHours(9), end = DateTimeOffset.UtcNow.Date.AddDays(4).AddHours(11) };
        foreach (var id in new[] { "m1-" + tech, "m2-" + tech })
        {
            await office.DataAsync("mutation($input: CreateWorkOrderInput!) { createWorkOrder(input: $input) { id } }",
                new { input = new { id, title = "Metered", customer = new { name = "C" }, site = new { address = "1 Main St" }, requiredSkills = new[] { "pump" } } });
            await office.PostAsync("mutation($input: DispatchWorkOrderInput!) { dispatchWorkOrder(input: $input) { outcome } }",
                new { input = new { id, technicianIds = new[] { tech }, arrivalWindow = slot } });
        }

        // Live subscribers (GraphQL over WebSocket), then fixes they receive: one accepted, one refused.
        var ws = new Uri($"ws://{server.Process.BaseAddress.Authority}/graphql");
        var token = server.Token("dana", "Dispatcher");
        await using var board = await GraphQLWsSubscriber.ConnectAsync(ws, token, "subscription { boardUpdated { version } }");
        await using var positions = await GraphQLWsSubscriber.ConnectAsync(ws, token,
            "subscription($ids: [ID!]) { technicianLocations(technicianIds: $ids) { technicianId } }", new { ids = new[] { tech } });
        using var device = new HttpClient { BaseAddress = server.Process.BaseAddress };
        device.DefaultRequestHeaders.Authorization = new("Device", credential);
        await Eventually.Until(async () =>
        {
            using var posted = await device.PostAsJsonAsync("/api/v1/locations", new
            {
                fixes = new object[]
                {
                    new { lat = 29.7, lon = -95.3, timestamp = DateTimeOffset.UtcNow.ToString("O") },
                    new { lat = 291.7, lon = -95.3, timestamp = DateTimeOffset.UtcNow.ToString("O") },
                },
            });
            Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
            return positions.Locations.Count > 0;
        }, TimeSpan.FromSeconds(30), "the position subscriber receives a fix", TimeSpan.FromMilliseconds(250));

        await Eventually.Until(async () =>
        {
            var after = await ScrapeAsync();
            return Sum(after, "dispatch_dispatches_total", "outcome=\"dispatched\"") >= Sum(before, "dispatch_dispatches_total", "outcome=\"dispatched\"") + 1
                && Sum(after, "dispatch_dispatches_total", "outcome=\"conflicts\"") >= Sum(before, "dispatch_dispatches_total", "outcome=\"conflicts\"") + 1
                && Sum(after, "dispatch_fixes_accepted_total") > Sum(before, "dispatch_fixes_accepted_total")
                && Sum(after, "dispatch_fixes_rejected_total") > Sum(before, "dispatch_fixes_rejected_total")
                && Sum(after, "dispatch_subscriptions_open", "feed=\"work_orders\"") >= 1
                && Sum(after, "dispatch_subscriptions_open", "feed=\"locations\"") >= 1
                && Sum(after, "dispatch_fanout_lag_milliseconds_count") > Sum(before, "dispatch_fanout_lag_milliseconds_count")
                && after.Any(line => line.StartsWith("orleans_", StringComparison.Ordinal))
                && after.Any(line => line.StartsWith("http_server_request_duration", StringComparison.Ordinal));
        }, TimeSpan.FromSeconds(30), "the scrape shows the traffic", TimeSpan.FromMilliseconds(500));

        // Closed subscriptions are no longer counted.
        await board.DisposeAsync();
        await positions.DisposeAsync();
        await Eventually.Until(async () => Sum(await ScrapeAsync(), "dispatch_subscriptions_open") == 0, TimeSpan.FromSeconds(30),
            "the gauge drops when subscribers leave", TimeSpan.FromMilliseconds(500));
    }

    private async Task<string[]> ScrapeAsync()
    {
        using var client = server.Client();
        using var response = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadAsStringAsync()).Split('\n');
    }

    /// <summary>The sum of every sample of <paramref name="metric"/> whose labels contain <paramref name="label"/>.</summary>
    private static double Sum(string[] scrape, string metric, string? label = null) =>
        scrape.Select(line => Sample().Match(line))
            .Where(m => m.Success && m.Groups["name"].Value == metric && (label is null || m.Groups["labels"].Value.Contains(label, StringComparison.Ordinal)))
            .Sum(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})?\s+(?<value>[-+0-9.eE]+|NaN)(\s+\d+)?\s*$")]
    private static partial Regex Sample();
}
