using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Dispatch.Server.Identity;
using Dispatch.Testing;

namespace Dispatch.Server.Tests.Tracking;

/// <summary>
/// The real server process (embedded SQLite) with a known signing key, so tests mint tokens in-process instead of running
/// the token verb each time. Extra configuration comes as environment variables (e.g. tight rate limits).
/// </summary>
public sealed class TrackingServer : IAsyncDisposable
{
    private readonly TempDirectory _directory = TempDirectory.Create("dispatch-tracking");
    private readonly Dictionary<string, string> _environment;
    private readonly TokenIssuer _issuer;

    public TrackingServer(IReadOnlyDictionary<string, string>? environment = null)
    {
        var signingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        SigningKey = signingKey;
        _environment = new Dictionary<string, string>(environment ?? new Dictionary<string, string>())
        {
            ["Dispatch__Auth__SigningKey"] = signingKey,
        };
        var auth = new AuthOptions { SigningKey = signingKey };
        _issuer = new TokenIssuer(auth, SigningKeyStore.Load(auth, _directory.Path), TimeProvider.System);
    }

    public ServerProcess Process { get; private set; } = null!;

    /// <summary>The base64 HMAC key the server validates with, for tests that hand-craft tokens the issuer refuses to mint.</summary>
    public string SigningKey { get; }

    public Uri WebSocketUri => new($"ws://{Process.BaseAddress.Authority}/graphql");

    public async Task StartAsync()
    {
        Process = ServerProcess.Start(_directory.Path, EmbeddedServer.SiloPorts(), _environment);
        await Process.WaitUntilReadyAsync(TimeSpan.FromSeconds(90));
    }

    public async Task RestartAsync()
    {
        Assert.Equal(0, await Process.StopAsync());
        await Process.DisposeAsync();
        await StartAsync();
    }

    /// <summary>Mints a token in-process; a tenant other than <c>default</c> is registered first (the server refuses unknown tenants).</summary>
    public string Token(string user, string role, string tenant = "default")
    {
        TestTenants.RegisterAsync(Path.Combine(_directory.Path, "data"), tenant).GetAwaiter().GetResult();
        return _issuer.Mint(user, [role], tenant);
    }

    public HttpClient Client(string token) => Process.AuthorizedClient(token);

    public HttpClient DeviceClient(string credential)
    {
        var client = new HttpClient { BaseAddress = Process.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Device", credential);
        return client;
    }

    /// <summary>A technician with a user, and a device bound to it. Returns ids and the device credential.</summary>
    public async Task<TestDevice> NewDeviceAsync(string tenant = "default", bool osmAnd = false, string? technicianId = null)
    {
        using var dispatcher = Client(Token("disp", "Dispatcher", tenant));
        technicianId ??= "tech-" + Guid.NewGuid().ToString("N")[..10];
        var userId = "user-" + technicianId;
        await dispatcher.DataAsync("mutation($input: CreateTechnicianInput!) { createTechnician(input: $input) { id } }",
            new { input = new { id = technicianId, name = "Test " + technicianId, userId } });
        return await RegisterDeviceAsync(technicianId, userId, tenant, osmAnd);
    }

    /// <summary>A device for an existing technician of <paramref name="tenant"/>, registered by that tenant's Admin.</summary>
    public async Task<TestDevice> RegisterDeviceAsync(string technicianId, string userId, string tenant = "default", bool osmAnd = false,
        string? deviceId = null)
    {
        deviceId ??= "dev-" + Guid.NewGuid().ToString("N")[..10];
        using var admin = Client(Token("admin", "Admin", tenant)); // devices hold credentials: admins manage them
        var registered = (await admin.DataAsync(
            "mutation($input: RegisterDeviceInput!) { registerDevice(input: $input) { key credential device { id technicianId osmAnd } } }",
            new { input = new { id = deviceId, technicianId, osmAnd } })).GetProperty("registerDevice");
        return new TestDevice(tenant, technicianId, userId, deviceId, registered.GetProperty("key").GetString()!, registered.GetProperty("credential").GetString()!);
    }

    public static object Fix(double lat, double lon, DateTimeOffset at, double? speed = null) =>
        new { lat, lon, timestamp = at.ToString("O"), accuracy = 5.0, speed };

    public async Task<JsonElement> PostFixesAsync(TestDevice device, params object[] fixes)
    {
        using var client = DeviceClient(device.Credential);
        using var response = await client.PostAsJsonAsync("/api/v1/locations", new { fixes });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        // The answer goes out with its length in one write, not as a chunked stream (S1 in docs/benchmarks.md).
        Assert.NotEqual(true, response.Headers.TransferEncodingChunked);
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(body), response.Content.Headers.ContentLength);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        if (Process is not null)
            await Process.DisposeAsync();
        _directory.Dispose();
    }
}

public sealed record TestDevice(string Tenant, string TechnicianId, string UserId, string DeviceId, string Key, string Credential);

/// <summary>One server shared by a test class (tests use their own technicians and devices).</summary>
public sealed class SharedTrackingServer : IAsyncLifetime
{
    public TrackingServer Server { get; } = new();

    public async ValueTask InitializeAsync() => await Server.StartAsync();

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
