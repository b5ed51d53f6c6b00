using System.Text.Json;
using Dispatch.Server.Tests.Dispatching;
using Dispatch.Testing;

namespace Dispatch.Server.Tests.Security;

public enum OperationKind { Query, Mutation, Subscription }

/// <summary>
/// One prepared cell: the document and variables, how to read the target's state as its owner (null for reads), and
/// for subscriptions how to cause an event the subscriber should get (<see cref="Trigger"/>) and, for the other
/// tenant, an event in its own tenant that must arrive (<see cref="Sentinel"/>) — once it has, any leak of the earlier
/// trigger would have arrived too.
/// </summary>
public sealed record Cell(string Document, object? Variables)
{
    public Func<Task<string>>? Snapshot { get; init; }
    public Func<Task>? Trigger { get; init; }
    public Func<string, bool>? IsEvent { get; init; }
    public Func<Task>? Sentinel { get; init; }
    public Func<string, bool>? IsSentinel { get; init; }
}

/// <summary>How to exercise one row of <see cref="MatrixExpectations.GraphQL"/>: a fresh target per cell, so cells are independent.</summary>
public sealed record GraphQLOperation(string Row, string Field, OperationKind Kind, Func<SecurityWorld, Principal, Task<Cell>> Arrange);

public static class MatrixOperations
{
    private static readonly object Box = new { minLatitude = 29.5, minLongitude = -95.6, maxLatitude = 30.0, maxLongitude = -95.1 };

    public static readonly IReadOnlyList<GraphQLOperation> All =
    [
        // ---- queries ----
        Query("workOrder@own", "workOrder", (w, _) => Read("query($id: ID!) { workOrder(id: $id) { id title } }", new { id = w.OrderOwn })),
        Query("workOrder@other", "workOrder", (w, _) => Read("query($id: ID!) { workOrder(id: $id) { id title } }", new { id = w.OrderOther })),
        Query("technician@own", "technician", (w, _) => Read("query($id: ID!) { technician(id: $id) { id name } }", new { id = w.TechOwn })),
        Query("technician@other", "technician", (w, _) => Read("query($id: ID!) { technician(id: $id) { id name } }", new { id = w.TechOther })),
        Query("technicianPositions", "technicianPositions", (_, _) => Read(
            "query($box: BoundingBoxInput!) { technicianPositions(boundingBox: $box) { technicianId position { latitude } } }", new { box = Box })),
        Query("technicianPosition", "technicianPosition", (w, _) => Read(
            "query($id: ID!) { technicianPosition(technicianId: $id) { technicianId position { latitude } } }", new { id = w.TechOwn })),
        Query("technicianTrail", "technicianTrail", (w, _) => Read(
            "query($id: ID!) { technicianTrail(technicianId: $id) { source position { latitude } } }", new { id = w.TechOwn })),
        Query("device", "device", (w, _) => Read("query($id: ID!) { device(id: $id) { id technicianId } }", new { id = w.DeviceOwn.DeviceId })),
        // Oldest first, so the seeded orders are on the page however many cells created orders since.
        Query("workOrders", "workOrders", (_, _) => Read(
            "{ workOrders(first: 200, orderBy: { field: CREATED_AT, descending: false }) { totalCount edges { node { id title } } } }", null)),
        Query("technicians", "technicians", (_, _) => Read(
            """{ technicians(first: 200, filter: { nameContains: "ALPHA o" }) { totalCount edges { node { id name } } } }""", null)),
        Query("suggestTechnicians", "suggestTechnicians", (w, _) => Read(
            "query($id: ID!, $window: TimeWindowInput) { suggestTechnicians(workOrderId: $id, window: $window) { ranked { technicianId technicianName } } }",
            new { id = w.OrderOpen, window = DispatchApi.Window(w.NextSlot()) })),
        Query("technicianPicker", "technicianPicker", (w, _) => Read(
            "query($id: ID!, $window: TimeWindowInput) { technicianPicker(workOrderId: $id, window: $window) { technicians { technicianId name } } }",
            new { id = w.OrderOpen, window = DispatchApi.Window(w.NextSlot()) })),
        Query("schedule@own", "schedule", (w, _) => Read(ScheduleQuery, ScheduleVariables(w.TechOwn))),
        Query("schedule@other", "schedule", (w, _) => Read(ScheduleQuery, ScheduleVariables(w.TechOther))),

        // ---- mutations: every cell acts on targets made for it alone ----
        Mutation("createWorkOrder", (w, _) =>
        {
            var id = DispatchApi.NewId("wo");
            return Task.FromResult(new Cell("mutation($input: CreateWorkOrderInput!) { createWorkOrder(input: $input) { id title } }", new
            {
                input = new { id, title = "matrix created", customer = new { name = "Matrix" }, site = new { address = "1 Main St" } },
            }) { Snapshot = () => w.OrderStateAsync(id) });
        }),
        Mutation("updateWorkOrderStatus@own", async (w, _) => StatusCell(w, await w.NewDispatchedOrderAsync(w.TechOwn))),
        Mutation("updateWorkOrderStatus@other", async (w, _) => StatusCell(w, await w.NewDispatchedOrderAsync(w.TechOther))),
        Mutation("addWorkOrderNote@own", async (w, _) => NoteCell(w, await w.NewDispatchedOrderAsync(w.TechOwn))),
        Mutation("addWorkOrderNote@other", async (w, _) => NoteCell(w, await w.NewDispatchedOrderAsync(w.TechOther))),
        Mutation("createTechnician", (w, _) =>
        {
            var id = DispatchApi.NewId("tech");
            return Task.FromResult(new Cell("mutation($input: CreateTechnicianInput!) { createTechnician(input: $input) { id name } }",
                new { input = new { id, name = "matrix technician" } }) { Snapshot = () => w.TechnicianStateAsync(id) });
        }),
        Mutation("registerDevice", (w, _) =>
        {
            var id = DispatchApi.NewId("dev");
            return Task.FromResult(new Cell("mutation($input: RegisterDeviceInput!) { registerDevice(input: $input) { key device { id } } }",
                new { input = new { id, technicianId = w.TechOwn } }) { Snapshot = () => w.DeviceStateAsync(id) });
        }),
        Mutation("revokeDevice", async (w, _) =>
        {
            var id = await w.NewDeviceAsync(w.TechOwn);
            return new Cell("mutation($id: ID!) { revokeDevice(id: $id) { id revokedAt } }", new { id }) { Snapshot = () => w.DeviceStateAsync(id) };
        }),
        Mutation("reportLocation@own", (w, _) => Task.FromResult(ReportCell(w, w.TechOwn))),
        Mutation("reportLocation@other", (w, _) => Task.FromResult(ReportCell(w, w.TechOther))),
        Mutation("dispatchWorkOrder", async (w, _) =>
        {
            var id = await w.NewOrderAsync();
            return new Cell("mutation($input: DispatchWorkOrderInput!) { dispatchWorkOrder(input: $input) { outcome workOrder { id status } } }", new
            {
                input = new { id, technicianIds = new[] { w.TechOther }, arrivalWindow = DispatchApi.Window(w.NextSlot()), overrideConflicts = true, overrideReason = "matrix" },
            }) { Snapshot = () => w.OrderStateAsync(id) };
        }),
        Mutation("dispatchWorkOrders", async (w, _) =>
        {
            var id = await w.NewOrderAsync();
            return new Cell("mutation($input: DispatchWorkOrdersInput!) { dispatchWorkOrders(input: $input) { succeeded items { workOrderId status errorCode } } }", new
            {
                input = new
                {
                    items = new[]
                    {
                        new { workOrderId = id, technicianIds = new[] { w.TechOther }, arrivalWindow = DispatchApi.Window(w.NextSlot()), overrideConflicts = true, overrideReason = "matrix" },
                    },
                },
            }) { Snapshot = () => w.OrderStateAsync(id) };
        }),
        Mutation("reassignWorkOrder", async (w, _) =>
        {
            var id = await w.NewDispatchedOrderAsync(w.TechOther);
            return new Cell("mutation($input: ReassignWorkOrderInput!) { reassignWorkOrder(input: $input) { outcome workOrder { id } } }", new
            {
                input = new { id, technicianIds = new[] { w.TechOwn }, reason = "matrix", arrivalWindow = DispatchApi.Window(w.NextSlot()), overrideConflicts = true, overrideReason = "matrix" },
            }) { Snapshot = () => w.OrderStateAsync(id) };
        }),
        Mutation("unassignWorkOrder", async (w, _) =>
        {
            var id = await w.NewDispatchedOrderAsync(w.TechOther);
            return new Cell("mutation($input: UnassignWorkOrderInput!) { unassignWorkOrder(input: $input) { id status } }",
                new { input = new { id, reason = "matrix" } }) { Snapshot = () => w.OrderStateAsync(id) };
        }),
        Mutation("setTechnicianWorkingHours", async (w, _) => TechnicianCell(w, await w.NewTechnicianAsync(),
            "mutation($input: SetTechnicianWorkingHoursInput!) { setTechnicianWorkingHours(input: $input) { id } }",
            id => new { technicianId = id, shifts = new[] { new { day = "MONDAY", start = "08:00", end = "16:00" } } })),
        Mutation("setTechnicianCapacity", async (w, _) => TechnicianCell(w, await w.NewTechnicianAsync(),
            "mutation($input: SetTechnicianCapacityInput!) { setTechnicianCapacity(input: $input) { id } }",
            id => new { technicianId = id, maxActiveWorkOrders = 3 })),
        Mutation("addAvailabilityBlock", async (w, _) => TechnicianCell(w, await w.NewTechnicianAsync(),
            "mutation($input: AddAvailabilityBlockInput!) { addAvailabilityBlock(input: $input) { schedule { technicianId } } }",
            id => new { technicianId = id, kind = "PTO", window = DispatchApi.Window(w.NextSlot()) })),
        Mutation("removeAvailabilityBlock", async (w, _) =>
        {
            var technician = await w.NewTechnicianAsync();
            var block = DispatchApi.NewId("blk");
            await w.AdminA.DataAsync("mutation($input: AddAvailabilityBlockInput!) { addAvailabilityBlock(input: $input) { schedule { technicianId } } }",
                new { input = new { technicianId = technician, id = block, kind = "TRAINING", window = DispatchApi.Window(w.NextSlot()) } });
            return TechnicianCell(w, technician, "mutation($input: RemoveAvailabilityBlockInput!) { removeAvailabilityBlock(input: $input) { technicianId } }",
                id => new { technicianId = id, blockId = block });
        }),
        Mutation("setTechnicianActive", async (w, _) => TechnicianCell(w, await w.NewTechnicianAsync(),
            "mutation($input: SetTechnicianActiveInput!) { setTechnicianActive(input: $input) { id active } }",
            id => new { technicianId = id, active = false })),
        Mutation("updateTechnician", async (w, _) => TechnicianCell(w, await w.NewTechnicianAsync(),
            "mutation($input: UpdateTechnicianInput!) { updateTechnician(input: $input) { id name } }",
            id => new { id, name = "ALPHA renamed" })),

        // ---- subscriptions ----
        Subscription("technicianLocations@box", (w, _) => Task.FromResult(new Cell(
            "subscription($box: BoundingBoxInput) { technicianLocations(boundingBox: $box) { technicianId position { latitude } } }", new { box = Box })
        {
            Trigger = () => w.PostFixAsync(w.DeviceOwn),
            IsEvent = body => body.Contains(w.TechOwn, StringComparison.Ordinal) && body.Contains(SecurityWorld.LatitudeAMarker, StringComparison.Ordinal),
            Sentinel = () => w.PostFixAsync(w.DeviceB),
            IsSentinel = body => body.Contains(w.TechB, StringComparison.Ordinal),
        })),
        Subscription("technicianLocations@ids", (w, _) => Task.FromResult(new Cell(
            "subscription($ids: [ID!]) { technicianLocations(technicianIds: $ids) { technicianId position { latitude } } }", new { ids = new[] { w.TechOwn } })
        {
            Trigger = () => w.PostFixAsync(w.DeviceOwn),
            IsEvent = body => body.Contains(SecurityWorld.LatitudeAMarker, StringComparison.Ordinal),
            // B's own technician with the same id: its fixes are what B may see.
            Sentinel = () => w.PostFixAsync(w.DeviceBTwin),
            IsSentinel = body => body.Contains("29.702", StringComparison.Ordinal),
        })),
        Subscription("workOrderUpdated@own", async (w, p) => await OrderFeedCell(w, p, w.TechOwn)),
        Subscription("workOrderUpdated@other", async (w, p) => await OrderFeedCell(w, p, w.TechOther)),
        Subscription("boardUpdated", (w, _) => Task.FromResult(new Cell("subscription { boardUpdated { kind workOrderId workOrder { title } } }", null)
        {
            Trigger = () => Note(w.AdminA, w.OrderOwn, "ALPHA board note"),
            IsEvent = body => body.Contains("ALPHA", StringComparison.Ordinal),
            Sentinel = () => Note(w.AdminB, w.OrderB, "BRAVO board note"),
            IsSentinel = body => body.Contains("BRAVO", StringComparison.Ordinal),
        })),
        Subscription("technicianNotifications@own", async (w, p) => await NotificationCell(w, p, SecurityWorld.TechUser)),
        Subscription("technicianNotifications@other", async (w, p) => await NotificationCell(w, p, "u-someone-else")),
        Subscription("technicianNotifications@all", (w, _) => Task.FromResult(new Cell(NotificationsSubscription, new { id = (string?)null })
        {
            Trigger = async () => await w.NewDispatchedOrderAsync(w.TechOther),
            IsEvent = body => body.Contains(w.TechOther, StringComparison.Ordinal),
            Sentinel = async () => await w.NewDispatchedOrderAsync(w.TechB, w.AdminB),
            IsSentinel = body => body.Contains(w.TechB, StringComparison.Ordinal),
        })),
    ];

    private const string ScheduleQuery =
        "query($ids: [ID!]!, $from: DateTimeOffset!, $to: DateTimeOffset!) { schedule(technicianIds: $ids, from: $from, to: $to) { technicianId bookings { workOrderId } } }";

    private const string NotificationsSubscription =
        "subscription($id: ID) { technicianNotifications(technicianId: $id) { kind technicianId technicianName workOrderId } }";

    private static object ScheduleVariables(string technicianId) =>
        new { ids = new[] { technicianId }, from = DateTimeOffset.UtcNow.AddDays(-1), to = DateTimeOffset.UtcNow.AddDays(40) };

    private static GraphQLOperation Query(string row, string field, Func<SecurityWorld, Principal, Task<Cell>> arrange) =>
        new(row, field, OperationKind.Query, arrange);

    private static GraphQLOperation Mutation(string row, Func<SecurityWorld, Principal, Task<Cell>> arrange) =>
        new(row, row.Split('@')[0], OperationKind.Mutation, arrange);

    private static GraphQLOperation Subscription(string row, Func<SecurityWorld, Principal, Task<Cell>> arrange) =>
        new(row, row.Split('@')[0], OperationKind.Subscription, arrange);

    private static Task<Cell> Read(string document, object? variables) => Task.FromResult(new Cell(document, variables));

    private static Cell StatusCell(SecurityWorld w, string id) =>
        new("mutation($input: UpdateWorkOrderStatusInput!) { updateWorkOrderStatus(input: $input) { id status } }",
            new { input = new { id, status = "ACKNOWLEDGED" } }) { Snapshot = () => w.OrderStateAsync(id) };

    private static Cell NoteCell(SecurityWorld w, string id) =>
        new("mutation($input: AddWorkOrderNoteInput!) { addWorkOrderNote(input: $input) { id } }",
            new { input = new { id, note = "matrix note" } }) { Snapshot = () => w.OrderStateAsync(id) };

    private static Cell ReportCell(SecurityWorld w, string technicianId) =>
        new("mutation($input: ReportLocationInput!) { reportLocation(input: $input) { accepted rejected } }", new
        {
            input = new
            {
                technicianId,
                fixes = new[] { new { latitude = SecurityWorld.LatitudeA, longitude = -95.36, timestamp = w.NextFixTime(), accuracy = 5.0 } },
            },
        }) { Snapshot = () => w.PositionStateAsync(technicianId) };

    private static Cell TechnicianCell(SecurityWorld w, string technicianId, string document, Func<string, object> input) =>
        new(document, new { input = input(technicianId) }) { Snapshot = () => w.TechnicianStateAsync(technicianId) };

    private static Task Note(HttpClient client, string orderId, string note) =>
        client.DataAsync("mutation($input: AddWorkOrderNoteInput!) { addWorkOrderNote(input: $input) { id } }", new { input = new { id = orderId, note } });

    /// <summary>A fresh A order on the given technician; for the other tenant also B's own order with the same id.</summary>
    private static async Task<Cell> OrderFeedCell(SecurityWorld w, Principal principal, string technicianId)
    {
        var id = await w.NewDispatchedOrderAsync(technicianId);
        if (principal == Principal.OtherTenant)
            await w.NewOrderAsync(w.AdminB, id, "BRAVO twin order");
        return new Cell("subscription($id: ID!) { workOrderUpdated(id: $id) { kind workOrderId workOrder { title } } }", new { id })
        {
            Trigger = () => Note(w.AdminA, id, "ALPHA note"),
            IsEvent = body => body.Contains(id, StringComparison.Ordinal) && body.Contains("ALPHA", StringComparison.Ordinal),
            Sentinel = () => Note(w.AdminB, id, "BRAVO note"),
            IsSentinel = body => body.Contains("BRAVO", StringComparison.Ordinal),
        };
    }

    /// <summary>A fresh A technician bound to the given user; for the other tenant also B's own technician with the same id.</summary>
    private static async Task<Cell> NotificationCell(SecurityWorld w, Principal principal, string userId)
    {
        var technician = await w.NewTechnicianAsync(userId, name: "ALPHA notified");
        if (principal == Principal.OtherTenant)
            await w.NewTechnicianAsync("u-b-twin", w.AdminB, technician, "BRAVO notified");
        return new Cell(NotificationsSubscription, new { id = technician })
        {
            Trigger = async () => await w.NewDispatchedOrderAsync(technician),
            IsEvent = body => body.Contains(technician, StringComparison.Ordinal) && body.Contains("ALPHA", StringComparison.Ordinal),
            Sentinel = async () => await w.NewDispatchedOrderAsync(technician, w.AdminB),
            IsSentinel = body => body.Contains("BRAVO", StringComparison.Ordinal),
        };
    }

    public static GraphQLOperation Find(string row) => All.Single(o => o.Row == row);

    /// <summary>The response's data as text (errors excluded: they may echo the ids the caller sent).</summary>
    public static string DataText(JsonElement? json) =>
        json is { ValueKind: JsonValueKind.Object } j && j.TryGetProperty("data", out var data) ? data.GetRawText() : "";
}
