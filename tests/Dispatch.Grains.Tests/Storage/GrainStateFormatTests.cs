using Dispatch.Domain.Common;
using Dispatch.Domain.Identity;
using Dispatch.Domain.Scheduling;
using Dispatch.Domain.Technicians;
using Dispatch.Grains.Hosting;
using Dispatch.Grains.Storage;
using Dispatch.Grains.Technicians;
using Dispatch.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;

namespace Dispatch.Grains.Tests.Storage;

/// <summary>
/// Grain state is stored in Orleans' binary format, marked; a file written before, in Orleans' default JSON, still reads,
/// and each grain moves to the new format with its next write.
/// </summary>
public sealed class GrainStateFormatTests : IDisposable
{
    private readonly TempDirectory _directory = TempDirectory.Create("dispatch-format");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_technician_stored_as_json_before_the_upgrade_reads_the_same_and_is_rewritten_in_the_new_format()
    {
        var options = TestSilo.Options(StorageMode.Embedded, dataDirectory: Path.Combine(_directory.Path, "upgrade"));
        var admin = new Actor("ada", "Ada", "acme", [Roles.Admin]);
        var host = await TestSilo.StartAsync(options);
        try
        {
            var technician = await host.Grains().GetGrain<ITechnicianGrain>(TenantKey.Compose("acme", "tom")).Create(new NewTechnician
            {
                Name = "Tom",
                IsField = false,
                TimeZoneId = "America/Chicago",
                WorkingHours = Scenario.AroundTheClock,
                HomeBase = Scenario.Yard,
                Capacity = new TechnicianCapacity(3, TimeSpan.FromHours(8)),
                Skills = ["pump-repair"],
            }, admin);
            var stored = Assert.Single(await PayloadsAsync(options.SqliteConnectionString, "tom"));
            Assert.True(GrainStateSerializer.IsMarked(stored), "new writes are in the marked binary format");

            // Turn the row back into what a Dispatch before this change stored: Orleans' Newtonsoft JSON, same settings.
            var services = host.Services;
            var state = services.GetRequiredService<IGrainStorageSerializer>().Deserialize<TechnicianGrainState>(new BinaryData(stored))!;
            var legacy = new JsonGrainStorageSerializer(services.GetRequiredService<OrleansJsonSerializer>()).Serialize(state).ToArray();
            Assert.Equal((byte)'{', legacy[0]);
            await TestSilo.StopAsync(host);
            await ExecuteAsync(options.SqliteConnectionString, $"UPDATE OrleansStorage SET PayloadBinary = @payload WHERE GrainIdExtensionString = 'acme/tom' AND GrainTypeString = '{TechnicianGrain.StateName}';", legacy);

            host = await TestSilo.StartAsync(options);
            var grain = host.Grains().GetGrain<ITechnicianGrain>(TenantKey.Compose("acme", "tom"));
            Assert.Equal(Json(technician), Json(await grain.Get()));

            var updated = await grain.Update(new TechnicianUpdate { Phone = "+1 713 555 0100" }, admin);
            Assert.True(GrainStateSerializer.IsMarked(Assert.Single(await PayloadsAsync(options.SqliteConnectionString, "tom"))), "rewritten on the next write");
            await TestSilo.StopAsync(host);

            host = await TestSilo.StartAsync(options);
            Assert.Equal("+1 713 555 0100", updated.Phone);
            Assert.Equal(Json(updated), Json(await host.Grains().GetGrain<ITechnicianGrain>(TenantKey.Compose("acme", "tom")).Get()));
        }
        finally
        {
            await TestSilo.StopAsync(host);
        }
    }

    [Fact]
    public async Task A_payload_that_is_neither_format_fails_loudly_instead_of_reading_as_empty_state()
    {
        var host = await TestSilo.StartAsync(TestSilo.Options(StorageMode.Memory));
        try
        {
            var serializer = host.Services.GetRequiredService<IGrainStorageSerializer>();
            Assert.ThrowsAny<Exception>(() => serializer.Deserialize<TechnicianGrainState>(new BinaryData(new byte[] { 0x00, 0x01, 0xFF, 0xFF, 0xFF })));
            Assert.ThrowsAny<Exception>(() => serializer.Deserialize<TechnicianGrainState>(new BinaryData("{\"Technician\": ")));
        }
        finally
        {
            await TestSilo.StopAsync(host);
        }
    }

    /// <summary>Deep comparison (records holding immutable arrays compare those by reference).</summary>
    private static string Json(Technician? technician) => System.Text.Json.JsonSerializer.Serialize(technician);

    private static async Task<List<byte[]>> PayloadsAsync(string connectionString, string technicianId)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT PayloadBinary FROM OrleansStorage WHERE GrainIdExtensionString = @key AND GrainTypeString = '{TechnicianGrain.StateName}';";
        command.Parameters.AddWithValue("@key", $"acme/{technicianId}");
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var payloads = new List<byte[]>();
        while (await reader.ReadAsync(Ct))
        {
            payloads.Add((byte[])reader[0]);
        }

        return payloads;
    }

    private static async Task ExecuteAsync(string connectionString, string sql, byte[] payload)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("@payload", payload);
        Assert.Equal(1, await command.ExecuteNonQueryAsync(Ct));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }
}
