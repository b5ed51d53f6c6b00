using System.Text.Json;
using Dispatch.Testing;

namespace Dispatch.Server.Tests;

/// <summary>The GraphQL API over real HTTP against the real server: each mutation's success and its refusals.</summary>
public class GraphQLApiTests(SharedServer server) : IClassFixture<SharedServer>
{
    private const string CreateOrder = """
        mutation($input: CreateWorkOrderInput!) { createWorkOrder(input: $input) { id status priority version
          customer { name tier } site { address location { latitude longitude } } timeline { actorId actorName kind } } }
        """;
    private const string ReadOrder = "query($id: ID!) { workOrder(id: $id) { id status version timeline { kind note } } }";
    private const string ChangeStatus = "mutation($input: UpdateWorkOrderStatusInput!) { updateWorkOrderStatus(input: $input) { status version } }";

    private static object NewOrder(string id, object? location = null) => new
    {
        input = new
        {
            id,
            title = "Lift station alarm keeps tripping",
            priority = "URGENT",
            customer = new { name = "Harris County MUD 12", tier = "GOLD" },
            site = new { address = "4400 Telephone Rd, Houston, TX", location },
            requiredSkills = new[] { "controls" },
            estimatedDurationMinutes = 90,
        },
    };

    private static string NewId() => "wo-" + Guid.NewGuid().ToString("N")[..12];

    private async Task<HttpClient> ClientAsync(string role = "Dispatcher", string tenant = "default", string user = "dana") =>
        server.Process.AuthorizedClient(await server.TokenAsync(user, role, tenant));

    [Fact]
    public async Task Create_records_the_actor_and_reads_back()
    {
        using var client = await ClientAsync(user: "dana");
        var id = NewId();

        var created = (await client.DataAsync(CreateOrder, NewOrder(id, new { latitude = 29.7, longitude = -95.3 }))).GetProperty("createWorkOrder");
        var read = (await client.DataAsync(ReadOrder, new { id })).GetProperty("workOrder");

        Assert.Equal(("CREATED", "URGENT", "GOLD"), (created.GetProperty("status").GetString(), created.GetProperty("priority").GetString(),
            created.GetProperty("customer").GetProperty("tier").GetString()));
        Assert.Equal("dana", created.GetProperty("timeline")[0].GetProperty("actorId").GetString());
        Assert.Equal(29.7, created.GetProperty("site").GetProperty("location").GetProperty("latitude").GetDouble());
        Assert.Equal(id, read.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Invalid_input_is_a_validation_error_and_creates_nothing()
    {
        using var client = await ClientAsync();
        var id = NewId();

        var badLocation = await client.PostAsync(CreateOrder, NewOrder(id, new { latitude = 95.0, longitude = 0.0 }));
        var blankTitle = await client.PostAsync(CreateOrder, new { input = new { id, title = " ", customer = new { name = "x" }, site = new { address = "y" } } });

        Assert.Equal("VALIDATION", badLocation.ErrorCode());
        Assert.Equal("VALIDATION", blankTitle.ErrorCode());
        Assert.Equal("site.location", badLocation.GetProperty("errors")[0].GetProperty("extensions").GetProperty("details").GetProperty("field").GetString());
        Assert.Equal(JsonValueKind.Null, (await client.DataAsync(ReadOrder, new { id })).GetProperty("workOrder").ValueKind);
    }

    [Fact]
    public async Task An_illegal_transition_is_refused_with_its_code_and_changes_nothing()
    {
        using var client = await ClientAsync();
        var id = NewId();
        await client.DataAsync(CreateOrder, NewOrder(id));

        var refused = await client.PostAsync(ChangeStatus, new { input = new { id, status = "ON_SITE" } });
        var read = (await client.DataAsync(ReadOrder, new { id })).GetProperty("workOrder");

        Assert.Equal("INVALID_TRANSITION", refused.ErrorCode());
        Assert.Equal(("CREATED", 1), (read.GetProperty("status").GetString(), read.GetProperty("version").GetInt32()));
    }

    [Fact]
    public async Task Cancel_with_a_note_is_kept_in_the_timeline()
    {
        using var client = await ClientAsync();
        var id = NewId();
        await client.DataAsync(CreateOrder, NewOrder(id));

        var cancelled = (await client.DataAsync(ChangeStatus, new { input = new { id, status = "CANCELLED", note = "customer fixed it" } }))
            .GetProperty("updateWorkOrderStatus");
        var timeline = (await client.DataAsync(ReadOrder, new { id })).GetProperty("workOrder").GetProperty("timeline");

        Assert.Equal("CANCELLED", cancelled.GetProperty("status").GetString());
        Assert.Equal("customer fixed it", timeline[1].GetProperty("note").GetString());
    }

    [Fact]
    public async Task Unknown_ids_and_duplicates_have_their_codes()
    {
        using var client = await ClientAsync();
        var id = NewId();
        await client.DataAsync(CreateOrder, NewOrder(id));

        Assert.Equal("NOT_FOUND", (await client.PostAsync(ChangeStatus, new { input = new { id = NewId(), status = "CANCELLED" } })).ErrorCode());
        Assert.Equal("ALREADY_EXISTS", (await client.PostAsync(CreateOrder, NewOrder(id))).ErrorCode());
    }

    [Fact]
    public async Task Technicians_only_move_work_they_may_and_anonymous_callers_nothing()
    {
        using var dispatcher = await ClientAsync();
        using var technician = await ClientAsync(role: "Technician", user: "tom");
        using var anonymous = new HttpClient { BaseAddress = server.Process.BaseAddress };
        var id = NewId();
        await dispatcher.DataAsync(CreateOrder, NewOrder(id));

        Assert.Equal("FORBIDDEN", (await technician.PostAsync(ChangeStatus, new { input = new { id, status = "CANCELLED" } })).ErrorCode());
        Assert.Equal("UNAUTHENTICATED", (await anonymous.PostAsync(ReadOrder, new { id })).ErrorCode());
    }

    [Fact]
    public async Task Another_tenant_cannot_see_or_change_the_order()
    {
        using var home = await ClientAsync(tenant: "acme");
        using var stranger = await ClientAsync(tenant: "globex");
        var id = NewId();
        await home.DataAsync(CreateOrder, NewOrder(id));

        var seen = (await stranger.DataAsync(ReadOrder, new { id })).GetProperty("workOrder");
        var change = await stranger.PostAsync(ChangeStatus, new { input = new { id, status = "CANCELLED" } });

        Assert.Equal(JsonValueKind.Null, seen.ValueKind);
        Assert.Equal("NOT_FOUND", change.ErrorCode());
        Assert.Equal("CREATED", (await home.DataAsync(ReadOrder, new { id })).GetProperty("workOrder").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Create_technician_round_trips_skills_and_certifications()
    {
        using var client = await ClientAsync();
        var id = "tech-" + Guid.NewGuid().ToString("N")[..10];

        var tech = (await client.DataAsync("""
            mutation($input: CreateTechnicianInput!) { createTechnician(input: $input) { id name isField skills certifications { name expiresAt } timeZoneId } }
            """, new { input = new { id, name = "Priya Patel", skills = new[] { "pump-repair" },
                certifications = new[] { new { name = "OSHA-10", expiresAt = "2027-01-01T00:00:00Z" } }, timeZoneId = "America/Chicago" } }))
            .GetProperty("createTechnician");
        var badZone = await client.PostAsync("mutation($input: CreateTechnicianInput!) { createTechnician(input: $input) { id } }",
            new { input = new { name = "X", timeZoneId = "Mars/Olympus" } });

        Assert.Equal(("Priya Patel", true, "OSHA-10"), (tech.GetProperty("name").GetString(), tech.GetProperty("isField").GetBoolean(),
            tech.GetProperty("certifications")[0].GetProperty("name").GetString()));
        Assert.Equal("VALIDATION", badZone.ErrorCode());
    }

    [Fact]
    public async Task Malformed_requests_are_4xx_not_5xx()
    {
        using var client = await ClientAsync();
        using var malformed = await client.PostAsync("/graphql", new StringContent("{\"query\": ", System.Text.Encoding.UTF8, "application/json"));
        var unknownField = await client.PostAsync("{ workOrder(id: \"x\") { nope } }");
        var tooDeep = await client.PostAsync("{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } }");

        Assert.Equal(400, (int)malformed.StatusCode);
        Assert.Equal(JsonValueKind.Array, unknownField.GetProperty("errors")[0].GetProperty("locations").ValueKind);
        Assert.NotNull(tooDeep.ErrorCode());
    }
}
