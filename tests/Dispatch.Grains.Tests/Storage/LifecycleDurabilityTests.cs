using Dispatch.Domain.Common;
using Dispatch.Domain.Identity;
using Dispatch.Domain.Matching;
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

namespace Dispatch.Grains.Tests.Storage;

/// <summary>
/// The dispatch lifecycle on real silos and a real database: a scheduled dispatch survives a restart and goes out on
/// time, state comes back exactly as written, the read model is kept by the grains and rebuilt from their state, and
/// the best-match index reloads from stored technicians.
/// </summary>
public abstract class LifecycleDurabilityTests
{
    private const string Tenant = "acme";
    private static readonly Actor Admin = new("ada", "Ada", Tenant, [Roles.Admin]);
    private static readonly DateTimeOffset Day = new(DateTime.UtcNow.Date.AddDays(2), TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected abstract Task<DispatchStorageOptions> NewOptionsAsync();

    private static IWorkOrderGrain WorkOrder(IHost host, string id) => host.Grains().GetGrain<IWorkOrderGrain>(TenantKey.Compose(Tenant, id));

    private static ITechnicianGrain Technician(IHost host, string id) => host.Grains().GetGrain<ITechnicianGrain>(TenantKey.Compose(Tenant, id));

    private static Task<Technician> CreateTechnician(IHost host, string id, Func<NewTechnician, NewTechnician>? customize = null)
    {
        var input = new NewTechnician { Name = "Tech " + id, TimeZoneId = "UTC", WorkingHours = Scenario.AroundTheClock, HomeBase = Scenario.Yard, UserId = "u-" + id };
        return Technician(host, id).Create(customize?.Invoke(input) ?? input, Admin);
    }

    private static Task<WorkOrder> CreateWorkOrder(IHost host, string id, Priority priority = Priority.Normal) =>
        WorkOrder(host, id).Create(new NewWorkOrder
        {
            Title = "Job " + id,
            Priority = priority,
            Customer = new Customer("Gulf Coast Dairy"),
            Site = new Site("12 Farm Rd", Scenario.Yard),
        }, Admin);

    [Fact]
    public async Task A_scheduled_dispatch_registered_before_a_restart_is_sent_on_time_after_it()
    {
        var options = await NewOptionsAsync();
        // Long enough for set-up and a graceful stop to finish first, even on a loaded machine.
        var dueIn = TimeSpan.FromSeconds(15);
        DateTimeOffset sendAt;
        var first = await TestSilo.StartAsync(options);
        try
        {
            await CreateTechnician(first, "tom");
            await CreateWorkOrder(first, "wo-1");
            sendAt = DateTimeOffset.UtcNow + dueIn;
            var result = await WorkOrder(first, "wo-1").Dispatch(new DispatchRequest
            {
                TechnicianIds = ["tom"],
                DispatchAt = sendAt,
                ArrivalWindow = new TimeWindow(Day.AddHours(10), Day.AddHours(12)),
            }, Admin);
            Assert.Equal(DispatchOutcome.Scheduled, result.Outcome);
        }
        finally
        {
            await TestSilo.StopAsync(first);
        }

        Assert.True(DateTimeOffset.UtcNow < sendAt, "the silo stopped before the dispatch was due");

        var second = await TestSilo.StartAsync(options.WithNewPorts());
        try
        {
            // Poll the read model, not the grain: reading the grain would activate it and re-arm its timer by itself.
            var readModel = second.Services.GetRequiredService<IWorkOrderReadModel>();
            await Eventually.Until(async () => (await readModel.GetAsync(Tenant, "wo-1", Ct))?.Status == WorkOrderStatus.Dispatched,
                dueIn + TimeSpan.FromSeconds(30), "the scheduled dispatch is sent after the restart", TimeSpan.FromMilliseconds(200), Ct);

            var sent = (await WorkOrder(second, "wo-1").Get())!;
            Assert.Equal(WorkOrderStatus.Dispatched, sent.Status);
            // Sent at its time, not a reminder period later.
            Assert.InRange(sent.Visit!.SentAt!.Value, sendAt - DispatchRules.SendNowTolerance, sendAt + TimeSpan.FromSeconds(20));
            Assert.Equal("system", sent.Timeline[^1].ActorId);
            Assert.Equal("wo-1", Assert.Single((await Technician(second, "tom").GetSchedule()).Bookings).WorkOrderId);
        }
        finally
        {
            await TestSilo.StopAsync(second);
        }
    }

    [Fact]
    public async Task Stored_state_comes_back_exactly_as_written()
    {
        var options = await NewOptionsAsync();
        Technician technician;
        WorkOrder order;
        var block = new AvailabilityBlock("pto-1", AvailabilityKind.Pto, new TimeWindow(Day.AddDays(3), Day.AddDays(4)), "Vacation");
        var first = await TestSilo.StartAsync(options);
        try
        {
            // Values equal to their type's default but not to the property's initializer: the JSON storage serializer
            // used to drop them and read back the initializer.
            await CreateTechnician(first, "tom", t => t with
            {
                IsField = false,
                Capacity = new TechnicianCapacity(3, TimeSpan.FromHours(8)),
                Certifications = [new Certification("backflow", Day.AddDays(90))],
            });
            await CreateTechnician(first, "ann");
            await Technician(first, "tom").SetActive(false, Admin);
            await Technician(first, "tom").AddAvailabilityBlock(block, Admin);
            await Technician(first, "tom").ReportLocation(new TechnicianPosition(Scenario.Yard, DateTimeOffset.UtcNow), Admin);
            technician = (await Technician(first, "tom").Get())!;
            await CreateWorkOrder(first, "wo-1", Priority.Low);
            await WorkOrder(first, "wo-1").Dispatch(new DispatchRequest { TechnicianIds = ["ann"], ArrivalWindow = new TimeWindow(Day.AddHours(9), Day.AddHours(11)) }, Admin);
            order = (await WorkOrder(first, "wo-1").ChangeStatus(new StatusChange(WorkOrderStatus.Acknowledged), Admin))!;
        }
        finally
        {
            await TestSilo.StopAsync(first);
        }

        var second = await TestSilo.StartAsync(options.WithNewPorts());
        try
        {
            var readTechnician = (await Technician(second, "tom").Get())!;
            Assert.Equal((false, false, 3, TimeSpan.FromHours(8)), (readTechnician.IsField, readTechnician.Active, readTechnician.Capacity.MaxActiveWorkOrders, readTechnician.Capacity.MaxBookedTimePerDay!.Value));
            Assert.Equal(technician.WorkingHours, readTechnician.WorkingHours);
            Assert.Equal(technician.Certifications, readTechnician.Certifications);
            Assert.Equal(technician.Version, readTechnician.Version);
            var schedule = await Technician(second, "tom").GetSchedule();
            Assert.Equal(block, Assert.Single(schedule.AvailabilityBlocks));
            Assert.Equal(Scenario.Yard, schedule.Location!.Point);

            var readOrder = (await WorkOrder(second, "wo-1").Get())!;
            Assert.Equal((Priority.Low, WorkOrderStatus.Acknowledged, order.Version), (readOrder.Priority, readOrder.Status, readOrder.Version));
            Assert.Equal(order.Visit, readOrder.Visit);
            Assert.Equal(order.Assignment!.Technicians, readOrder.Assignment!.Technicians);
            Assert.Equal(order.AssignmentHistory.Count, readOrder.AssignmentHistory.Count);
            Assert.Equal(order.Timeline, readOrder.Timeline);
            var booking = Assert.Single((await Technician(second, "ann").GetSchedule()).Bookings);
            Assert.Equal(("wo-1", BookingKind.Primary, Scenario.Yard), (booking.WorkOrderId, booking.Kind, booking.Site!.Value));
        }
        finally
        {
            await TestSilo.StopAsync(second);
        }
    }

    [Fact]
    public async Task The_read_model_is_kept_by_the_grains_and_rebuilt_from_their_state()
    {
        var host = await TestSilo.StartAsync(await NewOptionsAsync());
        try
        {
            await CreateTechnician(host, "tom");
            for (var i = 0; i < 5; i++) await CreateWorkOrder(host, $"wo-{i}", (Priority)(i % 4));
            await WorkOrder(host, "wo-3").Dispatch(new DispatchRequest { TechnicianIds = ["tom"], ArrivalWindow = new TimeWindow(Day.AddHours(9), Day.AddHours(11)) }, Admin);
            var readModel = host.Services.GetRequiredService<IWorkOrderReadModelStore>();

            var page = await readModel.QueryAsync(Tenant, new WorkOrderQuery { TechnicianId = "tom" }, Ct);
            var row = Assert.Single(page.Items);
            Assert.Equal(("wo-3", WorkOrderStatus.Dispatched, "tom"), (row.Id, row.Status, row.PrimaryTechnicianId));
            Assert.Equal(5, (await readModel.QueryAsync(Tenant, new WorkOrderQuery(), Ct)).TotalCount);

            await readModel.DeleteTenantAsync(Tenant, Ct);
            Assert.Equal(0, (await readModel.QueryAsync(Tenant, new WorkOrderQuery(), Ct)).TotalCount);

            var rebuilt = await host.Services.GetRequiredService<WorkOrderReadModelRebuilder>().RebuildAsync(Tenant, cancellationToken: Ct);

            Assert.Equal(5, rebuilt);
            var after = await readModel.QueryAsync(Tenant, new WorkOrderQuery { OrderBy = WorkOrderSortField.Priority }, Ct);
            Assert.Equal(5, after.TotalCount);
            Assert.Equal((await WorkOrder(host, "wo-3").Get())!.Version, after.Items.Single(i => i.Id == "wo-3").Version);
            Assert.Equal("tom", after.Items.Single(i => i.Id == "wo-3").TechnicianIds.Single());
        }
        finally
        {
            await TestSilo.StopAsync(host);
        }
    }

    [Fact]
    public async Task The_best_match_index_reloads_the_fleet_from_storage()
    {
        var options = await NewOptionsAsync();
        var first = await TestSilo.StartAsync(options);
        try
        {
            foreach (var id in new[] { "a", "b", "c" }) await CreateTechnician(first, id);
            await Technician(first, "c").SetActive(false, Admin);
        }
        finally
        {
            await TestSilo.StopAsync(first);
        }

        var second = await TestSilo.StartAsync(options.WithNewPorts());
        try
        {
            // No technician grain has been activated on this silo: the index reads their stored state.
            var index = second.Grains().GetGrain<ITechnicianIndexGrain>(Tenant);
            Assert.Equal(3, await index.Count());
            var picker = await index.Picker(new MatchRequest
            {
                WorkOrderId = "wo-x",
                Window = new TimeWindow(Day.AddHours(9), Day.AddHours(11)),
                Site = Scenario.Yard,
                AsOf = DateTimeOffset.UtcNow,
            }, null, 10);
            Assert.Equal(["a", "b"], picker.Technicians.Where(r => r.Available).Select(r => r.TechnicianId).Order());
            Assert.False(picker.Technicians.Single(r => r.TechnicianId == "c").IsActive);
        }
        finally
        {
            await TestSilo.StopAsync(second);
        }
    }

    [Fact]
    public async Task The_state_scanner_returns_every_stored_state_once_and_stops_when_the_caller_does()
    {
        var host = await TestSilo.StartAsync(await NewOptionsAsync());
        try
        {
            var ids = Enumerable.Range(0, 120).Select(i => $"t{i:000}").ToArray();
            foreach (var chunk in ids.Chunk(20)) await Task.WhenAll(chunk.Select(id => CreateTechnician(host, id)));
            var scanner = host.Services.GetRequiredService<IGrainStateScanner>();

            var keys = new List<string>();
            await foreach (var (key, state) in scanner.ScanAsync<TechnicianGrainState>(TechnicianGrain.StateName, Tenant, Ct))
            {
                keys.Add(key);
                Assert.Equal(TenantKey.Compose(Tenant, state.Technician!.Id), key);
            }

            Assert.Equal(ids.Select(id => TenantKey.Compose(Tenant, id)).Order(), keys.Order());

            // Stopping after a few leaves nothing behind that holds the database: a full scan still completes.
            var taken = 0;
            await foreach (var _ in scanner.ScanAsync<TechnicianGrainState>(TechnicianGrain.StateName, Tenant, Ct))
            {
                if (++taken == 5) break;
            }

            Assert.Equal(5, taken);
            Assert.Equal(ids.Length, await scanner.ScanAsync<TechnicianGrainState>(TechnicianGrain.StateName, Tenant, Ct).CountAsync(Ct));
        }
        finally
        {
            await TestSilo.StopAsync(host);
        }
    }

    [Fact]
    public async Task The_default_tenants_index_is_loaded_at_start_up_before_any_query()
    {
        var host = await TestSilo.StartAsync(await NewOptionsAsync());
        try
        {
            var index = (GrainReference)(object)host.Grains().GetGrain<ITechnicianIndexGrain>(TenantKey.DefaultTenant);
            var management = host.Grains().GetGrain<IManagementGrain>(0);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (await management.GetGrainActivationCount(index) == 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "the technician index of the default tenant was not activated at start-up");
                await Task.Delay(50, Ct); // poll interval, bounded by the deadline above
            }
        }
        finally
        {
            await TestSilo.StopAsync(host);
        }
    }
}

public sealed class SqliteLifecycleDurabilityTests : LifecycleDurabilityTests, IDisposable
{
    private readonly TempDirectory _directory = TempDirectory.Create("dispatch-lifecycle");

    protected override Task<DispatchStorageOptions> NewOptionsAsync() =>
        Task.FromResult(TestSilo.Options(StorageMode.Embedded, dataDirectory: Path.Combine(_directory.Path, Guid.NewGuid().ToString("N"))));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }
}

public sealed class PostgresLifecycleDurabilityTests(PostgresServer postgres) : LifecycleDurabilityTests
{
    protected override async Task<DispatchStorageOptions> NewOptionsAsync() =>
        TestSilo.Options(StorageMode.Postgres, await postgres.CreateDatabaseAsync("lifecycle", TestContext.Current.CancellationToken));
}
