using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Dispatch.Testing;

namespace Dispatch.Server.Tests.Security;

/// <summary>
/// The fuzz run's server: the matrix's seeded world, with the device and per-user rate limits lifted so every
/// generated request reaches the parsers and validation instead of stopping at a 429.
/// </summary>
public sealed class FuzzWorld() : SecurityWorld(new Dictionary<string, string>
{
    ["Dispatch__Tracking__RateLimit__Burst"] = "100000000",
    ["Dispatch__Limits__RequestsPerSecond"] = "0",
});

/// <summary>
/// A bounded, seeded fuzz run against the real server: thousands of random and malformed GraphQL documents and variables,
/// and malformed device payloads (JSON batch and OsmAnd query, form and JSON). Every one of them must be refused: no 5xx,
/// the process alive and ready at the end, and the state of both tenants exactly as before. The seed is printed; set
/// DISPATCH_FUZZ_SEED to replay a run.
/// </summary>
public sealed partial class FuzzTests(FuzzWorld world) : IClassFixture<FuzzWorld>
{
    private const int GraphQLCases = 2000;
    private const int DeviceCases = 1200;
    private const int Concurrency = 4;

    private static readonly Principal[] Callers =
        [Principal.Admin, Principal.Dispatcher, Principal.Technician, Principal.Anonymous, Principal.OtherTenant, Principal.UnknownRole];

    [Fact]
    public async Task Random_and_malformed_requests_are_refused_without_5xx_crash_or_state_change()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("DISPATCH_FUZZ_SEED"), CultureInfo.InvariantCulture, out var fixedSeed)
            ? fixedSeed
            : Random.Shared.Next();
        TestContext.Current.TestOutputHelper?.WriteLine($"fuzz seed {seed} (DISPATCH_FUZZ_SEED={seed} replays this run)");
        var before = await SnapshotAsync();
        var clients = Callers.ToDictionary(p => p, world.Client);
        var device = new HttpClient { BaseAddress = world.Process.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        device.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Device", world.DeviceOwn.Credential);
        var failures = new ConcurrentQueue<string>();
        var accepted = new ConcurrentQueue<string>();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        try
        {
            await Parallel.ForAsync(0, GraphQLCases + DeviceCases, new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (i, _) =>
            {
                // One generator per case, derived from the seed and the index, so a case is the same whatever ran beside it.
                var random = new Random(unchecked(seed * 1_000_003 + i));
                var request = i < GraphQLCases ? FuzzGraphQL.Next(random) : FuzzDevice.Next(random, world.DeviceOwnOsmAnd.DeviceId, world.DeviceOwnOsmAnd.Key);
                var client = i < GraphQLCases ? clients[Callers[random.Next(Callers.Length)]] : device;
                try
                {
                    using var message = request.ToMessage();
                    using var response = await client.SendAsync(message);
                    var status = (int)response.StatusCode;
                    var body = await response.Content.ReadAsStringAsync();
                    if (status >= 500)
                        failures.Enqueue($"case {i}: HTTP {status} for {request}: {MatrixVerdict.Shorten(body)}");
                    else if (WasAccepted(request.Expect, response, body))
                        accepted.Enqueue($"case {i}: accepted {request}: {MatrixVerdict.Shorten(body)}");
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    failures.Enqueue($"case {i}: no answer ({e.GetType().Name}: {e.Message}) for {request}");
                }
            });
        }
        finally
        {
            foreach (var client in clients.Values)
                client.Dispose();
            device.Dispose();
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{GraphQLCases + DeviceCases} requests in {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.False(world.Process.HasExited, $"seed {seed}: the server died\n{world.Process.Output}");
        using var ready = await world.Process.Http.GetAsync("/health/ready");
        Assert.True(ready.IsSuccessStatusCode, $"seed {seed}: /health/ready answered {(int)ready.StatusCode}");
        Assert.True(failures.IsEmpty, $"seed {seed}: {failures.Count} failures:\n{string.Join("\n", failures.Take(20))}");
        Assert.True(accepted.IsEmpty, $"seed {seed}: {accepted.Count} payloads that must be refused were accepted:\n{string.Join("\n", accepted.Take(20))}");
        var after = await SnapshotAsync();
        Assert.True(before == after, $"seed {seed}: the state changed\nbefore: {before}\nafter:  {after}");
    }

    /// <summary>Whether a payload built to be refused got through.</summary>
    private static bool WasAccepted(FuzzExpectation expect, HttpResponseMessage response, string body)
    {
        if (!response.IsSuccessStatusCode)
            return false;
        return expect switch
        {
            FuzzExpectation.RefusedGraphQL => !body.Contains("\"errors\"", StringComparison.Ordinal),
            FuzzExpectation.RefusedFixes => AcceptedFixes().IsMatch(body),
            FuzzExpectation.RefusedOsmAnd => !response.Headers.Contains("X-Fix-Rejected"),
            _ => false,
        };
    }

    [GeneratedRegex("\"accepted\"\\s*:\\s*[1-9]")]
    private static partial Regex AcceptedFixes();

    /// <summary>Both tenants as their admins see them: counts, every seeded object, positions and trails.</summary>
    private async Task<string> SnapshotAsync()
    {
        var text = new StringBuilder();
        foreach (var admin in new[] { world.AdminA, world.AdminB })
        {
            text.AppendLine(await world.ReadAsync("""
                { workOrders(first: 200) { totalCount edges { node { id version status } } }
                  technicians(first: 200) { totalCount edges { node { id version active } } }
                  technicianPositions(boundingBox: { minLatitude: -90, minLongitude: -180, maxLatitude: 90, maxLongitude: 180 }) { technicianId timestamp position { latitude longitude } } }
                """, new { }, admin));
        }

        foreach (var technician in new[] { world.TechOwn, world.TechOther })
            text.AppendLine(await world.ReadAsync("query($id: ID!) { technicianTrail(technicianId: $id, limit: 1000) { timestamp source } }", new { id = technician }));
        foreach (var deviceId in new[] { world.DeviceOwn.DeviceId, world.DeviceOwnOsmAnd.DeviceId, world.DeviceOther.DeviceId })
            text.AppendLine(await world.DeviceStateAsync(deviceId));
        return text.ToString();
    }
}

/// <summary>One fuzz request: method, path, content type and raw body bytes.</summary>
public sealed record FuzzRequest(string Kind, HttpMethod Method, string Path, string? ContentType, byte[]? Body)
{
    public FuzzExpectation Expect { get; init; }

    public HttpRequestMessage ToMessage()
    {
        var message = new HttpRequestMessage(Method, Path);
        if (Body is not null)
        {
            message.Content = new ByteArrayContent(Body);
            if (ContentType is not null)
                message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(ContentType);
        }

        return message;
    }

    public override string ToString()
    {
        var body = Body is null ? "" : Encoding.UTF8.GetString(Body);
        return $"{Kind} {Method} {MatrixVerdict.Shorten(Path)} [{ContentType}] {MatrixVerdict.Shorten(body)}";
    }

    public static FuzzRequest Json(string kind, string path, string json) => new(kind, HttpMethod.Post, path, "application/json", Encoding.UTF8.GetBytes(json));
}
