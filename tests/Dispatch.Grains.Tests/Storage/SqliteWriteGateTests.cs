using Dispatch.Domain.Common;
using Dispatch.Domain.Identity;
using Dispatch.Domain.Scheduling;
using Dispatch.Domain.Technicians;
using Dispatch.Domain.WorkOrders;
using Dispatch.Grains.Hosting;
using Dispatch.Grains.Storage;
using Dispatch.Grains.Technicians;
using Dispatch.Grains.WorkOrders;
using Dispatch.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Providers;
using Orleans.Storage;

namespace Dispatch.Grains.Tests.Storage;

/// <summary>
/// The embedded file's writes wait in one queue instead of in SQLite's sleeping busy handler: at most one runs at a
/// time, they run in arrival order, and a burst of dispatches on a real silo all succeed with every booking stored.
/// </summary>
public sealed class SqliteWriteGateTests : IDisposable
{
    private readonly TempDirectory _directory = TempDirectory.Create("dispatch-gate");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Writes_to_one_file_run_one_at_a_time_in_arrival_order()
    {
        var file = Path.Combine(_directory.Path, "one.db");
        var gate = SqliteWriteGate.For($"Data Source={file}");
        // The same file, named differently, is the same queue; another file is not.
        Assert.Same(gate, SqliteWriteGate.For(new SqliteConnectionStringBuilder { DataSource = Path.Combine(_directory.Path, ".", "one.db"), DefaultTimeout = 5 }.ToString()));
        Assert.NotSame(gate, SqliteWriteGate.For($"Data Source={Path.Combine(_directory.Path, "two.db")}"));

        var running = 0;
        var mostAtOnce = 0;
        var order = new List<int>();
        var blocker = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = gate.RunAsync(async () =>
        {
            Interlocked.Increment(ref running);
            await blocker.Task;
            Interlocked.Decrement(ref running);
        }, Ct);

        // Queued one after another while the first holds the file.
        var queued = Enumerable.Range(0, 50).Select(i => gate.RunAsync(async () =>
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
    public async Task A_burst_of_dispatches_on_the_embedded_file_all_land()
    {
        var options = TestSilo.Options(StorageMode.Embedded, dataDirectory: Path.Combine(_directory.Path, "silo"));
        var host = await TestSilo.StartAsync(options);
        try
        {
            Assert.IsType<GatedGrainStorage>(host.Services.GetRequiredKeyedService<IGrainStorage>(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME));
            var grains = host.Grains();
            var admin = new Actor("ada", "Ada", "acme", [Roles.Admin]);
            const int technicians = 20, perTechnician = 10;
            await Task.WhenAll(Enumerable.Range(0, technicians).Select(t => grains.GetGrain<ITechnicianGrain>(TenantKey.Compose("acme", $"t{t}"))
                .Create(new NewTechnician { Name = $"Tech {t}", TimeZoneId = "UTC", WorkingHours = Scenario.AroundTheClock, HomeBase = Scenario.Yard, UserId = $"u{t}" }, admin)));

            // 200 dispatches at once, each writing the work order (twice), the technician and the list row.
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

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }
}
