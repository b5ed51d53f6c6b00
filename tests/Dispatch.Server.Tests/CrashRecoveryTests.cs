using System.Collections.Concurrent;
using System.Security.Cryptography;
using Dispatch.Testing;

namespace Dispatch.Server.Tests;

/// <summary>
/// SIGKILL the server while writes are in flight, start it again: every change a client saw acknowledged is there. Run
/// against the embedded SQLite file and against PostgreSQL.
/// </summary>
public class CrashRecoveryTests(PostgresServer postgres)
{
    private const string Create = """
        mutation($id: ID!) { createWorkOrder(input: { id: $id, title: "Crash test", customer: { name: "Acme" }, site: { address: "1 Main St" } }) { id } }
        """;
    private const string Cancel = """
        mutation($id: ID!) { updateWorkOrderStatus(input: { id: $id, status: CANCELLED, note: "duplicate" }) { status } }
        """;

    [Fact]
    public async Task Embedded_mode_keeps_every_acknowledged_change_across_sigkill()
    {
        await using var server = EmbeddedServer.InNewDirectory();
        await server.StartAsync();
        var token = await server.TokenAsync("crash", "Dispatcher");

        var acknowledged = await WriteUntilKilledAsync(server.Process, token);
        await server.StartAsync();

        await AssertAllPresentAsync(server.Process, token, acknowledged);
    }

    [Fact]
    public async Task Postgres_mode_keeps_every_acknowledged_change_across_sigkill()
    {
        var environment = new Dictionary<string, string>
        {
            ["Dispatch__Storage__Mode"] = "Postgres",
            ["Dispatch__Storage__ConnectionString"] = await postgres.CreateDatabaseAsync("crash_" + Guid.NewGuid().ToString("N")[..8]),
            ["Dispatch__Auth__SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        };
        using var directory = TempDirectory.Create("dispatch-crash");
        var (_, token, _) = await ServerProcess.RunVerbAsync(directory.Path, ["token", "--user", "crash", "--role", "Dispatcher"], environment);
        // The restarted instance comes back on the same silo endpoint, as a restarted VM or systemd unit would: Orleans then
        // retires the dead generation at once instead of waiting for the failure detector to vote it out.
        var siloPorts = EmbeddedServer.SiloPorts();
        var first = ServerProcess.Start(directory.Path, siloPorts, environment);
        await first.WaitUntilReadyAsync(TimeSpan.FromSeconds(90));

        var acknowledged = await WriteUntilKilledAsync(first, token.Trim());
        await first.DisposeAsync();
        await using var second = ServerProcess.Start(directory.Path, siloPorts, environment);
        await second.WaitUntilReadyAsync(TimeSpan.FromSeconds(90));

        await AssertAllPresentAsync(second, token.Trim(), acknowledged);
    }

    /// <summary>What a client saw acknowledged, and the change it had in flight (if any) when the server died.</summary>
    private sealed record Outcome(string Acknowledged, string? InFlight);

    /// <summary>
    /// Eight writers create and cancel work orders; the server is killed mid-stream. A change in flight at the kill may
    /// or may not have landed (its answer was lost); an acknowledged one must have.
    /// </summary>
    private static async Task<IReadOnlyDictionary<string, Outcome>> WriteUntilKilledAsync(ServerProcess server, string token)
    {
        var acknowledged = new ConcurrentDictionary<string, Outcome>();
        using var client = server.AuthorizedClient(token);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        async Task Writer(int writer)
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var id = $"crash-{writer}-{n}";
                try
                {
                    var created = await client.PostAsync(Create, new { id }, stop.Token);
                    if (created.ErrorCode() is not null) { continue; }
                    acknowledged[id] = new Outcome("CREATED", null);
                    if (n % 2 == 0)
                    {
                        acknowledged[id] = new Outcome("CREATED", "CANCELLED");
                        var cancelled = await client.PostAsync(Cancel, new { id }, stop.Token);
                        acknowledged[id] = cancelled.ErrorCode() is null ? new Outcome("CANCELLED", null) : new Outcome("CREATED", null);
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or OperationCanceledException)
                {
                    return; // the server is gone: whatever was in flight was never acknowledged
                }
            }
        }

        var writers = Enumerable.Range(0, 8).Select(Writer).ToArray();
        await Eventually.Until(() => acknowledged.Count >= 60, TimeSpan.FromSeconds(45), "writers made progress before the kill");
        await server.KillAsync();
        await Task.WhenAll(writers);
        stop.Cancel();
        return acknowledged;
    }

    private static async Task AssertAllPresentAsync(ServerProcess server, string token, IReadOnlyDictionary<string, Outcome> acknowledged)
    {
        using var client = server.AuthorizedClient(token);
        var missing = new List<string>();
        foreach (var (id, outcome) in acknowledged)
        {
            var data = await client.DataAsync("query($id: ID!) { workOrder(id: $id) { status } }", new { id });
            var order = data.GetProperty("workOrder");
            var status = order.ValueKind == System.Text.Json.JsonValueKind.Null ? null : order.GetProperty("status").GetString();
            if (status != outcome.Acknowledged && status != outcome.InFlight)
            {
                missing.Add($"{id} (acknowledged {outcome.Acknowledged}, found {status ?? "nothing"})");
            }
        }

        Assert.True(missing.Count == 0, $"{missing.Count} of {acknowledged.Count} acknowledged changes lost: {string.Join(", ", missing.Take(10))}");
    }
}
