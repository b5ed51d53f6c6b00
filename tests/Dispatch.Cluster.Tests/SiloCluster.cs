using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Dispatch.Server.Identity;
using Dispatch.Testing;

namespace Dispatch.Cluster.Tests;

/// <summary>
/// N processes of the real server binary in Postgres mode on one database: one Orleans cluster, as docker-compose.yml and
/// deploy/k8s run it. Each silo keeps its HTTP, silo and gateway ports across restarts (a restarted silo on the same
/// endpoint replaces its dead predecessor at once, as a restarted pod or container does). Disposing kills every process.
/// </summary>
public sealed class SiloCluster : IAsyncDisposable
{
    private readonly TempDirectory _directory = TempDirectory.Create("dispatch-cluster");
    private readonly Dictionary<string, string> _environment;
    private readonly (int Http, int Silo, int Gateway)[] _ports;
    private readonly ServerProcess?[] _silos;
    private readonly TokenIssuer _issuer;

    private SiloCluster(string connectionString, int size, IReadOnlyDictionary<string, string>? extra)
    {
        var signingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        _environment = new Dictionary<string, string>(Environment(connectionString, signingKey, "cluster-" + Guid.NewGuid().ToString("N")[..8]));
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
            _environment[key] = value;
        _ports = Enumerable.Range(0, size).Select(_ => (FreePort.Get(), FreePort.Get(), FreePort.Get())).ToArray();
        _silos = new ServerProcess?[size];
        var auth = new AuthOptions { SigningKey = signingKey };
        _issuer = new TokenIssuer(auth, SigningKeyStore.Load(auth, _directory.Path), TimeProvider.System);
    }

    /// <summary>
    /// The settings every silo gets, as environment variables: exactly the names docker-compose.yml and deploy/k8s use
    /// (checked by <see cref="DeploymentConsistencyTests"/>); only the values differ.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Environment(string connectionString, string signingKey, string clusterId) =>
        new Dictionary<string, string>
        {
            ["Dispatch__Storage__Mode"] = "Postgres",
            ["Dispatch__Storage__ConnectionString"] = connectionString,
            ["Dispatch__Storage__ClusterId"] = clusterId,
            ["Dispatch__Storage__ServiceId"] = "dispatch",
            ["Dispatch__Storage__AdvertisedAddress"] = "127.0.0.1",
            ["Dispatch__Auth__SigningKey"] = signingKey,
            // Readiness turns 503 this long before the listeners close (the k8s ConfigMap uses 5 s).
            ["Dispatch__ShutdownDrainSeconds"] = "1",
            ["Dispatch__Metrics__Prometheus"] = "true",
            ["Logging__Console__FormatterName"] = "simple",
        };

    /// <summary>Settings that differ per silo: each on its own ports, since they share one machine.</summary>
    public IReadOnlyDictionary<string, string> SiloEnvironment(int index) => new Dictionary<string, string>(_environment)
    {
        ["Dispatch__Storage__SiloPort"] = _ports[index].Silo.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Dispatch__Storage__GatewayPort"] = _ports[index].Gateway.ToString(System.Globalization.CultureInfo.InvariantCulture),
        // The tests' own tenants, known the configuration way (tokens of unknown tenants are refused). Not part of
        // Environment(): a deployment registers its tenants with the `tenant add` verb instead.
        ["Dispatch__Tenants__Known__0"] = Workload.TestTenant,
        ["Dispatch__Tenants__Known__1"] = DrainTests.Tenant,
        // The workload is many dispatchers sharing one user's token; the per-user rate limit (proven in the
        // server's AbuseLimitTests) would turn it into a test of that limit instead of the cluster.
        ["Dispatch__Limits__RequestsPerSecond"] = "0",
    };

    public int Size => _silos.Length;

    public ServerProcess this[int index] => _silos[index] ?? throw new InvalidOperationException($"Silo {index} is not running.");

    public bool IsRunning(int index) => _silos[index] is { HasExited: false };

    public IEnumerable<int> Running => Enumerable.Range(0, Size).Where(IsRunning);

    public static async Task<SiloCluster> StartAsync(PostgresServer postgres, int size = 3, IReadOnlyDictionary<string, string>? environment = null)
    {
        var connectionString = await postgres.CreateDatabaseAsync("cluster");
        var cluster = new SiloCluster(connectionString, size, environment);
        try
        {
            // The schema first, as the compose file's migrate service and the k8s init container do.
            var (exit, output, error) = await ServerProcess.RunVerbAsync(cluster._directory.Path, ["migrate"], cluster._environment);
            Assert.True(exit == 0, $"migrate failed: {output}{error}");
            await Task.WhenAll(Enumerable.Range(0, size).Select(cluster.StartSiloAsync));
            await cluster.WaitForMembersAsync(size, TimeSpan.FromSeconds(60));
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    public async Task StartSiloAsync(int index)
    {
        if (_silos[index] is { } old)
            await old.DisposeAsync();
        _silos[index] = ServerProcess.Start(_directory.Path, [], SiloEnvironment(index), _ports[index].Http);
        await _silos[index]!.WaitUntilReadyAsync(TimeSpan.FromSeconds(90));
    }

    /// <summary>SIGKILL: no shutdown code runs; the others must notice on their own.</summary>
    public Task KillAsync(int index) => this[index].KillAsync();

    /// <summary>SIGTERM and wait for a clean exit.</summary>
    public async Task StopAsync(int index) => Assert.Equal(0, await this[index].StopAsync(TimeSpan.FromSeconds(60)));

    public string Token(string user, string role, string tenant) => _issuer.Mint(user, [role], tenant);

    public HttpClient Client(int index, string token)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_ports[index].Http}"), Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public HttpClient DeviceClient(int index, string credential)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_ports[index].Http}"), Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Device", credential);
        return client;
    }

    public Uri WebSocketUri(int index) => new($"ws://127.0.0.1:{_ports[index].Http}/graphql");

    /// <summary>What <c>/api/v1/cluster</c> on one silo says: its own address and the active silos it sees.</summary>
    public async Task<(string Self, string[] Silos)> MembershipAsync(int index)
    {
        using var client = Client(index, Token("ops", "Admin", "default"));
        using var response = await client.GetAsync("/api/v1/cluster");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return (body.GetProperty("self").GetString()!, body.GetProperty("silos").EnumerateArray().Select(s => s.GetString()!).ToArray());
    }

    /// <summary>Until every running silo sees exactly <paramref name="count"/> active silos.</summary>
    public Task WaitForMembersAsync(int count, TimeSpan deadline) =>
        Eventually.Until(async () =>
        {
            foreach (var index in Running)
            {
                if ((await MembershipAsync(index)).Silos.Length != count)
                    return false;
            }

            return true;
        }, deadline, $"every running silo sees {count} active silos", TimeSpan.FromMilliseconds(250));

    public string Output(int index) => _silos[index]?.Output ?? string.Empty;

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in _silos)
        {
            if (silo is not null)
                await silo.DisposeAsync();
        }

        _directory.Dispose();
    }
}
