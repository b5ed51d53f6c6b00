using System.Text.Json;
using Dispatch.Testing;

namespace Dispatch.Server.Tests.Dispatching;

/// <summary>Small GraphQL helpers for the dispatching tests: create technicians and work orders, dispatch, read back.</summary>
public sealed class DispatchApi(HttpClient client)
{
    public const string OrderFields = """
        id status version
        assignment { primary { technicianId name } technicians { technicianId role } }
        visit { number sentAt arrivalWindow { start end } bookedWindow { start end } }
        assignmentHistory { kind reason from { technicianId } to { technicianId } }
        timeline { kind summary note }
        """;

    public const string DispatchMutation = $$"""
        mutation($input: DispatchWorkOrderInput!) { dispatchWorkOrder(input: $input) {
          outcome workOrder { {{OrderFields}} }
          conflicts { technicianId technicianName conflicts { kind window { start end } workOrderId description } } } }
        """;

    public HttpClient Client { get; } = client;

    public static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    /// <summary>A weekday-independent slot far enough ahead: technicians get around-the-clock hours below.</summary>
    public static (DateTimeOffset Start, DateTimeOffset End) Slot(int dayOffset, int hour, int minutes = 60)
    {
        var day = DateTimeOffset.UtcNow.Date.AddDays(3 + dayOffset);
        var start = new DateTimeOffset(day, TimeSpan.Zero).AddHours(hour);
        return (start, start.AddMinutes(minutes));
    }

    public static object Window((DateTimeOffset Start, DateTimeOffset End) slot) => new { start = slot.Start, end = slot.End };

    public async Task<string> CreateTechnicianAsync(string? id = null, string[]? skills = null, double lat = 29.76, double lon = -95.37,
        bool isField = true, string? userId = null)
    {
        id ??= NewId("tech");
        await Client.DataAsync("mutation($input: CreateTechnicianInput!) { createTechnician(input: $input) { id } }", new
        {
            input = new { id, name = "Tech " + id[^6..], isField, skills = skills ?? ["pump"], homeBase = new { latitude = lat, longitude = lon }, userId },
        });
        // Around the clock, so test slots never fall outside working hours.
        var shifts = Enum.GetNames<DayOfWeek>().Select(d => new { day = d.ToUpperInvariant(), start = "00:00", end = "00:00" }).ToArray();
        await Client.DataAsync("mutation($input: SetTechnicianWorkingHoursInput!) { setTechnicianWorkingHours(input: $input) { id } }",
            new { input = new { technicianId = id, shifts } });
        return id;
    }

    public async Task<string> CreateOrderAsync(string? id = null, string priority = "NORMAL", string[]? skills = null, double lat = 29.76, double lon = -95.37,
        string customer = "Harris County MUD 12")
    {
        id ??= NewId("wo");
        await Client.DataAsync("mutation($input: CreateWorkOrderInput!) { createWorkOrder(input: $input) { id } }", new
        {
            input = new
            {
                id, title = "Pump station " + id[^6..], priority,
                customer = new { name = customer }, site = new { address = "4400 Telephone Rd, Houston, TX", location = new { latitude = lat, longitude = lon } },
                requiredSkills = skills ?? ["pump"], estimatedDurationMinutes = 60,
            },
        });
        return id;
    }

    public Task<JsonElement> DispatchAsync(string orderId, string[] technicianIds, (DateTimeOffset, DateTimeOffset) slot, bool overrideConflicts = false,
        string? reason = null) =>
        Client.PostAsync(DispatchMutation, new
        {
            input = new { id = orderId, technicianIds, arrivalWindow = Window(slot), overrideConflicts, overrideReason = reason },
        });

    public async Task<JsonElement> OrderAsync(string id) =>
        (await Client.DataAsync($$"""query($id: ID!) { workOrder(id: $id) { {{OrderFields}} } }""", new { id })).GetProperty("workOrder");

    public Task<JsonElement> SetStatusAsync(string id, string status, object? parts = null) =>
        Client.PostAsync("mutation($input: UpdateWorkOrderStatusInput!) { updateWorkOrderStatus(input: $input) { status version parts { supplier } } }",
            new { input = new { id, status, parts } });
}
