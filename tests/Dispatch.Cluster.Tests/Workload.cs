using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Dispatch.Testing;

namespace Dispatch.Cluster.Tests;

/// <summary>
/// One tenant's dispatch and tracking traffic spread over the running silos, with a ledger of what the cluster
/// acknowledged: the ground truth the failure tests compare the cluster's state with afterwards.
/// </summary>
public sealed class Workload(SiloCluster cluster, string tenant)
{
    public const string OrderFields = "id version status assignment { primary { technicianId } } visit { bookedWindow { start end } } eta { basedOnFixAt }";

    private readonly ConcurrentDictionary<string, OrderLedger> _orders = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DeviceLedger> _devices = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<Ack> _acks = [];
    private int _next;

    /// <summary>The tenant the workloads run in; every test has a database of its own, so one name is enough.</summary>
    public const string TestTenant = "field-ops";

    public string Tenant { get; } = tenant;

    public string DispatcherToken { get; } = cluster.Token("dana", "Dispatcher", tenant);

    public string AdminToken { get; } = cluster.Token("ops", "Admin", tenant);

    public List<string> Technicians { get; } = [];

    public IReadOnlyDictionary<string, OrderLedger> Orders => _orders;

    public IReadOnlyDictionary<string, DeviceLedger> Devices => _devices;

    /// <summary>Every acknowledged change: through which silo, to which work order, at which version, when.</summary>
    public IReadOnlyCollection<Ack> Acks => _acks;

    /// <summary>Silos the load balancer sends traffic to (the test takes a silo out when it kills or stops it).</summary>
    public HashSet<int> InRotation { get; } = [];

    public int NextSilo()
    {
        lock (InRotation)
        {
            var silos = InRotation.Order().ToArray();
            return silos[(int)((uint)Interlocked.Increment(ref _next) % silos.Length)];
        }
    }

    public static (DateTimeOffset Start, DateTimeOffset End) Slot(int day, double hour, double hours = 2)
    {
        var start = new DateTimeOffset(DateTimeOffset.UtcNow.Date.AddDays(3 + day), TimeSpan.Zero).AddHours(hour);
        return (start, start.AddHours(hours));
    }

    public async Task<JsonElement> DataAsync(int silo, string query, object? variables = null, bool asAdmin = false)
    {
        using var client = cluster.Client(silo, asAdmin ? AdminToken : DispatcherToken);
        return await client.DataAsync(query, variables);
    }

    public async Task<JsonElement> PostAsync(int silo, string query, object? variables = null)
    {
        using var client = cluster.Client(silo, DispatcherToken);
        return await client.PostAsync(query, variables);
    }

    public async Task<string> CreateTechnicianAsync(int silo, string id)
    {
        await DataAsync(silo, "mutation($input: CreateTechnicianInput!) { createTechnician(input: $input) { id } }",
            new { input = new { id, name = "Tech " + id, isField = true, skills = new[] { "pump" }, userId = "user-" + id, homeBase = new { latitude = 29.76, longitude = -95.37 } } });
        // Around the clock, so every test slot is inside working hours.
        var shifts = Enum.GetNames<DayOfWeek>().Select(d => new { day = d.ToUpperInvariant(), start = "00:00", end = "00:00" }).ToArray();
        await DataAsync(silo, "mutation($input: SetTechnicianWorkingHoursInput!) { setTechnicianWorkingHours(input: $input) { id } }",
            new { input = new { technicianId = id, shifts } });
        Technicians.Add(id);
        return id;
    }

    public async Task CreateOrderAsync(int silo, string id)
    {
        var created = await DataAsync(silo, $$"""mutation($input: CreateWorkOrderInput!) { createWorkOrder(input: $input) { {{OrderFields}} } }""", new
        {
            input = new
            {
                id, title = "Pump " + id, priority = "NORMAL", customer = new { name = "Harris County MUD 12" },
                site = new { address = "4400 Telephone Rd, Houston, TX", location = new { latitude = 29.76, longitude = -95.37 } },
                requiredSkills = new[] { "pump" }, estimatedDurationMinutes = 60,
            },
        });
        var ledger = _orders[id] = new OrderLedger(id);
        ledger.Acknowledge(created.GetProperty("createWorkOrder"));
        _acks.Add(new Ack(silo, id, ledger.Version, DateTimeOffset.UtcNow));
    }

    public async Task<string> RegisterDeviceAsync(int silo, string technicianId)
    {
        var deviceId = "dev-" + technicianId;
        var registered = (await DataAsync(silo,
            "mutation($input: RegisterDeviceInput!) { registerDevice(input: $input) { credential } }",
            new { input = new { id = deviceId, technicianId } }, asAdmin: true)).GetProperty("registerDevice"); // devices are admin work
        _devices[technicianId] = new DeviceLedger(technicianId, registered.GetProperty("credential").GetString()!);
        return deviceId;
    }

    /// <summary>One work-order mutation whose payload is the order's new state; acknowledged (ledger updated) only on success.</summary>
    public async Task<JsonElement?> MutateAsync(int silo, string orderId, string field, string query, object variables)
    {
        var ledger = _orders[orderId];
        try
        {
            var result = await PostAsync(silo, query, variables);
            if (result.TryGetProperty("errors", out var errors))
            {
                var code = result.ErrorCode();
                // A domain refusal changes nothing and is an answer; anything else leaves the outcome unknown.
                if (code is "SCHEDULE_CONFLICT" && result.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
                    && data.TryGetProperty(field, out var payload) && payload.ValueKind == JsonValueKind.Object)
                {
                    return payload;
                }

                ledger.MarkUncertain($"{field} via silo {silo}: {errors}");
                return null;
            }

            var value = result.GetProperty("data").GetProperty(field);
            var order = value.TryGetProperty("workOrder", out var inner) ? inner : value;
            ledger.Acknowledge(order);
            _acks.Add(new Ack(silo, orderId, ledger.Version, DateTimeOffset.UtcNow));
            return value;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            ledger.MarkUncertain($"{field} via silo {silo}: {e.Message}");
            return null;
        }
    }

    public Task<JsonElement?> DispatchAsync(int silo, string orderId, string technicianId, (DateTimeOffset Start, DateTimeOffset End) slot, DateTimeOffset? at = null) =>
        MutateAsync(silo, orderId, "dispatchWorkOrder", $$"""
            mutation($input: DispatchWorkOrderInput!) { dispatchWorkOrder(input: $input) { outcome workOrder { {{OrderFields}} } } }
            """, new { input = new { id = orderId, technicianIds = new[] { technicianId }, arrivalWindow = new { start = slot.Start, end = slot.End }, dispatchAt = at } });

    public Task<JsonElement?> SetStatusAsync(int silo, string orderId, string status) =>
        MutateAsync(silo, orderId, "updateWorkOrderStatus",
            $$"""mutation($input: UpdateWorkOrderStatusInput!) { updateWorkOrderStatus(input: $input) { {{OrderFields}} } }""",
            new { input = new { id = orderId, status } });

    public Task<JsonElement?> UnassignAsync(int silo, string orderId) =>
        MutateAsync(silo, orderId, "unassignWorkOrder",
            $$"""mutation($input: UnassignWorkOrderInput!) { unassignWorkOrder(input: $input) { {{OrderFields}} } }""",
            new { input = new { id = orderId } });

    public Task<JsonElement?> NoteAsync(int silo, string orderId, string note) =>
        MutateAsync(silo, orderId, "addWorkOrderNote",
            $$"""mutation($input: AddWorkOrderNoteInput!) { addWorkOrderNote(input: $input) { {{OrderFields}} } }""",
            new { input = new { id = orderId, note } });

    public async Task<JsonElement> ReadOrderAsync(int silo, string orderId) =>
        (await DataAsync(silo, $$"""query($id: ID!) { workOrder(id: $id) { {{OrderFields}} } }""", new { id = orderId })).GetProperty("workOrder");

    /// <summary>Brings a worker's view back in line after an unknown outcome (the order as it is, not an acknowledgement).</summary>
    public async Task<JsonElement> ResyncAsync(string orderId)
    {
        JsonElement order = default;
        await Eventually.Until(async () =>
        {
            order = await ReadOrderAsync(NextSilo(), orderId);
            return true;
        }, TimeSpan.FromSeconds(60), "the order can be read again", TimeSpan.FromMilliseconds(200));
        return order;
    }

    /// <summary>
    /// A dispatcher working through its own orders until <paramref name="stop"/>: dispatch to a random technician in a
    /// random overlapping slot (other dispatchers compete for the same technicians and times), acknowledge, go en route,
    /// unassign, again. Each order has one writer, so its last acknowledged state is what it must be at the end.
    /// </summary>
    public async Task DispatcherLoopAsync(IReadOnlyList<string> orders, int seed, CancellationToken stop)
    {
        var random = new Random(seed);
        while (!stop.IsCancellationRequested)
        {
            foreach (var orderId in orders)
            {
                if (stop.IsCancellationRequested)
                    return;
                var status = _orders[orderId].Status;
                if (_orders[orderId].Uncertain)
                    status = (await ResyncAsync(orderId)).GetProperty("status").GetString()!;
                var silo = NextSilo();
                _ = status switch
                {
                    "CREATED" => await DispatchAsync(silo, orderId, Technicians[random.Next(Technicians.Count)],
                        Slot(0, 8 + random.Next(6) * 0.5)),
                    "DISPATCHED" => await SetStatusAsync(silo, orderId, "ACKNOWLEDGED"),
                    "ACKNOWLEDGED" => await SetStatusAsync(silo, orderId, "EN_ROUTE"),
                    _ => await UnassignAsync(silo, orderId),
                };
            }
        }
    }

    /// <summary>A device posting a fix every <paramref name="every"/> through the silos in rotation; acknowledged fixes are recorded.</summary>
    public async Task DeviceLoopAsync(string technicianId, TimeSpan every, CancellationToken stop)
    {
        var device = _devices[technicianId];
        using var timer = new PeriodicTimer(every);
        var step = 0;
        do
        {
            await PostFixAsync(NextSilo(), device, 29.70 + step++ * 0.0001);
        }
        while (await WaitAsync(timer, stop));
    }

    public async Task<bool> PostFixAsync(int silo, DeviceLedger device, double latitude)
    {
        var at = DateTimeOffset.UtcNow;
        device.Attempted(at);
        try
        {
            using var client = cluster.DeviceClient(silo, device.Credential);
            using var response = await client.PostAsJsonAsync("/api/v1/locations",
                new { fixes = new[] { new { lat = latitude, lon = -95.37, timestamp = at.ToString("O"), accuracy = 5.0 } } });
            if (!response.IsSuccessStatusCode)
                return false;
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            if (body.GetProperty("accepted").GetInt32() != 1)
                return false;
            device.Acknowledged(silo, at);
            return true;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stop)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stop);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}

public sealed record Ack(int Silo, string WorkOrderId, long Version, DateTimeOffset At);

/// <summary>What the cluster last acknowledged for one work order, and whether a later request's outcome is unknown.</summary>
public sealed class OrderLedger(string id)
{
    private readonly Lock _gate = new();

    public string Id { get; } = id;
    public long Version { get; private set; }
    public string Status { get; private set; } = "CREATED";
    public string? Technician { get; private set; }
    public string? BookedStart { get; private set; }
    public bool Uncertain { get; private set; }
    public List<string> Unknowns { get; } = [];

    public void Acknowledge(JsonElement order)
    {
        lock (_gate)
        {
            Version = order.GetProperty("version").GetInt64();
            Status = order.GetProperty("status").GetString()!;
            Technician = order.GetProperty("assignment") is { ValueKind: JsonValueKind.Object } a && a.GetProperty("primary") is { ValueKind: JsonValueKind.Object } p
                ? p.GetProperty("technicianId").GetString()
                : null;
            BookedStart = order.GetProperty("visit") is { ValueKind: JsonValueKind.Object } v && v.GetProperty("bookedWindow") is { ValueKind: JsonValueKind.Object } w
                ? w.GetProperty("start").GetString()
                : null;
            Uncertain = false;
        }
    }

    public void MarkUncertain(string why)
    {
        lock (_gate)
        {
            Uncertain = true;
            Unknowns.Add(why);
        }
    }
}

/// <summary>A device's newest acknowledged fix (and the newest it tried, whose outcome may be unknown).</summary>
public sealed class DeviceLedger(string technicianId, string credential)
{
    public string TechnicianId { get; } = technicianId;
    public string Credential { get; } = credential;
    public DateTimeOffset LastAcknowledged { get; private set; }
    public DateTimeOffset LastAttempted { get; private set; }
    public ConcurrentBag<(int Silo, DateTimeOffset At)> Acks { get; } = [];

    public void Attempted(DateTimeOffset at) => LastAttempted = at;

    public void Acknowledged(int silo, DateTimeOffset at)
    {
        LastAcknowledged = at;
        Acks.Add((silo, at));
    }
}
