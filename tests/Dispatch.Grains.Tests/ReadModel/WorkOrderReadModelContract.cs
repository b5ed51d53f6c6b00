using Dispatch.Domain.Common;
using Dispatch.Domain.Geo;
using Dispatch.Domain.WorkOrders;
using Dispatch.Grains.Hosting;
using Dispatch.Grains.ReadModel;
using Dispatch.Grains.Storage;
using Dispatch.Testing;
using Microsoft.Data.Sqlite;

namespace Dispatch.Grains.Tests.ReadModel;

/// <summary>
/// What every read-model implementation must do alike: versioned upserts, every filter, every ordering, keyset and
/// offset paging with the total count. Run against memory, SQLite and PostgreSQL.
/// </summary>
public abstract class WorkOrderReadModelContract : IAsyncLifetime
{
    protected const string Tenant = "acme";
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);
    private IWorkOrderReadModelStore _store = null!;

    protected abstract Task<IWorkOrderReadModelStore> CreateAsync();

    /// <summary>A store on the same database for another Orleans service id; null where there is no shared database.</summary>
    protected virtual Task<IWorkOrderReadModelStore?> CreateForAnotherServiceAsync() => Task.FromResult<IWorkOrderReadModelStore?>(null);

    public async ValueTask InitializeAsync() => _store = await CreateAsync();

    public virtual async ValueTask DisposeAsync()
    {
        if (_store is IAsyncDisposable disposable) await disposable.DisposeAsync();
    }

    private static WorkOrderListItem Row(int n, WorkOrderStatus status = WorkOrderStatus.Created, Priority priority = Priority.Normal,
        string customer = "Gulf Coast Dairy", DateTimeOffset? sla = null, string[]? technicians = null, long version = 1, string tenant = Tenant) => new()
    {
        Tenant = tenant,
        Id = $"wo-{n:D2}",
        Version = version,
        Title = $"Job {n}",
        Status = status,
        Priority = priority,
        CustomerName = customer,
        CustomerTier = CustomerTier.Gold,
        SiteAddress = $"{n} Main St",
        SiteLocation = new GeoPoint(29.76, -95.37),
        SlaDueAt = sla,
        CreatedAt = T0.AddMinutes(n),
        UpdatedAt = T0.AddMinutes(100 - n),
        StatusChangedAt = T0.AddMinutes(n),
        PrimaryTechnicianId = technicians?.FirstOrDefault(),
        TechnicianIds = [.. technicians ?? []],
    };

    /// <summary>Ten orders with a spread of statuses, priorities, customers, SLAs and technicians.</summary>
    private async Task SeedAsync()
    {
        var rows = new[]
        {
            Row(1, WorkOrderStatus.Created, Priority.Low, "Bayou City Water", T0.AddHours(5)),
            Row(2, WorkOrderStatus.Dispatched, Priority.Urgent, "Gulf Coast Dairy", T0.AddHours(1), ["tom"]),
            Row(3, WorkOrderStatus.Dispatched, Priority.High, "gulf coast dairy east", null, ["ann", "tom"]),
            Row(4, WorkOrderStatus.OnSite, Priority.Normal, "Katy Ridge HOA", T0.AddHours(3), ["ann"]),
            Row(5, WorkOrderStatus.Complete, Priority.Urgent, "100%_Pumps Ltd", T0.AddHours(2), ["ben"]),
            Row(6, WorkOrderStatus.Cancelled, Priority.Normal, "Pasadena Refining", null),
            Row(7, WorkOrderStatus.Created, Priority.High, "Sugar Land Farms", T0.AddHours(4)),
            Row(8, WorkOrderStatus.AwaitingParts, Priority.Normal, "Bayou City Water", T0.AddHours(6), ["tom"]),
            Row(9, WorkOrderStatus.Created, Priority.Urgent, "Harris County MUD 12", null),
            Row(10, WorkOrderStatus.ClosedInvoiced, Priority.Low, "Westchase Towers", T0.AddHours(1)),
        };
        foreach (var row in rows) Assert.True(await _store.UpsertAsync(row));
        Assert.True(await _store.UpsertAsync(Row(1, tenant: "other-tenant")));
    }

    private async Task<List<string>> Ids(WorkOrderQuery query)
    {
        var page = await _store.QueryAsync(Tenant, query with { First = WorkOrderQuery.MaxPageSize });
        return [.. page.Items.Select(i => i.Id)];
    }

    [Fact]
    public async Task A_stale_write_loses()
    {
        Assert.True(await _store.UpsertAsync(Row(1, version: 1)));
        Assert.True(await _store.UpsertAsync(Row(1, WorkOrderStatus.Dispatched, version: 3, technicians: ["tom"])));

        Assert.False(await _store.UpsertAsync(Row(1, WorkOrderStatus.Created, version: 2)));
        Assert.False(await _store.UpsertAsync(Row(1, WorkOrderStatus.Cancelled, version: 3)));

        var row = await _store.GetAsync(Tenant, "wo-01");
        Assert.Equal((3L, WorkOrderStatus.Dispatched, "tom"), (row!.Version, row.Status, row.TechnicianIds.Single()));
        Assert.Equal(["wo-01"], await Ids(new WorkOrderQuery { TechnicianId = "tom" }));
    }

    [Fact]
    public async Task A_newer_write_replaces_the_row_and_its_technicians()
    {
        await _store.UpsertAsync(Row(1, WorkOrderStatus.Dispatched, version: 2, technicians: ["tom", "ann"]));
        await _store.UpsertAsync(Row(1, WorkOrderStatus.Dispatched, version: 3, technicians: ["ben"]));

        Assert.Empty(await Ids(new WorkOrderQuery { TechnicianId = "tom" }));
        Assert.Equal(["wo-01"], await Ids(new WorkOrderQuery { TechnicianId = "ben" }));
        var row = (await _store.GetAsync(Tenant, "wo-01"))!;
        Assert.Equal(("Gulf Coast Dairy", "1 Main St", new GeoPoint(29.76, -95.37), T0.AddMinutes(1)), (row.CustomerName, row.SiteAddress, row.SiteLocation!.Value, row.CreatedAt));
        Assert.Null(await _store.GetAsync(Tenant, "nope"));
    }

    [Fact]
    public async Task Filters_combine()
    {
        await SeedAsync();

        Assert.Equal(["wo-09", "wo-07", "wo-01"], await Ids(new WorkOrderQuery { Statuses = [WorkOrderStatus.Created] }));
        Assert.Equal(["wo-09", "wo-05", "wo-02"], await Ids(new WorkOrderQuery { Priorities = [Priority.Urgent] }));
        Assert.Equal(["wo-08", "wo-03", "wo-02"], await Ids(new WorkOrderQuery { TechnicianId = "tom" }));
        Assert.Equal(["wo-03", "wo-02"], await Ids(new WorkOrderQuery { CustomerText = "GULF coast" }));
        Assert.Equal(["wo-05"], await Ids(new WorkOrderQuery { CustomerText = "100%_" }));
        Assert.Empty(await Ids(new WorkOrderQuery { CustomerText = "1000" }));
        Assert.Equal(["wo-04", "wo-03"], await Ids(new WorkOrderQuery { CreatedFrom = T0.AddMinutes(3), CreatedTo = T0.AddMinutes(5) }));
        Assert.Equal(["wo-10", "wo-09"], await Ids(new WorkOrderQuery { UpdatedTo = T0.AddMinutes(92) }));
        Assert.Equal(["wo-10", "wo-05", "wo-02"], await Ids(new WorkOrderQuery { SlaDueFrom = T0.AddHours(1), SlaDueTo = T0.AddHours(3) }));
        Assert.Equal(["wo-02"], await Ids(new WorkOrderQuery
        {
            Statuses = [WorkOrderStatus.Dispatched, WorkOrderStatus.OnSite],
            Priorities = [Priority.Urgent, Priority.Normal],
            TechnicianId = "tom",
        }));

        var page = await _store.QueryAsync("other-tenant", new WorkOrderQuery());
        Assert.Equal((1L, "wo-01"), (page.TotalCount, page.Items.Single().Id));
    }

    [Fact]
    public async Task Orderings_break_ties_by_id_and_put_missing_slas_last()
    {
        await SeedAsync();

        Assert.Equal(["wo-01", "wo-02", "wo-03"], (await Ids(new WorkOrderQuery { Descending = false })).Take(3));
        Assert.Equal(["wo-01", "wo-02", "wo-03"], (await Ids(new WorkOrderQuery { OrderBy = WorkOrderSortField.UpdatedAt })).Take(3));
        Assert.Equal(["wo-09", "wo-05", "wo-02", "wo-07", "wo-03", "wo-08", "wo-06", "wo-04", "wo-10", "wo-01"],
            await Ids(new WorkOrderQuery { OrderBy = WorkOrderSortField.Priority }));
        Assert.Equal(["wo-02", "wo-10", "wo-05", "wo-04", "wo-07", "wo-01", "wo-08", "wo-03", "wo-06", "wo-09"],
            await Ids(new WorkOrderQuery { OrderBy = WorkOrderSortField.SlaDueAt, Descending = false }));
        Assert.Equal(["wo-08", "wo-01", "wo-07", "wo-04", "wo-05", "wo-10", "wo-02", "wo-09", "wo-06", "wo-03"],
            await Ids(new WorkOrderQuery { OrderBy = WorkOrderSortField.SlaDueAt, Descending = true }));
    }

    [Theory]
    [InlineData(WorkOrderSortField.CreatedAt, true)]
    [InlineData(WorkOrderSortField.UpdatedAt, false)]
    [InlineData(WorkOrderSortField.Priority, true)]
    [InlineData(WorkOrderSortField.Priority, false)]
    [InlineData(WorkOrderSortField.SlaDueAt, true)]
    [InlineData(WorkOrderSortField.SlaDueAt, false)]
    public async Task Keyset_pages_walk_the_whole_list_once(WorkOrderSortField orderBy, bool descending)
    {
        await SeedAsync();
        var all = await Ids(new WorkOrderQuery { OrderBy = orderBy, Descending = descending });

        var walked = new List<string>();
        string? after = null;
        for (var pages = 0; pages < 10; pages++)
        {
            var page = await _store.QueryAsync(Tenant, new WorkOrderQuery { OrderBy = orderBy, Descending = descending, First = 3, After = after });
            Assert.Equal(10, page.TotalCount);
            walked.AddRange(page.Items.Select(i => i.Id));
            if (!page.HasNextPage) break;
            after = page.EndCursor;
        }

        Assert.Equal(all, walked);
    }

    [Fact]
    public async Task Offset_paging_counts_everything_that_matches()
    {
        await SeedAsync();
        var page = await _store.QueryAsync(Tenant, new WorkOrderQuery { Statuses = [WorkOrderStatus.Created, WorkOrderStatus.Dispatched], Offset = 2, First = 2 });

        Assert.Equal(5, page.TotalCount);
        Assert.Equal(["wo-03", "wo-02"], page.Items.Select(i => i.Id));
        Assert.True(page.HasNextPage);

        var last = await _store.QueryAsync(Tenant, new WorkOrderQuery { Statuses = [WorkOrderStatus.Created, WorkOrderStatus.Dispatched], Offset = 4, First = 2 });
        Assert.Equal(["wo-01"], last.Items.Select(i => i.Id));
        Assert.False(last.HasNextPage);
    }

    [Fact]
    public async Task Bad_queries_are_refused()
    {
        Assert.Equal(ErrorCodes.Validation, (await Assert.ThrowsAsync<DomainException>(() => _store.QueryAsync(Tenant, new WorkOrderQuery { First = 0 }))).Code);
        Assert.Equal(ErrorCodes.Validation, (await Assert.ThrowsAsync<DomainException>(() => _store.QueryAsync(Tenant, new WorkOrderQuery { After = "garbage" }))).Code);
        var cursor = (await _store.QueryAsync(Tenant, new WorkOrderQuery())).EndCursor;
        Assert.Null(cursor);
    }

    [Fact]
    public async Task Another_service_on_the_same_database_sees_none_of_the_rows()
    {
        if (await CreateForAnotherServiceAsync() is not { } other) return;
        try
        {
            await SeedAsync();
            await _store.UpsertAsync(Row(11) with { WakeAt = T0 });

            Assert.Equal(0, (await other.QueryAsync(Tenant, new WorkOrderQuery())).TotalCount);
            Assert.Null(await other.GetAsync(Tenant, "wo-01"));
            Assert.Empty(await other.DueWakeUpsAsync(T0.AddDays(1), 10));
            // The same ids in the other service are other rows.
            Assert.True(await other.UpsertAsync(Row(1, version: 1)));
            Assert.Equal(10, (await _store.QueryAsync(Tenant, new WorkOrderQuery())).TotalCount - 1);
        }
        finally
        {
            if (other is IAsyncDisposable disposable) await disposable.DisposeAsync();
        }
    }

    [Fact]
    public async Task Due_wake_ups_are_listed_across_tenants_earliest_first()
    {
        await _store.UpsertAsync(Row(1) with { WakeAt = T0.AddMinutes(30) });
        await _store.UpsertAsync(Row(2) with { WakeAt = T0.AddMinutes(10), Tenant = "other-tenant" });
        await _store.UpsertAsync(Row(3) with { WakeAt = T0.AddHours(5) });
        await _store.UpsertAsync(Row(4));

        var due = await _store.DueWakeUpsAsync(T0.AddHours(1), 10);

        Assert.Equal([("other-tenant", "wo-02"), (Tenant, "wo-01")], due.Select(d => (d.Tenant, d.WorkOrderId)));
        Assert.Equal(T0.AddMinutes(10), due[0].WakeAt);
    }
}

public sealed class InMemoryReadModelTests : WorkOrderReadModelContract
{
    protected override Task<IWorkOrderReadModelStore> CreateAsync() => Task.FromResult<IWorkOrderReadModelStore>(new InMemoryWorkOrderReadModel());
}

public sealed class SqliteReadModelTests : WorkOrderReadModelContract
{
    private readonly TempDirectory _directory = TempDirectory.Create("dispatch-readmodel");
    private DispatchStorageOptions Options => new() { Mode = StorageMode.Embedded, DataDirectory = _directory.Path };

    protected override async Task<IWorkOrderReadModelStore> CreateAsync()
    {
        await SchemaMigrator.ApplyAsync(Options, logger: null, TestContext.Current.CancellationToken);
        return SqlWorkOrderReadModel.Sqlite(Options.SqliteConnectionString, "svc-a");
    }

    protected override Task<IWorkOrderReadModelStore?> CreateForAnotherServiceAsync() =>
        Task.FromResult<IWorkOrderReadModelStore?>(SqlWorkOrderReadModel.Sqlite(Options.SqliteConnectionString, "svc-b"));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }
}

public sealed class PostgresReadModelTests(PostgresServer postgres) : WorkOrderReadModelContract
{
    private string? _connectionString;

    protected override async Task<IWorkOrderReadModelStore> CreateAsync()
    {
        var options = new DispatchStorageOptions
        {
            Mode = StorageMode.Postgres,
            ConnectionString = await postgres.CreateDatabaseAsync("read_model", TestContext.Current.CancellationToken),
        };
        await SchemaMigrator.ApplyAsync(options, logger: null, TestContext.Current.CancellationToken);
        _connectionString = options.ConnectionString;
        return SqlWorkOrderReadModel.Postgres(options.ConnectionString, "svc-a");
    }

    protected override Task<IWorkOrderReadModelStore?> CreateForAnotherServiceAsync() =>
        Task.FromResult<IWorkOrderReadModelStore?>(SqlWorkOrderReadModel.Postgres(_connectionString!, "svc-b"));
}
