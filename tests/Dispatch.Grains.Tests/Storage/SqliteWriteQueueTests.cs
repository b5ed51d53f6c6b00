using Dispatch.Domain.Common;
using Dispatch.Domain.Identity;
using Dispatch.Domain.Scheduling;
using Dispatch.Domain.Technicians;
using Dispatch.Domain.WorkOrders;
using Dispatch.Grains.Hosting;
using Dispatch.Grains.ReadModel;
using Dispatch.Grains.Storage;
using Dispatch.Grains.Technicians;
using Dispatch.Grains.WorkOrders;
using Dispatch.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Providers;
using Orleans.Storage;

namespace Dispatch.Grains.Tests.Storage;

/// <summary>
/// The embedded file's writes wait in one queue and commit in groups: writes queued during a commit share the next
/// transaction, each keeps its own outcome, a failed group stores nothing and says so to every write, writes that must
/// run alone run one at a time in arrival order, and the grain storage writes the rows Orleans' own provider reads.
/// </summary>
public sealed class SqliteWriteQueueTests : IDisposable
{
    private readonly TempDirectory _directory = TempDirectory.Create("dispatch-queue");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void One_file_has_one_queue_however_it_is_named()
    {
        var queue = SqliteWriteQueue.For($"Data Source={Path.Combine(_directory.Path, "one.db")}");
        Assert.Same(queue, SqliteWriteQueue.For(new SqliteConnectionStringBuilder { DataSource = Path.Combine(_directory.Path, ".", "one.db"), DefaultTimeout = 5 }.ToString()));
        Assert.NotSame(queue, SqliteWriteQueue.For($"Data Source={Path.Combine(_directory.Path, "two.db")}"));
    }

    [Fact]
    public async Task Writes_that_run_alone_run_one_at_a_time_in_arrival_order()
    {
        var queue = SqliteWriteQueue.For($"Data Source={Path.Combine(_directory.Path, "alone.db")}");
        var running = 0;
        var mostAtOnce = 0;
        var order = new List<int>();
        var blocker = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = queue.RunAloneAsync(async () =>
        {
            Interlocked.Increment(ref running);
            await blocker.Task;
            Interlocked.Decrement(ref running);
        }, Ct);

        // Queued one after another while the first holds the file.
        var queued = Enumerable.Range(0, 50).Select(i => queue.RunAloneAsync(async () =>
        {
            var now = Interlocked.Increment(ref running);
            lock (order)
            {
                order.Add(i);
                mostAtOnce = Math.Max(mostAtOnce, now);
            }

            await Task.Yield();
            Interlocked.Decrement(ref running);
        }, Ct)).ToList();
        Assert.All(queued, q => Assert.False(q.IsCompleted));

        blocker.SetResult();
        await Task.WhenAll([first, .. queued]);
        Assert.Equal(1, mostAtOnce);
        Assert.Equal(Enumerable.Range(0, 50), order);
    }

    [Fact]
    public async Task Writes_queued_during_a_commit_share_one_transaction_and_each_keeps_its_own_outcome()
    {
        var connectionString = $"Data Source={Path.Combine(_directory.Path, "group.db")}";
        await ExecuteAsync(connectionString, "CREATE TABLE t (id INTEGER PRIMARY KEY, note TEXT NOT NULL);");
        var queue = SqliteWriteQueue.For(connectionString);

        // Hold the queue so that everything below is queued before the writer takes any of it.
        var blocker = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = queue.RunAloneAsync(() => blocker.Task, Ct);
        var groupsBefore = queue.Groups;

        const int writes = 100;
        var results = Enumerable.Range(0, writes).Select(i => queue.WriteAsync(async context =>
        {
            var insert = context.Command("INSERT INTO t (id, note) VALUES (@id, @note);");
            insert.Parameters.AddWithValue("@id", i == 50 ? 49 : i); // 50 collides with 49: its own failure
            insert.Parameters.AddWithValue("@note", $"write {i}");
            await insert.ExecuteNonQueryAsync();
            if (i == 70)
            {
                throw new InvalidOperationException("write 70 changes its mind after inserting");
            }

            return i;
        }, Ct)).ToList();
        Assert.All(results, r => Assert.False(r.IsCompleted));

        blocker.SetResult();
        await holding;
        var outcomes = await Task.WhenAll(results.Select(async r =>
        {
            try
            {
                return (Value: await r, Error: (Exception?)null);
            }
            catch (Exception ex)
            {
                return (Value: -1, Error: ex);
            }
        }));

        Assert.IsType<SqliteException>(outcomes[50].Error);
        Assert.IsType<InvalidOperationException>(outcomes[70].Error);
        Assert.All(outcomes.Where((_, i) => i is not 50 and not 70).Select((o, _) => o), o => Assert.Null(o.Error));
        Assert.Equal(1, queue.Groups - groupsBefore);

        // Every other write is stored, and of the two that failed nothing is: 70's insert was rolled back alone.
        var stored = await ScalarsAsync(connectionString, "SELECT id FROM t ORDER BY id;");
        Assert.Equal(Enumerable.Range(0, writes).Where(i => i is not 50 and not 70).Select(i => (long)i), stored);
    }

    [Fact]
    public async Task A_group_that_cannot_commit_stores_nothing_fails_every_write_and_the_next_group_commits()
    {
        var connectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(_directory.Path, "busy.db"), DefaultTimeout = 1 }.ToString();
        await ExecuteAsync(connectionString, "PRAGMA journal_mode = WAL; CREATE TABLE t (id INTEGER PRIMARY KEY);");
        var queue = SqliteWriteQueue.For(connectionString);

        // Another process (here: another connection) holds the file's write lock past the busy timeout.
        await using (var other = new SqliteConnection(connectionString))
        {
            await other.OpenAsync(Ct);
            await using var lockIt = other.CreateCommand();
            lockIt.CommandText = "BEGIN IMMEDIATE;";
            await lockIt.ExecuteNonQueryAsync(Ct);

            var blocked = Enumerable.Range(0, 10).Select(i => queue.WriteAsync(context => InsertAsync(context, i), Ct)).ToList();
            foreach (var write in blocked)
            {
                var error = await Assert.ThrowsAsync<SqliteException>(() => write);
                Assert.Equal(5, error.SqliteErrorCode); // SQLITE_BUSY
            }

            lockIt.CommandText = "ROLLBACK;";
            await lockIt.ExecuteNonQueryAsync(Ct);
        }

        Assert.Empty(await ScalarsAsync(connectionString, "SELECT id FROM t;"));
        Assert.Equal(100, await queue.WriteAsync(context => InsertAsync(context, 100), Ct));
        Assert.Equal([100L], await ScalarsAsync(connectionString, "SELECT id FROM t;"));

        static async Task<int> InsertAsync(SqliteWriteContext context, int id)
        {
            var insert = context.Command("INSERT INTO t (id) VALUES (@id);");
            insert.Parameters.AddWithValue("@id", id);
            await insert.ExecuteNonQueryAsync();
            return id;
        }
    }

    [Fact]
    public async Task Grain_state_written_in_groups_is_the_row_orleans_reads_and_its_version_check_holds()
    {
        var options = TestSilo.Options(StorageMode.Embedded, dataDirectory: Path.Combine(_directory.Path, "rows"));
        var host = await TestSilo.StartAsync(options);
        try
        {
            var storage = Assert.IsType<SqliteGrainStorage>(host.Services.GetRequiredKeyedService<IGrainStorage>(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME));
            GrainId[] ids =
            [
                GrainId.Create("probe", "acme/string-key"),
                GrainId.Create(GrainType.Create("probe"), GrainIdKeyExtensions.CreateGuidKey(Guid.NewGuid(), "with-extension")),
                GrainId.Create(GrainType.Create("probe"), GrainIdKeyExtensions.CreateIntegerKey(-42)),
            ];

            foreach (var id in ids)
            {
                // Orleans writes the first version; this storage must find that row to bump it (same hashes, same key).
                var ours = new GrainState<ProbeState>(new ProbeState { Value = "from orleans" });
                await storage.OrleansProvider.WriteStateAsync("state", id, ours);
                Assert.Equal("1", ours.ETag);

                ours.State = new ProbeState { Value = "grouped" };
                await storage.WriteStateAsync("state", id, ours);
                Assert.Equal("2", ours.ETag);

                var read = new GrainState<ProbeState>();
                await storage.OrleansProvider.ReadStateAsync("state", id, read);
                Assert.Equal(("grouped", "2", true), (read.State?.Value, read.ETag, read.RecordExists));

                // A writer holding the old version loses, and changes nothing.
                var stale = new GrainState<ProbeState>(new ProbeState { Value = "stale" }) { ETag = "1" };
                await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("state", id, stale));
                // So does a second "first write" of a row that exists.
                await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("state", id, new GrainState<ProbeState>(new ProbeState { Value = "again" })));
                await storage.ReadStateAsync("state", id, read);
                Assert.Equal(("grouped", "2"), (read.State?.Value, read.ETag));
            }
        }
        finally
        {
            await TestSilo.StopAsync(host);
        }
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(Ct);
    }

    private static async Task<List<long>> ScalarsAsync(string connectionString, string sql)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var values = new List<long>();
        while (await reader.ReadAsync(Ct))
        {
            values.Add(reader.GetInt64(0));
        }

        return values;
    }

    [Fact]
    public async Task A_burst_of_dispatches_on_the_embedded_file_all_land()
    {
        var options = TestSilo.Options(StorageMode.Embedded, dataDirectory: Path.Combine(_directory.Path, "silo"));
        var host = await TestSilo.StartAsync(options);
        try
        {
            var queue = SqliteWriteQueue.For(options.SqliteConnectionString);
            var (groupsBefore, writesBefore) = (queue.Groups, queue.GroupedWrites);
            var grains = host.Grains();
            var admin = new Actor("ada", "Ada", "acme", [Roles.Admin]);
            const int technicians = 20, perTechnician = 10;
            await Task.WhenAll(Enumerable.Range(0, technicians).Select(t => grains.GetGrain<ITechnicianGrain>(TenantKey.Compose("acme", $"t{t}"))
                .Create(new NewTechnician { Name = $"Tech {t}", TimeZoneId = "UTC", WorkingHours = Scenario.AroundTheClock, HomeBase = Scenario.Yard, UserId = $"u{t}" }, admin)));

            // 200 dispatches at once, each writing the work order (twice, the second time with its list row) and the technician.
            var day = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(2), TimeSpan.Zero);
            var results = await Task.WhenAll(Enumerable.Range(0, technicians * perTechnician).Select(async n =>
            {
                var (t, k) = (n % technicians, n / technicians);
                var order = grains.GetGrain<IWorkOrderGrain>(TenantKey.Compose("acme", $"wo{n}"));
                await order.Create(new NewWorkOrder { Title = $"Job {n}", Customer = new Customer("Gulf Coast Dairy"), Site = new Site("12 Farm Rd", Scenario.Yard) }, admin);
                var window = new TimeWindow(day.AddHours(k * 2), day.AddHours(k * 2 + 1));
                return await order.Dispatch(new DispatchRequest { TechnicianIds = [$"t{t}"], ArrivalWindow = window, EstimatedDuration = TimeSpan.FromMinutes(30) }, admin);
            }));

            Assert.All(results, r => Assert.Equal(DispatchOutcome.Dispatched, r.Outcome));
            // Concurrent writes shared transactions (this is what makes the burst cheap).
            Assert.True(queue.GroupedWrites - writesBefore > 2 * (queue.Groups - groupsBefore),
                $"{queue.GroupedWrites - writesBefore} writes in {queue.Groups - groupsBefore} groups");
            await TestSilo.StopAsync(host);
            host = await TestSilo.StartAsync(options);
            grains = host.Grains();
            for (var t = 0; t < technicians; t++)
            {
                var stored = await grains.GetGrain<ITechnicianGrain>(TenantKey.Compose("acme", $"t{t}")).GetSchedule();
                Assert.Equal(perTechnician, stored.Bookings.Length);
            }
        }
        finally
        {
            await TestSilo.StopAsync(host);
        }
    }

    [Fact]
    public async Task A_work_order_and_its_list_row_are_stored_together_or_not_at_all()
    {
        var options = TestSilo.Options(StorageMode.Embedded, dataDirectory: Path.Combine(_directory.Path, "together"));
        var host = await TestSilo.StartAsync(options);
        try
        {
            var admin = new Actor("ada", "Ada", "acme", [Roles.Admin]);
            var input = new NewWorkOrder { Title = "Refused row", Customer = new Customer("Gulf Coast Dairy"), Site = new Site("12 Farm Rd", Scenario.Yard) };
            IWorkOrderGrain Order(IHost h) => h.Grains().GetGrain<IWorkOrderGrain>(TenantKey.Compose("acme", "wo-refused"));

            // The list refuses this order's row: the work order must not be stored without it.
            await ExecuteAsync(options.SqliteConnectionString, """
                CREATE TRIGGER refuse_row BEFORE INSERT ON dispatch_work_orders WHEN NEW.id = 'wo-refused'
                BEGIN SELECT RAISE(ABORT, 'row refused by the test'); END;
                """);
            var refused = await Assert.ThrowsAnyAsync<Exception>(() => Order(host).Create(input, admin));
            Assert.Contains("row refused by the test", refused.ToString());
            Assert.Null(await Order(host).Get());

            await TestSilo.StopAsync(host);
            host = await TestSilo.StartAsync(options);
            Assert.Null(await Order(host).Get());
            Assert.Equal([0L], await ScalarsAsync(options.SqliteConnectionString, "SELECT COUNT(*) FROM OrleansStorage WHERE GrainTypeString = 'workOrder';"));

            // Once the list takes it, both are stored: the version check finds no half-written state in the way.
            await ExecuteAsync(options.SqliteConnectionString, "DROP TRIGGER refuse_row;");
            var created = await Order(host).Create(input, admin);
            var row = await host.Services.GetRequiredService<IWorkOrderReadModelStore>().GetAsync("acme", "wo-refused", Ct);
            Assert.Equal((created.Version, WorkOrderStatus.Created), (row?.Version, row?.Status));
        }
        finally
        {
            await TestSilo.StopAsync(host);
        }
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }
}
