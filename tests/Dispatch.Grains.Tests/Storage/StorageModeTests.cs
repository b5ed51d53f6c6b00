using Dispatch.Grains.Hosting;
using Dispatch.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Providers;
using Orleans.Storage;

namespace Dispatch.Grains.Tests.Storage;

/// <summary>
/// The same durability checks against each persistent storage mode, with real silos on a real database. xUnit creates a
/// class instance per test, so every test gets its own database (SQLite file / PostgreSQL database), service id and ports.
/// </summary>
public abstract class StorageModeTests
{
    private static readonly TimeSpan ReminderPeriod = TimeSpan.FromMinutes(1); // Orleans' minimum reminder period

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Options for the running test: its own database, a fresh service/cluster id and free ports.</summary>
    protected abstract Task<DispatchStorageOptions> NewOptionsAsync();

    private static (string Invariant, string ConnectionString) AdoNetTarget(DispatchStorageOptions options) => options.Mode switch
    {
        StorageMode.Embedded => (DispatchSiloBuilderExtensions.SqliteInvariant, options.SqliteConnectionString),
        StorageMode.Postgres => (DispatchSiloBuilderExtensions.PostgresInvariant, options.ConnectionString!),
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.Mode, "Not an ADO.NET mode."),
    };

    [Fact]
    public async Task Grain_state_survives_a_restart()
    {
        var options = await NewOptionsAsync();
        var key = $"state-{Guid.NewGuid():N}";

        var first = await TestSilo.StartAsync(options);
        try
        {
            await first.Grains().GetGrain<IStorageProbeGrain>(key).SetValue("before restart");
        }
        finally
        {
            await TestSilo.StopAsync(first);
        }

        var second = await TestSilo.StartAsync(options.WithNewPorts());
        try
        {
            var grain = second.Grains().GetGrain<IStorageProbeGrain>(key);
            Assert.Equal("before restart", await grain.GetValue());

            // The new activation carries on from the stored version (ETag) rather than conflicting with it.
            await grain.SetValue("after restart");
            Assert.Equal("after restart", await grain.GetValue());
        }
        finally
        {
            await TestSilo.StopAsync(second);
        }
    }

    [Fact]
    public async Task Reminder_registered_before_a_restart_fires_after_it()
    {
        var options = await NewOptionsAsync();
        var key = $"reminder-{Guid.NewGuid():N}";

        // Due soon enough to keep the test short, late enough that the restart is done first. If the restart is slower
        // than that, Orleans skips the missed occurrence and the reminder fires one period later: still within the deadline.
        var dueTime = TimeSpan.FromSeconds(8);
        var first = await TestSilo.StartAsync(options);
        try
        {
            var grain = first.Grains().GetGrain<IStorageProbeGrain>(key);
            await grain.ScheduleReminder("tick", dueTime, ReminderPeriod);

            var stored = await first.Services.GetRequiredService<IReminderTable>().ReadRows(grain.GetGrainId(), Ct);
            Assert.Single(stored.Reminders);
        }
        finally
        {
            await TestSilo.StopAsync(first);
        }

        var restartedAt = DateTime.UtcNow;
        var second = await TestSilo.StartAsync(options.WithNewPorts());
        try
        {
            var grain = second.Grains().GetGrain<IStorageProbeGrain>(key);
            await Eventually.Until(
                async () => await grain.GetTicks() is { Count: > 0, LastTickUtc: { } last } && last >= restartedAt,
                dueTime + ReminderPeriod + TimeSpan.FromSeconds(30),
                "the reminder ticks on the restarted silo",
                TimeSpan.FromMilliseconds(250),
                Ct);
        }
        finally
        {
            await TestSilo.StopAsync(second);
        }
    }

    [Fact]
    public async Task Grain_storage_enforces_etags()
    {
        var host = await TestSilo.StartAsync(await NewOptionsAsync());
        try
        {
            var storage = host.Services.GetRequiredKeyedService<IGrainStorage>(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME);
            const string grainType = "Dispatch.Grains.Tests.Storage.EtagProbe";
            var id = GrainId.Create("etag-probe", Guid.NewGuid().ToString("N"));

            var a = new GrainState<ProbeState>(new ProbeState());
            await storage.ReadStateAsync(grainType, id, a);
            Assert.False(a.RecordExists);
            Assert.Null(a.ETag);

            a.State!.Value = "one";
            await storage.WriteStateAsync(grainType, id, a);
            Assert.Equal("1", a.ETag);

            // A second writer that believes the state is new loses: the row exists.
            var newcomer = new GrainState<ProbeState>(new ProbeState { Value = "intruder" });
            await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(grainType, id, newcomer));

            a.State!.Value = "two";
            await storage.WriteStateAsync(grainType, id, a);
            Assert.Equal("2", a.ETag);

            // A writer holding an old version loses.
            var stale = new GrainState<ProbeState>(new ProbeState { Value = "stale" }) { ETag = "1" };
            await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(grainType, id, stale));

            var read = new GrainState<ProbeState>(new ProbeState());
            await storage.ReadStateAsync(grainType, id, read);
            Assert.True(read.RecordExists);
            Assert.Equal("2", read.ETag);
            Assert.Equal("two", read.State!.Value);

            // Clearing keeps the version line: the payload goes, the version moves on.
            await storage.ClearStateAsync(grainType, id, a);
            Assert.Equal("3", a.ETag);
            Assert.False(a.RecordExists);

            var cleared = new GrainState<ProbeState>(new ProbeState());
            await storage.ReadStateAsync(grainType, id, cleared);
            Assert.False(cleared.RecordExists);
            Assert.Equal("3", cleared.ETag);
            Assert.Null(cleared.State!.Value);

            cleared.State!.Value = "again";
            await storage.WriteStateAsync(grainType, id, cleared);
            Assert.Equal("4", cleared.ETag);

            // Clearing with a stale version is a conflict too.
            await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(grainType, id, read));
        }
        finally
        {
            await TestSilo.StopAsync(host);
        }
    }

    [Fact]
    public async Task Delete_on_clear_removes_the_row()
    {
        var options = await NewOptionsAsync();
        var host = await TestSilo.StartAsync(options, silo => silo.AddAdoNetGrainStorage("deleting", o =>
        {
            (o.Invariant, o.ConnectionString) = AdoNetTarget(options);
            o.DeleteStateOnClear = true;
        }));
        try
        {
            var storage = host.Services.GetRequiredKeyedService<IGrainStorage>("deleting");
            const string grainType = "Dispatch.Grains.Tests.Storage.DeleteProbe";
            var id = GrainId.Create("delete-probe", Guid.NewGuid().ToString("N"));

            var state = new GrainState<ProbeState>(new ProbeState { Value = "one" });
            await storage.WriteStateAsync(grainType, id, state);
            await storage.WriteStateAsync(grainType, id, state);
            Assert.Equal("2", state.ETag);

            var stale = new GrainState<ProbeState>(new ProbeState()) { ETag = "1", RecordExists = true };
            await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(grainType, id, stale));

            await storage.ClearStateAsync(grainType, id, state);
            Assert.Null(state.ETag);
            Assert.False(state.RecordExists);

            var read = new GrainState<ProbeState>(new ProbeState());
            await storage.ReadStateAsync(grainType, id, read);
            Assert.False(read.RecordExists);
            Assert.Null(read.ETag); // the row is gone, not just emptied

            read.State!.Value = "reborn";
            await storage.WriteStateAsync(grainType, id, read);
            Assert.Equal("1", read.ETag);
        }
        finally
        {
            await TestSilo.StopAsync(host);
        }
    }

    [Fact]
    public async Task Concurrent_first_writes_of_one_state_insert_exactly_once()
    {
        var host = await TestSilo.StartAsync(await NewOptionsAsync());
        try
        {
            var storage = host.Services.GetRequiredKeyedService<IGrainStorage>(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME);
            const string grainType = "Dispatch.Grains.Tests.Storage.RaceProbe";

            // Sized so that, on PostgreSQL, dropping the advisory lock from dispatch_storage_write makes this fail reliably.
            for (var round = 0; round < 30; round++)
            {
                var id = GrainId.Create("race-probe", Guid.NewGuid().ToString("N"));
                var writers = Enumerable.Range(0, 12).Select(async i =>
                {
                    try
                    {
                        await storage.WriteStateAsync(grainType, id, new GrainState<ProbeState>(new ProbeState { Value = $"writer {i}" }));
                        return true;
                    }
                    catch (InconsistentStateException)
                    {
                        return false;
                    }
                });

                var outcomes = await Task.WhenAll(writers);
                Assert.Equal(1, outcomes.Count(won => won));
            }
        }
        finally
        {
            await TestSilo.StopAsync(host);
        }
    }

    [Fact]
    public async Task Many_grains_writing_at_once_all_succeed()
    {
        var host = await TestSilo.StartAsync(await NewOptionsAsync());
        try
        {
            var prefix = Guid.NewGuid().ToString("N");
            var grains = Enumerable.Range(0, 40).Select(i => host.Grains().GetGrain<IStorageProbeGrain>($"{prefix}-{i}")).ToArray();
            await Task.WhenAll(grains.Select(async (grain, i) =>
            {
                for (var write = 0; write < 5; write++)
                {
                    await grain.SetValue($"{i}:{write}");
                }
            }));

            var values = await Task.WhenAll(grains.Select(g => g.GetValue()));
            Assert.Equal(Enumerable.Range(0, 40).Select(i => $"{i}:4"), values);
        }
        finally
        {
            await TestSilo.StopAsync(host);
        }
    }

    [Fact]
    public async Task Reminder_table_follows_the_contract()
    {
        var host = await TestSilo.StartAsync(await NewOptionsAsync());
        try
        {
            var table = host.Services.GetRequiredService<IReminderTable>();
            var startAt = DateTime.UtcNow.AddHours(1); // far enough not to fire during the test

            // Upsert: first version, then a new version for the same reminder.
            var grain = GrainId.Create("reminder-probe", Guid.NewGuid().ToString("N"));
            var etag1 = await table.UpsertRow(Entry(grain, "a", startAt), Ct);
            var etag2 = await table.UpsertRow(Entry(grain, "a", startAt.AddMinutes(1)), Ct);
            Assert.NotNull(etag1);
            Assert.NotNull(etag2);
            Assert.NotEqual(etag1, etag2);
            await table.UpsertRow(Entry(grain, "b", startAt), Ct);

            var row = await table.ReadRow(grain, "a", Ct);
            Assert.NotNull(row);
            Assert.Equal(grain, row.GrainId);
            Assert.Equal(etag2, row.ETag);
            Assert.Equal(ReminderPeriod, row.Period);
            Assert.Equal(DateTimeKind.Utc, row.StartAt.Kind);
            Assert.True((row.StartAt - startAt.AddMinutes(1)).Duration() < TimeSpan.FromMilliseconds(1), $"StartAt round trip: {row.StartAt:O} vs {startAt.AddMinutes(1):O}");
            Assert.Null(await table.ReadRow(grain, "missing", Ct));
            Assert.Equal(["a", "b"], (await table.ReadRows(grain, Ct)).Reminders.Select(r => r.ReminderName).Order());

            // Delete needs the current ETag.
            Assert.False(await table.RemoveRow(grain, "a", etag1!, Ct));
            Assert.True(await table.RemoveRow(grain, "a", etag2!, Ct));
            Assert.False(await table.RemoveRow(grain, "a", etag2!, Ct));
            Assert.Equal(["b"], (await table.ReadRows(grain, Ct)).Reminders.Select(r => r.ReminderName));

            // Ring ranges (begin, end] over the uniform hash, including slices that wrap in signed or unsigned order.
            var grains = Enumerable.Range(0, 64).Select(i => GrainId.Create("reminder-probe", $"ring-{i}-{Guid.NewGuid():N}")).ToList();
            foreach (var g in grains)
            {
                await table.UpsertRow(Entry(g, "ring", startAt), Ct);
            }

            var all = grains.Append(grain).ToList();
            var hashes = all.Select(g => g.GetUniformHashCode()).Order().ToArray();
            uint[][] ranges =
            [
                [0, uint.MaxValue],
                [0x1000_0000, 0x6000_0000],
                [0x7000_0000, 0x9000_0000], // unsigned: no wrap; signed: wraps
                [0xF000_0000, 0x1000_0000], // unsigned: wraps; signed: no wrap
                [0xC000_0000, 0x4000_0000],
                [0x8000_0000, 0x8000_0000], // begin = end: whole ring
                [hashes[10], hashes[20]],   // bounds on actual hashes: begin excluded, end included
                [hashes[50], hashes[5]],
            ];
            foreach (var range in ranges)
            {
                var (begin, end) = (range[0], range[1]);
                var expected = all.Where(g => InRing(g.GetUniformHashCode(), begin, end)).Select(g => g.ToString()).Order().ToArray();
                var actual = (await table.ReadRows(begin, end, Ct)).Reminders.Select(r => r.GrainId.ToString()).Distinct().Order().ToArray();
                Assert.True(expected.SequenceEqual(actual), $"Range ({begin:X8}, {end:X8}]: expected {expected.Length} grains, got {actual.Length}.");
            }
        }
        finally
        {
            await TestSilo.StopAsync(host);
        }

        static ReminderEntry Entry(GrainId grain, string name, DateTime startAt) =>
            new() { GrainId = grain, ReminderName = name, StartAt = startAt, Period = ReminderPeriod };

        static bool InRing(uint hash, uint begin, uint end) =>
            begin == end || (begin < end ? hash > begin && hash <= end : hash > begin || hash <= end);
    }
}

/// <summary>Embedded mode: a SQLite file in a temp directory per test.</summary>
public sealed class SqliteStorageTests : StorageModeTests, IDisposable
{
    private readonly TempDirectory _directory = TempDirectory.Create("dispatch-sqlite");

    protected override Task<DispatchStorageOptions> NewOptionsAsync() =>
        Task.FromResult(TestSilo.Options(StorageMode.Embedded, dataDirectory: _directory.Path));

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }
}

/// <summary>Postgres mode: a fresh database per test on the assembly's throwaway PostgreSQL.</summary>
public sealed class PostgresStorageTests(PostgresServer postgres) : StorageModeTests
{
    protected override async Task<DispatchStorageOptions> NewOptionsAsync() =>
        TestSilo.Options(StorageMode.Postgres, await postgres.CreateDatabaseAsync("storage_mode"));
}
