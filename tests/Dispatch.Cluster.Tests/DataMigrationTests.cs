using System.Security.Cryptography;
using System.Text.Json;
using Dispatch.Testing;
using Npgsql;

namespace Dispatch.Cluster.Tests;

/// <summary>
/// The operator's paths out of a single SQLite file: an online backup that restores, and the move to a PostgreSQL
/// cluster (copy-data), after which a Postgres-mode server sees the same work orders, technicians and schedules.
/// </summary>
public class DataMigrationTests(PostgresServer postgres)
{
    private const string Snapshot = """
        query($ids: [ID!]!, $from: DateTimeOffset!, $to: DateTimeOffset!) {
          a: workOrder(id: "wo-a") { id title status version assignment { primary { technicianId } } visit { sendAt bookedWindow { start end } } }
          b: workOrder(id: "wo-b") { id title status version assignment { primary { technicianId } } visit { sendAt bookedWindow { start end } } }
          technician(id: "tech-1") { id name skills }
          schedule(technicianIds: $ids, from: $from, to: $to) { technicianId bookings { workOrderId window { start end } } }
          workOrders(first: 10) { edges { node { id status } } }
        }
        """;

    [Fact]
    public async Task An_online_backup_restores_and_copy_data_moves_everything_to_a_postgres_cluster()
    {
        using var directory = TempDirectory.Create("dispatch-move");
        var signingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var environment = new Dictionary<string, string> { ["Dispatch__Auth__SigningKey"] = signingKey };
        var embedded = Path.Combine(directory.Path, "embedded");
        Directory.CreateDirectory(embedded);

        var day = DateTimeOffset.UtcNow.Date.AddDays(5);
        var variables = new { ids = new[] { "tech-1" }, from = day, to = day.AddDays(3) };
        JsonElement before;
        await using (var server = await StartAsync(embedded, environment))
        {
            var (exit, token, error) = await ServerProcess.RunVerbAsync(embedded, ["token", "--user", "dana", "--role", "Dispatcher"], environment);
            Assert.True(exit == 0, error);
            using var client = server.AuthorizedClient(token.Trim());
            await client.DataAsync("mutation { createTechnician(input: { id: \"tech-1\", name: \"Rosa\", skills: [\"pump\"] }) { id } }");
            var shifts = Enum.GetNames<DayOfWeek>().Select(d => new { day = d.ToUpperInvariant(), start = "00:00", end = "00:00" }).ToArray();
            await client.DataAsync("mutation($input: SetTechnicianWorkingHoursInput!) { setTechnicianWorkingHours(input: $input) { id } }",
                new { input = new { technicianId = "tech-1", shifts } });
            foreach (var id in new[] { "wo-a", "wo-b" })
            {
                await client.DataAsync("mutation($input: CreateWorkOrderInput!) { createWorkOrder(input: $input) { id } }",
                    new { input = new { id, title = "Pump " + id, customer = new { name = "C" }, site = new { address = "1 Main St" }, requiredSkills = new[] { "pump" } } });
            }

            // One dispatched now, one scheduled for tomorrow (a reminder brings it back).
            await client.DataAsync("mutation($input: DispatchWorkOrderInput!) { dispatchWorkOrder(input: $input) { outcome } }",
                new { input = new { id = "wo-a", technicianIds = new[] { "tech-1" }, arrivalWindow = new { start = day.AddHours(9), end = day.AddHours(11) } } });
            await client.DataAsync("mutation($input: DispatchWorkOrderInput!) { dispatchWorkOrder(input: $input) { outcome } }",
                new { input = new { id = "wo-b", technicianIds = new[] { "tech-1" }, dispatchAt = DateTimeOffset.UtcNow.AddDays(1), arrivalWindow = new { start = day.AddHours(13), end = day.AddHours(15) } } });
            before = await client.DataAsync(Snapshot, variables);

            // Online backup while the server runs; a second one to the same file is refused.
            var backupFile = Path.Combine(directory.Path, "backup", "dispatch-backup.db");
            var backup = await ServerProcess.RunVerbAsync(embedded, ["backup", "--to", backupFile], environment);
            Assert.True(backup.ExitCode == 0, backup.Error);
            var again = await ServerProcess.RunVerbAsync(embedded, ["backup", "--to", backupFile], environment);
            Assert.Equal(1, again.ExitCode);
            Assert.Contains("exists", again.Error, StringComparison.Ordinal);

            Assert.Equal(0, await server.StopAsync());
        }

        // Restore: the backup file as a fresh installation's database.
        var restored = Path.Combine(directory.Path, "restored");
        Directory.CreateDirectory(Path.Combine(restored, "data"));
        File.Copy(Path.Combine(directory.Path, "backup", "dispatch-backup.db"), Path.Combine(restored, "data", "dispatch.db"));
        await using (var server = await StartAsync(restored, environment))
        {
            await AssertSameAsync(server, before, variables, environment, restored);
        }

        // Embedded → PostgreSQL, twice (idempotent), then a Postgres-mode server on the copy.
        var database = await postgres.CreateDatabaseAsync("moved");
        var sqliteFile = Path.Combine(embedded, "data", "dispatch.db");
        var first = await ServerProcess.RunVerbAsync(embedded, ["copy-data", "--from", sqliteFile, "--to", database], environment);
        Assert.True(first.ExitCode == 0, first.Output + first.Error);
        var second = await ServerProcess.RunVerbAsync(embedded, ["copy-data", "--from", sqliteFile, "--to", database], environment);
        Assert.True(second.ExitCode == 0, second.Output + second.Error);
        // The summary line is the same both times: the second run replaced rows, it did not add any.
        static string Summary(string output) => output.Split('\n').Single(l => l.StartsWith("orleansstorage:", StringComparison.Ordinal));
        Assert.Equal(Summary(first.Output), Summary(second.Output));
        Assert.Contains("orleansreminderstable: 1", Summary(first.Output), StringComparison.Ordinal);
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            await using var count = new NpgsqlCommand("SELECT count(*) FROM dispatch_work_orders", connection);
            Assert.Equal(2L, await count.ExecuteScalarAsync());
        }

        var cluster = Path.Combine(directory.Path, "cluster");
        Directory.CreateDirectory(cluster);
        var postgresEnvironment = new Dictionary<string, string>(environment)
        {
            ["Dispatch__Storage__Mode"] = "Postgres",
            ["Dispatch__Storage__ConnectionString"] = database,
        };
        await using (var server = await StartAsync(cluster, postgresEnvironment))
        {
            await AssertSameAsync(server, before, variables, postgresEnvironment, cluster);
        }

        // A missing source is a plain error.
        var missing = await ServerProcess.RunVerbAsync(embedded, ["copy-data", "--from", Path.Combine(directory.Path, "nope.db"), "--to", database], environment);
        Assert.Equal(1, missing.ExitCode);
    }

    private static async Task<ServerProcess> StartAsync(string directory, Dictionary<string, string> environment)
    {
        var server = ServerProcess.Start(directory, [$"--Dispatch:Storage:SiloPort={FreePort.Get()}", $"--Dispatch:Storage:GatewayPort={FreePort.Get()}"], environment);
        await server.WaitUntilReadyAsync(TimeSpan.FromSeconds(90));
        return server;
    }

    private static async Task AssertSameAsync(ServerProcess server, JsonElement before, object variables, Dictionary<string, string> environment, string directory)
    {
        var (exit, token, error) = await ServerProcess.RunVerbAsync(directory, ["token", "--user", "dana", "--role", "Dispatcher"], environment);
        Assert.True(exit == 0, error);
        using var client = server.AuthorizedClient(token.Trim());
        var after = await client.DataAsync(Snapshot, variables);
        Assert.Equal(before.GetRawText(), after.GetRawText());
    }
}
