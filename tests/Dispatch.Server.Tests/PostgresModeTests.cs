using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Dispatch.Testing;

namespace Dispatch.Server.Tests;

/// <summary>The same binary in postgres mode: instances sharing a database and cluster id become one Orleans cluster.</summary>
public class PostgresModeTests(PostgresServer postgres)
{
    [Fact]
    public async Task Two_instances_on_different_ports_join_one_cluster_and_leave_it_cleanly()
    {
        var connectionString = await postgres.CreateDatabaseAsync("join_" + Guid.NewGuid().ToString("N")[..8]);
        // Instances of one cluster must accept each other's tokens, so they share the signing key (as production would).
        var environment = new Dictionary<string, string>
        {
            ["Dispatch__Storage__Mode"] = "Postgres",
            ["Dispatch__Storage__ConnectionString"] = connectionString,
            ["Dispatch__Storage__ClusterId"] = "join-test",
            ["Dispatch__Auth__SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        };
        using var directory = TempDirectory.Create("dispatch-pg");
        await using var first = ServerProcess.Start(directory.Path, EmbeddedServer.SiloPorts(), environment);
        await using var second = ServerProcess.Start(directory.Path, EmbeddedServer.SiloPorts(), environment);
        await Task.WhenAll(first.WaitUntilReadyAsync(TimeSpan.FromSeconds(90)), second.WaitUntilReadyAsync(TimeSpan.FromSeconds(90)));

        var (exit, token, error) = await ServerProcess.RunVerbAsync(directory.Path, ["token", "--user", "ops", "--role", "Admin"], environment);
        Assert.True(exit == 0, error);

        foreach (var server in new[] { first, second })
        {
            using var client = server.AuthorizedClient(token.Trim());
            string[] silos = [];
            await Eventually.Until(async () =>
            {
                using var response = await client.GetAsync("/api/v1/cluster");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                silos = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("silos")
                    .EnumerateArray().Select(s => s.GetString()!).ToArray();
                return silos.Length == 2;
            }, TimeSpan.FromSeconds(60), "both instances see two active silos");
        }

        // SIGTERM: the silo leaves the cluster cleanly, so the survivor sees it gone at once rather than after the
        // failure detector's probes time out.
        Assert.Equal(0, await second.StopAsync());
        using var survivor = first.AuthorizedClient(token.Trim());
        await Eventually.Until(async () =>
        {
            using var response = await survivor.GetAsync("/api/v1/cluster");
            var silos = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("silos");
            return silos.GetArrayLength() == 1;
        }, TimeSpan.FromSeconds(10), "the stopped silo left the membership table");
    }
}
