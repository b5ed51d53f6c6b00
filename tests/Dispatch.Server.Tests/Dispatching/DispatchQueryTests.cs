using System.Text.Json;
using Dispatch.Testing;

namespace Dispatch.Server.Tests.Dispatching;

/// <summary>Lists, suggestions, the picker and calendars; each test in its own tenant so counts and rankings are its own.</summary>
public class DispatchQueryTests(SharedServer server) : IClassFixture<SharedServer>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private async Task<DispatchApi> TenantAsync() =>
        new(server.Process.AuthorizedClient(await server.TokenAsync("dana", "Dispatcher", "t" + Guid.NewGuid().ToString("N")[..10])));

    [Fact]
    public async Task Suggestions_rank_a_near_qualified_technician_first_and_explain_the_excluded()
    {
        var api = await TenantAsync();
        var near = await api.CreateTechnicianAsync(lat: 29.76, lon: -95.37);
        var far = await api.CreateTechnicianAsync(lat: 30.40, lon: -95.90);
        var unskilled = await api.CreateTechnicianAsync(skills: ["hvac"], lat: 29.761, lon: -95.371);
        var order = await api.CreateOrderAsync(lat: 29.76, lon: -95.37);
        const string query = """
            query($id: ID!, $window: TimeWindowInput) { suggestTechnicians(workOrderId: $id, window: $window, count: 5) {
              indexedTechnicians
              ranked { technicianId total travelTimeMinutes reason scores { travel availability skills workload } technician { name } }
              excluded { technicianId exclusions { kind reason } } } }
            """;

        JsonElement suggestions = default;
        await Eventually.Until(async () =>
        {
            suggestions = (await api.Client.DataAsync(query, new { id = order, window = DispatchApi.Window(DispatchApi.Slot(0, 10)) })).GetProperty("suggestTechnicians");
            return suggestions.GetProperty("indexedTechnicians").GetInt32() == 3 && suggestions.GetProperty("ranked").GetArrayLength() == 2;
        }, Deadline, "the technician index to hold all three");

        var ranked = suggestions.GetProperty("ranked");
        Assert.Equal([near, far], ranked.EnumerateArray().Select(r => r.GetProperty("technicianId").GetString()));
        Assert.True(ranked[0].GetProperty("total").GetDouble() > ranked[1].GetProperty("total").GetDouble());
        Assert.True(ranked[0].GetProperty("scores").GetProperty("travel").GetDouble() > ranked[1].GetProperty("scores").GetProperty("travel").GetDouble());
        Assert.False(string.IsNullOrWhiteSpace(ranked[0].GetProperty("reason").GetString()));
        var excluded = Assert.Single(suggestions.GetProperty("excluded").EnumerateArray());
        Assert.Equal(unskilled, excluded.GetProperty("technicianId").GetString());
        Assert.Equal("MISSING_SKILL", excluded.GetProperty("exclusions")[0].GetProperty("kind").GetString());
    }

    [Fact]
    public async Task The_picker_shows_a_booked_technician_red_and_a_free_one_green()
    {
        var api = await TenantAsync();
        var (booked, free) = (await api.CreateTechnicianAsync(), await api.CreateTechnicianAsync());
        var slot = DispatchApi.Slot(1, 10);
        var first = await api.CreateOrderAsync();
        await api.DispatchAsync(first, [booked], slot);
        var order = await api.CreateOrderAsync();
        const string query = """
            query($id: ID!, $window: TimeWindowInput, $ids: [ID!]) { technicianPicker(workOrderId: $id, window: $window, technicianIds: $ids) {
              technicians { technicianId available skills activeWorkOrders homeBase { latitude } daySchedule { workOrderId }
                conflicts { kind workOrderId window { start end } } } } }
            """;

        JsonElement rows = default;
        await Eventually.Until(async () =>
        {
            rows = (await api.Client.DataAsync(query, new { id = order, window = DispatchApi.Window(slot), ids = new[] { booked, free } }))
                .GetProperty("technicianPicker").GetProperty("technicians");
            return rows.GetArrayLength() == 2 && rows.EnumerateArray().Any(r => !r.GetProperty("available").GetBoolean());
        }, Deadline, "the index to see both technicians and the booking");

        var red = rows.EnumerateArray().Single(r => r.GetProperty("technicianId").GetString() == booked);
        var green = rows.EnumerateArray().Single(r => r.GetProperty("technicianId").GetString() == free);
        Assert.False(red.GetProperty("available").GetBoolean());
        Assert.Equal(("OVERLAP", first), (red.GetProperty("conflicts")[0].GetProperty("kind").GetString(), red.GetProperty("conflicts")[0].GetProperty("workOrderId").GetString()));
        Assert.Equal(first, red.GetProperty("daySchedule")[0].GetProperty("workOrderId").GetString());
        Assert.True(green.GetProperty("available").GetBoolean());
        Assert.Equal(0, green.GetProperty("conflicts").GetArrayLength());
        Assert.Equal("pump", green.GetProperty("skills")[0].GetString());
    }

    [Fact]
    public async Task WorkOrders_filters_orders_and_pages_with_cursors()
    {
        var api = await TenantAsync();
        var tech = await api.CreateTechnicianAsync();
        var low = await api.CreateOrderAsync(priority: "LOW");
        var urgent = await api.CreateOrderAsync(priority: "URGENT");
        var high = await api.CreateOrderAsync(priority: "HIGH");
        await api.DispatchAsync(high, [tech], DispatchApi.Slot(2, 10));
        const string query = """
            query($filter: WorkOrderFilter, $orderBy: WorkOrderOrder, $first: Int, $after: String) {
              workOrders(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
                totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id status priority } } } }
            """;
        async Task<JsonElement> Page(object variables) => (await api.Client.DataAsync(query, variables)).GetProperty("workOrders");

        await Eventually.Until(async () => (await Page(new { filter = new { statuses = new[] { "DISPATCHED" } } })).GetProperty("totalCount").GetInt32() == 1
            && (await Page(new { })).GetProperty("totalCount").GetInt32() == 3, Deadline, "the read model to catch up");

        var dispatched = await Page(new { filter = new { statuses = new[] { "DISPATCHED" } } });
        Assert.Equal(high, dispatched.GetProperty("edges")[0].GetProperty("node").GetProperty("id").GetString());
        var byTechnician = await Page(new { filter = new { technicianId = tech } });
        Assert.Equal(high, Assert.Single(byTechnician.GetProperty("edges").EnumerateArray()).GetProperty("node").GetProperty("id").GetString());

        var byPriority = await Page(new { orderBy = new { field = "PRIORITY", descending = true }, first = 2 });
        Assert.Equal([urgent, high], byPriority.GetProperty("edges").EnumerateArray().Select(e => e.GetProperty("node").GetProperty("id").GetString()));
        Assert.Equal(3, byPriority.GetProperty("totalCount").GetInt32());
        Assert.True(byPriority.GetProperty("pageInfo").GetProperty("hasNextPage").GetBoolean());

        var next = await Page(new { orderBy = new { field = "PRIORITY", descending = true }, first = 2, after = byPriority.GetProperty("pageInfo").GetProperty("endCursor").GetString() });
        Assert.Equal(low, Assert.Single(next.GetProperty("edges").EnumerateArray()).GetProperty("node").GetProperty("id").GetString());
        Assert.False(next.GetProperty("pageInfo").GetProperty("hasNextPage").GetBoolean());

        // Any edge's cursor resumes after that edge.
        var fromFirstEdge = await Page(new { orderBy = new { field = "PRIORITY", descending = true }, first = 5, after = byPriority.GetProperty("edges")[0].GetProperty("cursor").GetString() });
        Assert.Equal([high, low], fromFirstEdge.GetProperty("edges").EnumerateArray().Select(e => e.GetProperty("node").GetProperty("id").GetString()));

        var tooLarge = await api.Client.PostAsync(query, new { first = 201 });
        Assert.Equal("VALIDATION", tooLarge.ErrorCode());
    }

    [Fact]
    public async Task A_page_of_50_work_orders_with_their_technicians_passes_complexity_and_loads_in_batch()
    {
        var api = await TenantAsync();
        var (ana, ben) = (await api.CreateTechnicianAsync(), await api.CreateTechnicianAsync());
        var ids = new List<string>();
        for (var i = 0; i < 50; i++) ids.Add(await api.CreateOrderAsync());
        var batch = (await api.Client.DataAsync("mutation($input: DispatchWorkOrdersInput!) { dispatchWorkOrders(input: $input) { succeeded } }", new
        {
            input = new
            {
                items = ids.Select((id, i) => new
                {
                    workOrderId = id,
                    technicianIds = new[] { i % 2 == 0 ? ana : ben },
                    arrivalWindow = DispatchApi.Window(DispatchApi.Slot(i / 2 / 20, 1 + i / 2 % 20, 30)),
                }).ToArray(),
            },
        })).GetProperty("dispatchWorkOrders");
        Assert.Equal(50, batch.GetProperty("succeeded").GetInt32());
        const string query = """
            query { workOrders(first: 50, filter: { statuses: [DISPATCHED] }) { totalCount pageInfo { hasNextPage endCursor }
              edges { cursor node { id title status priority version createdAt updatedAt slaDueAt customer { name tier } site { address location { latitude longitude } }
                visit { arrivalWindow { start end } }
                assignment { technicians { technicianId role technician { id name skills active } } } } } } }
            """;

        JsonElement page = default;
        await Eventually.Until(async () =>
        {
            page = (await api.Client.DataAsync(query)).GetProperty("workOrders");
            return page.GetProperty("totalCount").GetInt32() == 50;
        }, Deadline, "the read model to list all 50");

        var edges = page.GetProperty("edges");
        Assert.Equal(50, edges.GetArrayLength());
        var names = edges.EnumerateArray().Select(e => e.GetProperty("node").GetProperty("assignment").GetProperty("technicians")[0].GetProperty("technician").GetProperty("name").GetString()).ToHashSet();
        Assert.Equal(2, names.Count);
    }

    [Fact]
    public async Task Technicians_page_by_name_and_the_team_schedule_shows_bookings_and_blocks()
    {
        var api = await TenantAsync();
        var techs = new List<string>();
        for (var i = 0; i < 3; i++) techs.Add(await api.CreateTechnicianAsync());
        var office = await api.CreateTechnicianAsync(isField: false);
        var order = await api.CreateOrderAsync();
        var slot = DispatchApi.Slot(3, 9);
        await api.DispatchAsync(order, [techs[0]], slot);
        var pto = DispatchApi.Slot(3, 13, 240);
        var block = (await api.Client.DataAsync("""
            mutation($input: AddAvailabilityBlockInput!) { addAvailabilityBlock(input: $input) { schedule { availabilityBlocks { id kind } } affectedBookings { workOrderId } } }
            """, new { input = new { technicianId = techs[0], kind = "PTO", window = DispatchApi.Window(pto), note = "dentist" } })).GetProperty("addAvailabilityBlock");
        var blockId = block.GetProperty("schedule").GetProperty("availabilityBlocks")[0].GetProperty("id").GetString();
        Assert.Equal(0, block.GetProperty("affectedBookings").GetArrayLength());

        const string list = """
            query($first: Int, $after: String, $filter: TechnicianFilter) { technicians(first: $first, after: $after, filter: $filter) {
              totalCount pageInfo { hasNextPage endCursor } edges { node { id name isField capacity { maxActiveWorkOrders } workingHours { day start end } } } } }
            """;
        await Eventually.Until(async () => (await api.Client.DataAsync(list, new { first = 10 })).GetProperty("technicians").GetProperty("totalCount").GetInt32() == 4,
            Deadline, "the technician index to list all four");
        var firstPage = (await api.Client.DataAsync(list, new { first = 2, filter = new { isField = true } })).GetProperty("technicians");
        Assert.Equal(3, firstPage.GetProperty("totalCount").GetInt32());
        Assert.Equal(7, firstPage.GetProperty("edges")[0].GetProperty("node").GetProperty("workingHours").GetArrayLength());
        var rest = (await api.Client.DataAsync(list, new { first = 2, filter = new { isField = true }, after = firstPage.GetProperty("pageInfo").GetProperty("endCursor").GetString() }))
            .GetProperty("technicians");
        var seen = firstPage.GetProperty("edges").EnumerateArray().Concat(rest.GetProperty("edges").EnumerateArray()).Select(e => e.GetProperty("node").GetProperty("id").GetString()).ToList();
        Assert.Equal(techs.Order(), seen.Order());
        Assert.DoesNotContain(office, seen);

        var schedule = (await api.Client.DataAsync("""
            query($ids: [ID!]!, $from: DateTimeOffset!, $to: DateTimeOffset!) { schedule(technicianIds: $ids, from: $from, to: $to) {
              technicianId technician { name } bookings { workOrderId window { start } workOrder { status } } availabilityBlocks { id kind note } } }
            """, new { ids = new[] { techs[0], techs[1] }, from = new DateTimeOffset(slot.Start.Date, TimeSpan.Zero), to = new DateTimeOffset(slot.Start.Date.AddDays(1), TimeSpan.Zero) })).GetProperty("schedule");
        Assert.Equal(2, schedule.GetArrayLength());
        Assert.Equal((order, "DISPATCHED"), (schedule[0].GetProperty("bookings")[0].GetProperty("workOrderId").GetString(),
            schedule[0].GetProperty("bookings")[0].GetProperty("workOrder").GetProperty("status").GetString()));
        Assert.Equal(("PTO", "dentist"), (schedule[0].GetProperty("availabilityBlocks")[0].GetProperty("kind").GetString(),
            schedule[0].GetProperty("availabilityBlocks")[0].GetProperty("note").GetString()));
        Assert.Equal(0, schedule[1].GetProperty("bookings").GetArrayLength());

        var removed = (await api.Client.DataAsync("mutation($input: RemoveAvailabilityBlockInput!) { removeAvailabilityBlock(input: $input) { availabilityBlocks { id } } }",
            new { input = new { technicianId = techs[0], blockId } })).GetProperty("removeAvailabilityBlock");
        Assert.Equal(0, removed.GetProperty("availabilityBlocks").GetArrayLength());
        var own = (await api.Client.DataAsync("query($id: ID!) { technician(id: $id) { schedule { bookings { workOrderId } activeWorkOrderIds } availabilityBlocks { id } } }",
            new { id = techs[0] })).GetProperty("technician");
        Assert.Equal(order, own.GetProperty("schedule").GetProperty("activeWorkOrderIds")[0].GetString());
    }
}
