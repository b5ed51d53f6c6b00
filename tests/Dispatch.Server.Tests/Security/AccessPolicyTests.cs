using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dispatch.Server.Tests.Dispatching;
using Dispatch.Testing;

namespace Dispatch.Server.Tests.Security;

/// <summary>
/// The declared access policy is what the server enforces: every root field has one, and the holes it closed stay
/// closed — technicians reach only their own record and the work orders they are on, devices are an admin matter, a
/// Device-role user token reaches no GraphQL field.
/// </summary>
public class AccessPolicyTests(SharedServer server) : IClassFixture<SharedServer>
{
    private async Task<HttpClient> ClientAsync(string user, string role, string tenant = "default") =>
        server.Process.AuthorizedClient(await server.TokenAsync(user, role, tenant));

    [Fact]
    public async Task Every_root_field_declares_who_may_use_it_and_only_admins_read_the_list()
    {
        using var admin = await ClientAsync("ada", "Admin");
        using var dispatcher = await ClientAsync("dana", "Dispatcher");

        var policy = await admin.GetFromJsonAsync<JsonElement>("/api/v1/access-policy");
        using var refused = await dispatcher.GetAsync("/api/v1/access-policy");

        var fields = policy.GetProperty("graphql").EnumerateArray().ToList();
        Assert.Contains(fields, f => f.GetProperty("field").GetString() == "boardUpdated" && f.GetProperty("operation").GetString() == "subscription");
        Assert.True(fields.Count >= 30, $"only {fields.Count} fields listed");
        Assert.All(fields, f => Assert.True(f.GetProperty("roles").GetArrayLength() > 0, $"{f.GetProperty("field")} has no policy"));
        var registerDevice = fields.Single(f => f.GetProperty("field").GetString() == "registerDevice");
        Assert.Equal(["Admin"], registerDevice.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        var workOrder = fields.Single(f => f.GetProperty("field").GetString() == "workOrder");
        Assert.Equal(["Technician"], workOrder.GetProperty("ownOnly").EnumerateArray().Select(r => r.GetString()));
        Assert.Contains(policy.GetProperty("endpoints").EnumerateArray(), e => e.GetProperty("path").GetString() == "/api/v1/locations");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task A_technician_sees_only_its_own_record_and_the_work_orders_it_is_on()
    {
        var tenant = "t" + Guid.NewGuid().ToString("N")[..10];
        var office = new DispatchApi(await ClientAsync("dana", "Dispatcher", tenant));
        var mine = await office.CreateTechnicianAsync(userId: "tom");
        var colleague = await office.CreateTechnicianAsync(userId: "tina");
        var assigned = await office.CreateOrderAsync();
        var other = await office.CreateOrderAsync();
        await office.DispatchAsync(assigned, [mine], DispatchApi.Slot(0, 9));
        await office.DispatchAsync(other, [colleague], DispatchApi.Slot(0, 9));
        using var tom = await ClientAsync("tom", "Technician", tenant);

        var own = await tom.PostAsync("query($id: ID!) { workOrder(id: $id) { id status } }", new { id = assigned });
        var foreign = await tom.PostAsync("query($id: ID!) { workOrder(id: $id) { id } }", new { id = other });
        var ownRecord = await tom.PostAsync("query($id: ID!) { technician(id: $id) { id } }", new { id = mine });
        var colleagueRecord = await tom.PostAsync("query($id: ID!) { technician(id: $id) { id } }", new { id = colleague });
        var allOrders = await tom.PostAsync("{ workOrders { totalCount } }");
        var ownOrders = await tom.PostAsync("query($t: ID!) { workOrders(filter: { technicianId: $t }) { edges { node { id } } } }", new { t = mine });
        var colleagueOrders = await tom.PostAsync("query($t: ID!) { workOrders(filter: { technicianId: $t }) { totalCount } }", new { t = colleague });
        var technicians = await tom.PostAsync("{ technicians { totalCount } }");
        var schedule = await tom.PostAsync("query($ids: [ID!]!, $from: DateTimeOffset!, $to: DateTimeOffset!) { schedule(technicianIds: $ids, from: $from, to: $to) { technicianId } }",
            new { ids = new[] { mine, colleague }, from = DateTimeOffset.UtcNow, to = DateTimeOffset.UtcNow.AddDays(7) });
        var create = await tom.PostAsync("mutation { createWorkOrder(input: { title: \"Mine now\", customer: { name: \"X\" }, site: { address: \"Y\" } }) { id } }");
        var note = await tom.PostAsync("mutation($id: ID!) { addWorkOrderNote(input: { id: $id, note: \"on my way\" }) { id } }", new { id = assigned });
        var foreignNote = await tom.PostAsync("mutation($id: ID!) { addWorkOrderNote(input: { id: $id, note: \"hi\" }) { id } }", new { id = other });

        Assert.Equal(assigned, own.GetProperty("data").GetProperty("workOrder").GetProperty("id").GetString());
        Assert.Equal("FORBIDDEN", foreign.ErrorCode());
        Assert.Equal(mine, ownRecord.GetProperty("data").GetProperty("technician").GetProperty("id").GetString());
        Assert.Equal("FORBIDDEN", colleagueRecord.ErrorCode());
        Assert.Equal("FORBIDDEN", allOrders.ErrorCode());
        Assert.Null(ownOrders.ErrorCode());
        Assert.Equal([assigned], ownOrders.GetProperty("data").GetProperty("workOrders").GetProperty("edges").EnumerateArray()
            .Select(e => e.GetProperty("node").GetProperty("id").GetString()));
        Assert.Equal("FORBIDDEN", colleagueOrders.ErrorCode());
        Assert.Equal("FORBIDDEN", technicians.ErrorCode());
        Assert.Equal("FORBIDDEN", schedule.ErrorCode());
        Assert.Equal("FORBIDDEN", create.ErrorCode());
        Assert.Null(note.ErrorCode());
        Assert.Equal("FORBIDDEN", foreignNote.ErrorCode());
        var total = (await office.Client.DataAsync("{ workOrders { totalCount } }")).GetProperty("workOrders").GetProperty("totalCount").GetInt32();
        Assert.Equal(2, total); // the refused create left nothing behind
    }

    [Fact]
    public async Task Nested_fields_do_not_lead_a_technician_to_a_colleagues_calendar_or_work()
    {
        var tenant = "t" + Guid.NewGuid().ToString("N")[..10];
        var office = new DispatchApi(await ClientAsync("dana", "Dispatcher", tenant));
        var mine = await office.CreateTechnicianAsync(userId: "tom");
        var colleague = await office.CreateTechnicianAsync(userId: "tina");
        var shared = await office.CreateOrderAsync();
        var theirs = await office.CreateOrderAsync();
        await office.DispatchAsync(shared, [mine, colleague], DispatchApi.Slot(1, 9));
        await office.DispatchAsync(theirs, [colleague], DispatchApi.Slot(1, 13));
        using var tom = await ClientAsync("tom", "Technician", tenant);

        var viaColleague = await tom.PostAsync("""
            query($id: ID!) { workOrder(id: $id) { assignment { technicians { technician { id schedule { bookings { workOrderId } } } } } } }
            """, new { id = shared });
        var ownSchedule = await tom.PostAsync("""
            query($id: ID!) { technician(id: $id) { schedule { bookings { workOrderId workOrder { id } } } } }
            """, new { id = mine });

        Assert.Equal("FORBIDDEN", viaColleague.ErrorCode());
        Assert.DoesNotContain(theirs, viaColleague.ToString());
        var bookings = ownSchedule.GetProperty("data").GetProperty("technician").GetProperty("schedule").GetProperty("bookings");
        Assert.Equal([shared], bookings.EnumerateArray().Select(b => b.GetProperty("workOrder").GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Devices_are_managed_by_admins_and_a_device_role_token_reaches_no_graphql_field()
    {
        var office = new DispatchApi(await ClientAsync("dana", "Dispatcher"));
        var technician = await office.CreateTechnicianAsync(userId: "dev-user-" + Guid.NewGuid().ToString("N")[..6]);
        using var admin = await ClientAsync("ada", "Admin");
        using var device = await ClientAsync("tracker-7", "Device");
        const string Register = "mutation($t: ID!) { registerDevice(input: { technicianId: $t }) { device { id } } }";

        var byDispatcher = await office.Client.PostAsync(Register, new { t = technician });
        var byAdmin = await admin.PostAsync(Register, new { t = technician });
        var deviceReads = await device.PostAsync("query($id: ID!) { technician(id: $id) { id } }", new { id = technician });
        var deviceWrites = await device.PostAsync("mutation { createWorkOrder(input: { title: \"x\", customer: { name: \"x\" }, site: { address: \"y\" } }) { id } }");

        Assert.Equal("FORBIDDEN", byDispatcher.ErrorCode());
        Assert.Null(byAdmin.ErrorCode());
        Assert.Equal("FORBIDDEN", deviceReads.ErrorCode());
        Assert.Equal("FORBIDDEN", deviceWrites.ErrorCode());
    }
}
