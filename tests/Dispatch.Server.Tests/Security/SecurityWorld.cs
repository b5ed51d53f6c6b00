using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Dispatch.Server.Identity;
using Dispatch.Server.Tests.Dispatching;
using Dispatch.Server.Tests.Tracking;
using Dispatch.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Dispatch.Server.Tests.Security;

/// <summary>Who knocks: every kind of caller the security matrix tries on every operation.</summary>
public enum Principal
{
    /// <summary>Admin of tenant A.</summary>
    Admin,
    /// <summary>Dispatcher of tenant A.</summary>
    Dispatcher,
    /// <summary>Technician (the Field role) of tenant A whose user is bound to technician <see cref="SecurityWorld.TechOwn"/>.</summary>
    Technician,
    /// <summary>Tenant A's tracking device bound to <see cref="SecurityWorld.TechOwn"/>, presenting its device key.</summary>
    Device,
    /// <summary>A valid JWT whose only role is Device: a device is a key, never a user session.</summary>
    DeviceToken,
    /// <summary>No credentials at all.</summary>
    Anonymous,
    /// <summary>Admin of tenant B, naming tenant A's ids.</summary>
    OtherTenant,
    /// <summary>A correctly signed tenant-A token whose only role is unknown ("Auditor"): refused.</summary>
    UnknownRole,
    /// <summary>A correctly signed Admin token for a tenant nobody registered: refused.</summary>
    UnknownTenant,
}

/// <summary>
/// One real server (embedded SQLite) with two tenants seeded for the matrix. Names in tenant A carry "ALPHA", names in
/// tenant B carry "BRAVO", and positions differ by latitude (A ≈ 29.761, B ≈ 29.702), so a leak is visible in any
/// response body. Tenant B holds twins of A's <see cref="TechOwn"/> and <see cref="OrderOwn"/> (same ids), so "the same
/// id in another tenant" is exercised, not just "an id that does not exist".
/// </summary>
public class SecurityWorld : IAsyncLifetime
{
    public const string TenantA = "default";
    public const string TenantB = "tenant-b";
    public const string GhostTenant = "ghost-tenant";
    public const string TechUser = "u-tech-own";
    public const double LatitudeA = 29.7611;
    public const double LatitudeB = 29.7022;
    public const string LatitudeAMarker = "29.761";

    private int _slot;
    private int _fixSecond;

    /// <summary>
    /// Introspection is on so the coverage check can compare the schema's root fields with the matrix rows; that
    /// production turns it off is proven by <c>AbuseLimitTests</c>.
    /// </summary>
    public SecurityWorld()
        : this(new Dictionary<string, string>())
    {
    }

    /// <summary>Extra server configuration as environment variables (the fuzz run lifts the device rate limit).</summary>
    protected SecurityWorld(IReadOnlyDictionary<string, string> environment) =>
        Server = new TrackingServer(new Dictionary<string, string>(environment) { ["Dispatch__GraphQL__Introspection"] = "true" });

    public TrackingServer Server { get; }

    public ServerProcess Process => Server.Process;

    public string TechOwn { get; } = DispatchApi.NewId("tech-own");
    public string TechOther { get; } = DispatchApi.NewId("tech-oth");
    public string TechB { get; } = DispatchApi.NewId("tech-b");
    public string OrderOwn { get; } = DispatchApi.NewId("wo-own");
    public string OrderOther { get; } = DispatchApi.NewId("wo-oth");
    public string OrderOpen { get; } = DispatchApi.NewId("wo-open");
    public string OrderB { get; } = DispatchApi.NewId("wo-b");

    /// <summary>Tenant A's device on TechOwn (JSON and hub), and its OsmAnd twin.</summary>
    public TestDevice DeviceOwn { get; private set; } = null!;
    public TestDevice DeviceOwnOsmAnd { get; private set; } = null!;
    public TestDevice DeviceOther { get; private set; } = null!;
    /// <summary>Tenant B's devices: on TechB, and on B's twin of TechOwn.</summary>
    public TestDevice DeviceB { get; private set; } = null!;
    public TestDevice DeviceBTwin { get; private set; } = null!;

    public HttpClient AdminA { get; private set; } = null!;
    public HttpClient AdminB { get; private set; } = null!;

    /// <summary>Ids that belong to tenant A only (B has no object with these ids): seeing one as B is a leak.</summary>
    public IReadOnlyList<string> TenantAOnlyIds => [TechOther, OrderOther, OrderOpen, DeviceOwn.DeviceId, DeviceOther.DeviceId];

    public async ValueTask InitializeAsync()
    {
        await Server.StartAsync();
        AdminA = Server.Client(Server.Token("admin-a", "Admin", TenantA));
        AdminB = Server.Client(Server.Token("admin-b", "Admin", TenantB));
        var a = new DispatchApi(AdminA);
        var b = new DispatchApi(AdminB);

        await CreateTechnicianAsync(AdminA, TechOwn, "ALPHA own", TechUser);
        await CreateTechnicianAsync(AdminA, TechOther, "ALPHA other", "u-tech-other");
        await CreateTechnicianAsync(AdminB, TechB, "BRAVO tech", "u-tech-b");
        await CreateTechnicianAsync(AdminB, TechOwn, "BRAVO twin", "u-tech-b-twin");

        DeviceOwn = await RegisterDeviceAsync(AdminA, TenantA, TechOwn);
        DeviceOwnOsmAnd = await RegisterDeviceAsync(AdminA, TenantA, TechOwn, osmAnd: true);
        DeviceOther = await RegisterDeviceAsync(AdminA, TenantA, TechOther);
        DeviceB = await RegisterDeviceAsync(AdminB, TenantB, TechB);
        DeviceBTwin = await RegisterDeviceAsync(AdminB, TenantB, TechOwn);

        await CreateOrderAsync(AdminA, OrderOwn, "ALPHA own order");
        await CreateOrderAsync(AdminA, OrderOther, "ALPHA other order");
        await CreateOrderAsync(AdminA, OrderOpen, "ALPHA open order");
        await CreateOrderAsync(AdminB, OrderB, "BRAVO order");
        await CreateOrderAsync(AdminB, OrderOwn, "BRAVO twin order");
        await DispatchAsync(a, OrderOwn, TechOwn);
        await DispatchAsync(a, OrderOther, TechOther);
        await DispatchAsync(b, OrderB, TechB);

        await PostFixAsync(DeviceOwn);
        await PostFixAsync(DeviceOther);
        await PostFixAsync(DeviceB);
        await PostFixAsync(DeviceBTwin);
    }

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        AdminA?.Dispose();
        AdminB?.Dispose();
        return Server.DisposeAsync();
    }

    // ---- callers ----

    public HttpClient Client(Principal principal)
    {
        var client = new HttpClient { BaseAddress = Process.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (Authorization(principal) is { } header)
            client.DefaultRequestHeaders.Authorization = header;
        return client;
    }

    public AuthenticationHeaderValue? Authorization(Principal principal) => principal switch
    {
        Principal.Anonymous => null,
        Principal.Device => new AuthenticationHeaderValue("Device", DeviceOwn.Credential),
        _ => new AuthenticationHeaderValue("Bearer", Token(principal)),
    };

    /// <summary>The bearer token of a user principal (null for anonymous and the device key).</summary>
    public string? Token(Principal principal) => principal switch
    {
        Principal.Admin => Server.Token("admin-a", "Admin", TenantA),
        Principal.Dispatcher => Server.Token("disp-a", "Dispatcher", TenantA),
        Principal.Technician => Server.Token(TechUser, "Technician", TenantA),
        Principal.DeviceToken => Server.Token("device-user", "Device", TenantA),
        Principal.OtherTenant => Server.Token("admin-b", "Admin", TenantB),
        // Minted raw: the test helpers register any tenant they mint a token for, and this one must stay unknown.
        Principal.UnknownTenant => RawToken("admin-ghost", ["Admin"], GhostTenant),
        Principal.UnknownRole => RawToken("auditor-a", ["Auditor"], TenantA),
        _ => null,
    };

    /// <summary>A token signed with the server's key but with claims the issuer would refuse to mint.</summary>
    public string RawToken(string user, string[] roles, string tenant, TimeSpan? lifetime = null)
    {
        var claims = new List<Claim> { new(DispatchClaims.Subject, user), new(DispatchClaims.Name, user), new(DispatchClaims.Tenant, tenant) };
        claims.AddRange(roles.Select(r => new Claim(DispatchClaims.Role, r)));
        var now = DateTime.UtcNow;
        var key = new SymmetricSecurityKey(Convert.FromBase64String(Server.SigningKey));
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "dispatch",
            Audience = "dispatch",
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now,
            NotBefore = now,
            Expires = now + (lifetime ?? TimeSpan.FromHours(1)),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });
    }

    // ---- fresh targets for one cell ----

    /// <summary>A slot no other cell uses, so dispatches never conflict.</summary>
    public (DateTimeOffset Start, DateTimeOffset End) NextSlot()
    {
        var n = Interlocked.Increment(ref _slot);
        return DispatchApi.Slot(n / 20, n % 20);
    }

    /// <summary>A fix timestamp newer than every earlier one of this world (so each is news, never a duplicate).</summary>
    public DateTimeOffset NextFixTime() => DateTimeOffset.UtcNow.AddSeconds(-60).AddMilliseconds(Interlocked.Increment(ref _fixSecond));

    public async Task<string> NewTechnicianAsync(string userId = TechUser, HttpClient? admin = null, string? id = null, string name = "ALPHA fresh")
    {
        id ??= DispatchApi.NewId("tech");
        await CreateTechnicianAsync(admin ?? AdminA, id, name, userId);
        return id;
    }

    public async Task<string> NewOrderAsync(HttpClient? admin = null, string? id = null, string? title = null)
    {
        id ??= DispatchApi.NewId("wo");
        title ??= admin == AdminB ? "BRAVO fresh order" : "ALPHA fresh order";
        await CreateOrderAsync(admin ?? AdminA, id, title);
        return id;
    }

    public async Task<string> NewDispatchedOrderAsync(string technicianId, HttpClient? admin = null)
    {
        var id = await NewOrderAsync(admin);
        await DispatchAsync(new DispatchApi(admin ?? AdminA), id, technicianId);
        return id;
    }

    public async Task<string> NewDeviceAsync(string technicianId) => (await RegisterDeviceAsync(AdminA, TenantA, technicianId)).DeviceId;

    /// <summary>Registers a device as the tenant's admin (the one role every reading of the rules lets manage devices).</summary>
    public static async Task<TestDevice> RegisterDeviceAsync(HttpClient admin, string tenant, string technicianId, bool osmAnd = false)
    {
        var deviceId = DispatchApi.NewId("dev");
        var registered = (await admin.DataAsync(
            "mutation($input: RegisterDeviceInput!) { registerDevice(input: $input) { key credential } }",
            new { input = new { id = deviceId, technicianId, osmAnd } })).GetProperty("registerDevice");
        return new TestDevice(tenant, technicianId, "", deviceId, registered.GetProperty("key").GetString()!, registered.GetProperty("credential").GetString()!);
    }

    public Task PostFixAsync(TestDevice device) =>
        Server.PostFixesAsync(device, TrackingServer.Fix(device.Tenant == TenantA ? LatitudeA : LatitudeB, -95.37, NextFixTime()));

    public Task DispatchAsync(DispatchApi api, string orderId, string technicianId) =>
        api.Client.DataAsync(DispatchApi.DispatchMutation, new
        {
            input = new { id = orderId, technicianIds = new[] { technicianId }, arrivalWindow = DispatchApi.Window(NextSlot()), overrideConflicts = true, overrideReason = "matrix" },
        });

    // ---- state as the owning tenant's admin sees it ----

    public async Task<string> ReadAsync(string query, object variables, HttpClient? admin = null)
    {
        var data = await (admin ?? AdminA).DataAsync(query, variables);
        return data.GetRawText();
    }

    public Task<string> OrderStateAsync(string id) =>
        ReadAsync("query($id: ID!) { workOrder(id: $id) { id version status updatedAt assignment { primary { technicianId } } timeline { kind note } } }", new { id });

    public Task<string> TechnicianStateAsync(string id) =>
        ReadAsync("""
            query($id: ID!) { technician(id: $id) { id name version active updatedAt isField userId
              workingHours { day start end } capacity { maxActiveWorkOrders maxBookedMinutesPerDay } availabilityBlocks { id } } }
            """, new { id });

    public Task<string> DeviceStateAsync(string id) =>
        ReadAsync("query($id: ID!) { device(id: $id) { id technicianId revokedAt } }", new { id });

    public Task<string> PositionStateAsync(string technicianId) =>
        ReadAsync("query($id: ID!) { technicianPosition(technicianId: $id) { timestamp position { latitude longitude } } }", new { id = technicianId });

    private static Task CreateTechnicianAsync(HttpClient admin, string id, string name, string userId)
    {
        var shifts = Enum.GetNames<DayOfWeek>().Select(d => new { day = d.ToUpperInvariant(), start = "00:00", end = "00:00" }).ToArray();
        return admin.DataAsync("""
            mutation($input: CreateTechnicianInput!, $hours: SetTechnicianWorkingHoursInput!) {
              createTechnician(input: $input) { id }
              setTechnicianWorkingHours(input: $hours) { id } }
            """, new
        {
            input = new { id, name, isField = true, skills = new[] { "pump" }, homeBase = new { latitude = 29.76, longitude = -95.37 }, userId },
            hours = new { technicianId = id, shifts },
        });
    }

    private static Task CreateOrderAsync(HttpClient admin, string id, string title) =>
        admin.DataAsync("mutation($input: CreateWorkOrderInput!) { createWorkOrder(input: $input) { id } }", new
        {
            input = new
            {
                id, title, customer = new { name = title + " customer" },
                site = new { address = "4400 Telephone Rd, Houston, TX", location = new { latitude = 29.76, longitude = -95.37 } },
                requiredSkills = new[] { "pump" }, estimatedDurationMinutes = 60,
            },
        });
}

/// <summary>What a GraphQL answer says, whatever transport carried it.</summary>
public sealed record GraphQLAnswer(int HttpStatus, string Body, JsonElement? Json)
{
    public IReadOnlyList<string> ErrorCodes =>
        Json is { } json && json.ValueKind == JsonValueKind.Object && json.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array
            ? [.. errors.EnumerateArray().Select(e => e.TryGetProperty("extensions", out var x) && x.TryGetProperty("code", out var c) ? c.GetString() ?? "" : "")]
            : [];

    public bool HasErrors => ErrorCodes.Count > 0;

    /// <summary>The field's value, or null when absent or JSON null.</summary>
    public JsonElement? Field(string name) =>
        Json is { } json && json.ValueKind == JsonValueKind.Object && json.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
            && data.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : null;

    public static GraphQLAnswer Parse(int status, string body)
    {
        try
        {
            return new GraphQLAnswer(status, body, JsonDocument.Parse(body).RootElement.Clone());
        }
        catch (JsonException)
        {
            return new GraphQLAnswer(status, body, null);
        }
    }

    public override string ToString() => $"HTTP {HttpStatus}: {(Body.Length > 600 ? Body[..600] + "…" : Body)}";
}

internal static class Http
{
    public static async Task<GraphQLAnswer> PostGraphQLAsync(this HttpClient client, string query, object? variables)
    {
        var body = JsonSerializer.Serialize(new { query, variables });
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await client.PostAsync("/graphql", content);
        return GraphQLAnswer.Parse((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
