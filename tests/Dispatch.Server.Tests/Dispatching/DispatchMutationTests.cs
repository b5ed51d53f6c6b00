using System.Text.Json;
using Dispatch.Testing;

namespace Dispatch.Server.Tests.Dispatching;

/// <summary>Dispatch, conflicts, overrides, guards, reassignment, batch and the technician's own moves, over real HTTP.</summary>
public class DispatchMutationTests(SharedServer server) : IClassFixture<SharedServer>
{
    private async Task<DispatchApi> ApiAsync(string role = "Dispatcher", string user = "dana", string tenant = "default") =>
        new(server.Process.AuthorizedClient(await server.TokenAsync(user, role, tenant)));

    private static string Code(JsonElement result) => result.ErrorCode() ?? "(none)";

    [Fact]
    public async Task Dispatch_succeeds_then_a_conflict_changes_nothing_and_an_override_records_its_reason()
    {
        var api = await ApiAsync();
        var tech = await api.CreateTechnicianAsync();
        var first = await api.CreateOrderAsync();
        var second = await api.CreateOrderAsync();
        var slot = DispatchApi.Slot(0, 10);

        var ok = (await api.DispatchAsync(first, [tech], slot)).GetProperty("data").GetProperty("dispatchWorkOrder");
        Assert.Equal("DISPATCHED", ok.GetProperty("outcome").GetString());
        var dispatched = ok.GetProperty("workOrder");
        Assert.Equal("DISPATCHED", dispatched.GetProperty("status").GetString());
        Assert.Equal(tech, dispatched.GetProperty("assignment").GetProperty("primary").GetProperty("technicianId").GetString());
        Assert.Equal(1, dispatched.GetProperty("visit").GetProperty("number").GetInt32());
        Assert.Equal(slot.Start, dispatched.GetProperty("visit").GetProperty("arrivalWindow").GetProperty("start").GetDateTimeOffset());

        var conflict = await api.DispatchAsync(second, [tech], slot);
        Assert.Equal("SCHEDULE_CONFLICT", Code(conflict));
        var details = conflict.GetProperty("errors")[0].GetProperty("extensions").GetProperty("details").GetProperty("conflicts");
        Assert.Equal(tech, details[0].GetProperty("technicianId").GetString());
        Assert.Equal(first, details[0].GetProperty("conflicts")[0].GetProperty("workOrderId").GetString());
        var payload = conflict.GetProperty("data").GetProperty("dispatchWorkOrder");
        Assert.Equal("CONFLICTS", payload.GetProperty("outcome").GetString());
        var listed = payload.GetProperty("conflicts")[0].GetProperty("conflicts")[0];
        Assert.Equal(("OVERLAP", first), (listed.GetProperty("kind").GetString(), listed.GetProperty("workOrderId").GetString()));
        var unchanged = await api.OrderAsync(second);
        Assert.Equal(("CREATED", 1), (unchanged.GetProperty("status").GetString(), unchanged.GetProperty("version").GetInt32()));

        var overridden = await api.DispatchAsync(second, [tech], slot, overrideConflicts: true, reason: "customer emergency, tech agreed");
        Assert.Null(overridden.ErrorCode());
        var after = overridden.GetProperty("data").GetProperty("dispatchWorkOrder");
        Assert.Equal("DISPATCHED", after.GetProperty("outcome").GetString());
        Assert.Contains(after.GetProperty("workOrder").GetProperty("timeline").EnumerateArray(),
            e => e.GetProperty("kind").GetString() == "CONFLICT_OVERRIDDEN"
                && (e.GetProperty("summary").GetString() + e.GetProperty("note").ToString()).Contains("customer emergency", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_dispatch_guard_answers_with_its_code()
    {
        var api = await ApiAsync();
        var tech = await api.CreateTechnicianAsync();

        var order = await api.CreateOrderAsync();
        await api.DispatchAsync(order, [tech], DispatchApi.Slot(1, 8));
        Assert.Equal("ALREADY_DISPATCHED", Code(await api.DispatchAsync(order, [tech], DispatchApi.Slot(1, 12))));

        var cancelled = await api.CreateOrderAsync();
        Assert.Null((await api.SetStatusAsync(cancelled, "CANCELLED")).ErrorCode());
        Assert.Equal("WORK_ORDER_CLOSED", Code(await api.DispatchAsync(cancelled, [tech], DispatchApi.Slot(1, 14))));

        var office = await api.CreateTechnicianAsync(isField: false);
        Assert.Equal("NOT_FIELD_TECHNICIAN", Code(await api.DispatchAsync(await api.CreateOrderAsync(), [office], DispatchApi.Slot(1, 14))));

        var inactive = await api.CreateTechnicianAsync();
        await api.Client.DataAsync("mutation($input: SetTechnicianActiveInput!) { setTechnicianActive(input: $input) { active } }",
            new { input = new { technicianId = inactive, active = false } });
        Assert.Equal("TECHNICIAN_INACTIVE", Code(await api.DispatchAsync(await api.CreateOrderAsync(), [inactive], DispatchApi.Slot(1, 14))));

        var busy = await api.CreateTechnicianAsync();
        var capacity = (await api.Client.DataAsync("mutation($input: SetTechnicianCapacityInput!) { setTechnicianCapacity(input: $input) { capacity { maxActiveWorkOrders } } }",
            new { input = new { technicianId = busy, maxActiveWorkOrders = 1 } })).GetProperty("setTechnicianCapacity");
        Assert.Equal(1, capacity.GetProperty("capacity").GetProperty("maxActiveWorkOrders").GetInt32());
        Assert.Null((await api.DispatchAsync(await api.CreateOrderAsync(), [busy], DispatchApi.Slot(2, 8))).ErrorCode());
        Assert.Equal("AT_CAPACITY", Code(await api.DispatchAsync(await api.CreateOrderAsync(), [busy], DispatchApi.Slot(2, 12))));

        Assert.Equal("NOT_FOUND", Code(await api.DispatchAsync(await api.CreateOrderAsync(), ["tech-nobody"], DispatchApi.Slot(2, 12))));
        var technicianApi = await ApiAsync(role: "Technician", user: "tess");
        Assert.Equal("FORBIDDEN", Code(await technicianApi.DispatchAsync(await api.CreateOrderAsync(), [tech], DispatchApi.Slot(2, 12))));
    }

    [Fact]
    public async Task Reassign_keeps_the_history_and_unassign_releases_the_order()
    {
        var api = await ApiAsync();
        var (ana, ben) = (await api.CreateTechnicianAsync(), await api.CreateTechnicianAsync());
        var order = await api.CreateOrderAsync();
        await api.DispatchAsync(order, [ana], DispatchApi.Slot(3, 9));

        var reassigned = (await api.Client.DataAsync($$"""
            mutation($input: ReassignWorkOrderInput!) { reassignWorkOrder(input: $input) { outcome workOrder { {{DispatchApi.OrderFields}} } } }
            """, new { input = new { id = order, technicianIds = new[] { ben }, reason = "sick call" } })).GetProperty("reassignWorkOrder");
        Assert.Equal("REASSIGNED", reassigned.GetProperty("outcome").GetString());
        var history = reassigned.GetProperty("workOrder").GetProperty("assignmentHistory");
        Assert.Equal(ben, reassigned.GetProperty("workOrder").GetProperty("assignment").GetProperty("primary").GetProperty("technicianId").GetString());
        Assert.Equal(["ASSIGNED", "REASSIGNED"], history.EnumerateArray().Select(h => h.GetProperty("kind").GetString()));
        Assert.Equal(("sick call", ana), (history[1].GetProperty("reason").GetString(), history[1].GetProperty("from")[0].GetProperty("technicianId").GetString()));

        var unassigned = (await api.Client.DataAsync($$"""
            mutation($input: UnassignWorkOrderInput!) { unassignWorkOrder(input: $input) { {{DispatchApi.OrderFields}} } }
            """, new { input = new { id = order, reason = "customer postponed" } })).GetProperty("unassignWorkOrder");
        Assert.Equal("CREATED", unassigned.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, unassigned.GetProperty("assignment").ValueKind);
        Assert.Equal(3, unassigned.GetProperty("assignmentHistory").GetArrayLength());

        // Ben's time was released: another order fits the same slot without conflict.
        Assert.Null((await api.DispatchAsync(await api.CreateOrderAsync(), [ben], DispatchApi.Slot(3, 9))).ErrorCode());
    }

    [Fact]
    public async Task A_batch_answers_per_item()
    {
        var api = await ApiAsync();
        var tech = await api.CreateTechnicianAsync();
        var (a, b) = (await api.CreateOrderAsync(), await api.CreateOrderAsync());

        var result = (await api.Client.DataAsync("""
            mutation($input: DispatchWorkOrdersInput!) { dispatchWorkOrders(input: $input) {
              succeeded items { workOrderId status errorCode workOrder { status } conflicts { technicianId } } } }
            """, new
        {
            input = new
            {
                shared = new { technicianIds = new[] { tech } },
                items = new object[]
                {
                    new { workOrderId = a, arrivalWindow = DispatchApi.Window(DispatchApi.Slot(4, 8)) },
                    new { workOrderId = b, arrivalWindow = DispatchApi.Window(DispatchApi.Slot(4, 8)) },
                    new { workOrderId = "wo-missing-one", arrivalWindow = DispatchApi.Window(DispatchApi.Slot(4, 12)) },
                },
            },
        })).GetProperty("dispatchWorkOrders");

        var items = result.GetProperty("items");
        Assert.Equal(1, result.GetProperty("succeeded").GetInt32());
        Assert.Equal(("DISPATCHED", "DISPATCHED"), (items[0].GetProperty("status").GetString(), items[0].GetProperty("workOrder").GetProperty("status").GetString()));
        Assert.Equal(("CONFLICTS", tech), (items[1].GetProperty("status").GetString(), items[1].GetProperty("conflicts")[0].GetProperty("technicianId").GetString()));
        Assert.Equal(("ERROR", "NOT_FOUND"), (items[2].GetProperty("status").GetString(), items[2].GetProperty("errorCode").GetString()));
    }

    [Fact]
    public async Task A_technician_moves_their_own_work_and_is_forbidden_on_someone_elses()
    {
        var api = await ApiAsync();
        var user = "tina-" + Guid.NewGuid().ToString("N")[..6];
        var tech = await api.CreateTechnicianAsync(userId: user);
        var order = await api.CreateOrderAsync();
        await api.DispatchAsync(order, [tech], DispatchApi.Slot(5, 9));
        var tina = await ApiAsync(role: "Technician", user: user);
        var tom = await ApiAsync(role: "Technician", user: "tom-" + Guid.NewGuid().ToString("N")[..6]);

        foreach (var status in new[] { "ACKNOWLEDGED", "EN_ROUTE", "ON_SITE" })
        {
            var moved = await tina.SetStatusAsync(order, status);
            Assert.Equal(status, moved.GetProperty("data").GetProperty("updateWorkOrderStatus").GetProperty("status").GetString());
        }

        var forbidden = await tom.SetStatusAsync(order, "COMPLETE");
        Assert.Equal("FORBIDDEN", Code(forbidden));
        Assert.Equal("ON_SITE", (await api.OrderAsync(order)).GetProperty("status").GetString());

        var complete = await tina.SetStatusAsync(order, "COMPLETE");
        Assert.Equal("COMPLETE", complete.GetProperty("data").GetProperty("updateWorkOrderStatus").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Awaiting_parts_records_the_parts_order()
    {
        var api = await ApiAsync();
        var tech = await api.CreateTechnicianAsync();
        var order = await api.CreateOrderAsync();
        await api.DispatchAsync(order, [tech], DispatchApi.Slot(6, 9));
        foreach (var status in new[] { "ACKNOWLEDGED", "EN_ROUTE", "ON_SITE" }) Assert.Null((await api.SetStatusAsync(order, status)).ErrorCode());

        Assert.Equal("VALIDATION", Code(await api.SetStatusAsync(order, "AWAITING_PARTS")));
        var waiting = await api.SetStatusAsync(order, "AWAITING_PARTS", new { supplier = "Grundfos", trackingNumber = "1Z999" });

        Assert.Equal("Grundfos", waiting.GetProperty("data").GetProperty("updateWorkOrderStatus").GetProperty("parts").GetProperty("supplier").GetString());
    }
}
