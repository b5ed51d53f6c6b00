using System.Collections.Immutable;
using System.Data.Common;
using System.Text;
using Dispatch.Domain.Geo;
using Dispatch.Domain.WorkOrders;
using Dispatch.Grains.Storage;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Dispatch.Grains.ReadModel;

/// <summary>
/// The work-order list as a table in the grains' own database: <c>dispatch_work_orders</c> (one row per order) and
/// <c>dispatch_work_order_technicians</c> (who holds it, for the technician filter), created by
/// <c>deploy/sql/sqlite/004-read-model.sql</c> and <c>deploy/sql/postgresql/005-read-model.sql</c>.
/// </summary>
/// <remarks>
/// One implementation for both engines: the SQL is plain (upsert with <c>ON CONFLICT ... DO UPDATE ... WHERE</c>, which
/// SQLite and PostgreSQL share), times are stored as Unix milliseconds so filters, ordering and cursors are the same
/// integers everywhere, and ids compare byte-wise (<c>COLLATE "C"</c> on PostgreSQL) so keyset paging agrees with the
/// in-memory implementation. A write only lands when its <see cref="WorkOrder.Version"/> is newer than the stored one,
/// so writes may arrive in any order and the newest wins. Rows belong to one Orleans service id, like Orleans' own tables,
/// so two deployments may share a database.
/// </remarks>
public sealed class SqlWorkOrderReadModel : IWorkOrderReadModelStore, ISqliteStateProjection, IAsyncDisposable
{
    private const string Columns =
        "service_id, tenant, id, version, title, status, priority, customer_name, customer_name_lower, customer_tier, site_address, " +
        "site_latitude, site_longitude, sla_due_ms, created_ms, updated_ms, status_changed_ms, primary_technician_id, " +
        "technician_ids, scheduled_dispatch_ms, arrival_start_ms, arrival_end_ms, wake_ms";

    private readonly Func<DbConnection> _connect;
    private readonly bool _postgres;
    private readonly NpgsqlDataSource? _dataSource;
    private readonly string _serviceId;
    private readonly SqliteWriteQueue? _writeQueue;

    private SqlWorkOrderReadModel(Func<DbConnection> connect, bool postgres, NpgsqlDataSource? dataSource, string serviceId, SqliteWriteQueue? writeQueue = null)
    {
        _writeQueue = writeQueue;
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceId);
        _connect = connect;
        _postgres = postgres;
        _dataSource = dataSource;
        _serviceId = serviceId;
    }

    public static SqlWorkOrderReadModel Sqlite(string connectionString, string serviceId) =>
        new(() => new SqliteConnection(connectionString), postgres: false, dataSource: null, serviceId, SqliteWriteQueue.For(connectionString));

    public static SqlWorkOrderReadModel Postgres(string connectionString, string serviceId)
    {
        var dataSource = NpgsqlDataSource.Create(connectionString);
        return new SqlWorkOrderReadModel(dataSource.CreateConnection, postgres: true, dataSource, serviceId);
    }

    private string IdColumn => _postgres ? "w.id COLLATE \"C\"" : "w.id";

    public Task<bool> UpsertAsync(WorkOrderListItem item, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(item);
        // SQLite: committed with this process's other writes to the file, in the next group (see SqliteWriteQueue).
        return _writeQueue is { } queue
            ? queue.WriteAsync(context => WriteAsync(item, context.Command, CancellationToken.None), cancellationToken)
            : WriteInOwnTransactionAsync(item, cancellationToken);
    }

    public bool WritesTo(SqliteWriteQueue queue) => ReferenceEquals(queue, _writeQueue);

    /// <summary>A work order's list row, written in the savepoint that stores the work order (see <see cref="ISqliteStateProjection"/>).</summary>
    public async Task ProjectAsync(object state, SqliteWriteContext context)
    {
        if (state is IOwesWorkOrderListRow { ListRowToWrite: { } row } owing)
        {
            await WriteAsync(row, context.Command, CancellationToken.None);
            owing.ListRowToWrite = null;
        }
    }

    private async Task<bool> WriteInOwnTransactionAsync(WorkOrderListItem item, CancellationToken cancellationToken)
    {
        await using var connection = _connect();
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var commands = new List<DbCommand>();
        try
        {
            var written = await WriteAsync(item, sql =>
            {
                var command = Command(connection, transaction, sql);
                commands.Add(command);
                return command;
            }, cancellationToken);
            if (written)
            {
                await transaction.CommitAsync(cancellationToken);
            }

            return written;
        }
        finally
        {
            foreach (var command in commands)
            {
                await command.DisposeAsync();
            }
        }
    }

    private static readonly string UpsertSql = $"""
        INSERT INTO dispatch_work_orders ({Columns})
        VALUES (@service_id, @tenant, @id, @version, @title, @status, @priority, @customer_name, @customer_name_lower, @customer_tier, @site_address,
                @site_latitude, @site_longitude, @sla_due_ms, @created_ms, @updated_ms, @status_changed_ms, @primary_technician_id,
                @technician_ids, @scheduled_dispatch_ms, @arrival_start_ms, @arrival_end_ms, @wake_ms)
        ON CONFLICT (service_id, tenant, id) DO UPDATE SET {string.Join(", ", Columns.Split(", ").Skip(3).Select(c => $"{c} = excluded.{c}"))}
        WHERE excluded.version > dispatch_work_orders.version;
        """;

    private const string ClearTechniciansSql =
        "DELETE FROM dispatch_work_order_technicians WHERE service_id = @service_id AND tenant = @tenant AND work_order_id = @id;";

    private const string InsertTechnicianSql =
        "INSERT INTO dispatch_work_order_technicians (service_id, tenant, work_order_id, technician_id) VALUES (@service_id, @tenant, @id, @technician);";

    /// <summary>
    /// The row and its technician rows, with commands from <paramref name="statement"/> (already in the transaction, owned by
    /// the caller); false (and nothing written) when the stored row is as new or newer.
    /// </summary>
    private async Task<bool> WriteAsync(WorkOrderListItem item, Func<string, DbCommand> statement, CancellationToken cancellationToken)
    {
        var upsert = statement(UpsertSql);
        Add(upsert, "service_id", _serviceId);
        Add(upsert, "tenant", item.Tenant);
        Add(upsert, "id", item.Id);
        Add(upsert, "version", item.Version);
        Add(upsert, "title", item.Title);
        Add(upsert, "status", (int)item.Status);
        Add(upsert, "priority", (int)item.Priority);
        Add(upsert, "customer_name", item.CustomerName);
        Add(upsert, "customer_name_lower", item.CustomerName.ToLowerInvariant());
        Add(upsert, "customer_tier", (int)item.CustomerTier);
        Add(upsert, "site_address", item.SiteAddress);
        Add(upsert, "site_latitude", item.SiteLocation?.Latitude);
        Add(upsert, "site_longitude", item.SiteLocation?.Longitude);
        Add(upsert, "sla_due_ms", Ms(item.SlaDueAt));
        Add(upsert, "created_ms", item.CreatedAt.ToUnixTimeMilliseconds());
        Add(upsert, "updated_ms", item.UpdatedAt.ToUnixTimeMilliseconds());
        Add(upsert, "status_changed_ms", item.StatusChangedAt.ToUnixTimeMilliseconds());
        Add(upsert, "primary_technician_id", item.PrimaryTechnicianId);
        Add(upsert, "technician_ids", string.Join(',', item.TechnicianIds));
        Add(upsert, "scheduled_dispatch_ms", Ms(item.ScheduledDispatchAt));
        Add(upsert, "arrival_start_ms", Ms(item.ArrivalStart));
        Add(upsert, "arrival_end_ms", Ms(item.ArrivalEnd));
        Add(upsert, "wake_ms", Ms(item.WakeAt));
        if (await upsert.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            // The stored row is as new or newer: a stale write loses (and has changed nothing).
            return false;
        }

        var clear = statement(ClearTechniciansSql);
        Add(clear, "service_id", _serviceId);
        Add(clear, "tenant", item.Tenant);
        Add(clear, "id", item.Id);
        await clear.ExecuteNonQueryAsync(cancellationToken);

        foreach (var technicianId in item.TechnicianIds)
        {
            var insert = statement(InsertTechnicianSql);
            Add(insert, "service_id", _serviceId);
            Add(insert, "tenant", item.Tenant);
            Add(insert, "id", item.Id);
            Add(insert, "technician", technicianId);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        return true;
    }

    public async Task<WorkOrderListItem?> GetAsync(string tenant, string workOrderId, CancellationToken cancellationToken = default)
    {
        await using var connection = _connect();
        await connection.OpenAsync(cancellationToken);
        await using var command = Command(connection, null, $"SELECT {Columns} FROM dispatch_work_orders w WHERE w.service_id = @service_id AND w.tenant = @tenant AND w.id = @id;");
        Add(command, "service_id", _serviceId);
        Add(command, "tenant", tenant);
        Add(command, "id", workOrderId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    public async Task<WorkOrderPage> QueryAsync(string tenant, WorkOrderQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        await using var connection = _connect();
        await connection.OpenAsync(cancellationToken);

        var where = new StringBuilder("w.service_id = @service_id AND w.tenant = @tenant");
        var parameters = new List<(string Name, object? Value)> { ("service_id", _serviceId), ("tenant", tenant) };
        if (query.Statuses is { Count: > 0 } statuses)
        {
            where.Append(" AND w.status IN (").Append(string.Join(", ", statuses.Distinct().Select((s, i) => Param(parameters, $"status{i}", (int)s)))).Append(')');
        }

        if (query.Priorities is { Count: > 0 } priorities)
        {
            where.Append(" AND w.priority IN (").Append(string.Join(", ", priorities.Distinct().Select((p, i) => Param(parameters, $"priority{i}", (int)p)))).Append(')');
        }

        if (query.TechnicianId is { } technician)
        {
            where.Append(" AND EXISTS (SELECT 1 FROM dispatch_work_order_technicians t WHERE t.service_id = w.service_id AND t.tenant = w.tenant AND t.work_order_id = w.id AND t.technician_id = ")
                .Append(Param(parameters, "technician", technician)).Append(')');
        }

        if (!string.IsNullOrWhiteSpace(query.CustomerText))
        {
            var pattern = "%" + query.CustomerText.Trim().ToLowerInvariant().Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
            where.Append(" AND w.customer_name_lower LIKE ").Append(Param(parameters, "customer", pattern)).Append(" ESCAPE '\\'");
        }

        Range(where, parameters, "w.created_ms", "created", query.CreatedFrom, query.CreatedTo);
        Range(where, parameters, "w.updated_ms", "updated", query.UpdatedFrom, query.UpdatedTo);
        if (query.SlaDueFrom is not null || query.SlaDueTo is not null)
        {
            where.Append(" AND w.sla_due_ms IS NOT NULL");
            Range(where, parameters, "w.sla_due_ms", "sla", query.SlaDueFrom, query.SlaDueTo);
        }

        long total;
        await using (var count = Command(connection, null, $"SELECT COUNT(*) FROM dispatch_work_orders w WHERE {where};"))
        {
            foreach (var (name, value) in parameters) Add(count, name, value);
            total = Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        }

        var descending = query.Descending;
        var key = query.OrderBy switch
        {
            WorkOrderSortField.CreatedAt => "w.created_ms",
            WorkOrderSortField.UpdatedAt => "w.updated_ms",
            WorkOrderSortField.Priority => "w.priority",
            WorkOrderSortField.SlaDueAt => $"COALESCE(w.sla_due_ms, {Param(parameters, "no_sla", WorkOrderCursor.NoSlaKey(descending))})",
            _ => throw new ArgumentOutOfRangeException(nameof(query)),
        };
        var page = new StringBuilder(where.ToString());
        if (query.After is not null && WorkOrderCursor.TryDecode(query.After, query.OrderBy) is var (afterKey, afterId))
        {
            var op = descending ? "<" : ">";
            var k = Param(parameters, "after_key", afterKey);
            var id = Param(parameters, "after_id", afterId);
            page.Append($" AND ({key} {op} {k} OR ({key} = {k} AND {IdColumn} {op} {id}))");
        }

        var direction = descending ? "DESC" : "ASC";
        var sql = $"SELECT {Columns} FROM dispatch_work_orders w WHERE {page} ORDER BY {key} {direction}, {IdColumn} {direction} " +
                  $"LIMIT {Param(parameters, "limit", query.First + 1)}" +
                  (query.Offset is { } offset ? $" OFFSET {Param(parameters, "offset", offset)}" : "") + ";";
        var items = new List<WorkOrderListItem>();
        await using (var select = Command(connection, null, sql))
        {
            foreach (var (name, value) in parameters) Add(select, name, value);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) items.Add(Read(reader));
        }

        var hasNext = items.Count > query.First;
        if (hasNext) items.RemoveAt(items.Count - 1);
        var end = items.Count == 0 ? null : WorkOrderCursor.Encode(query.OrderBy, items[^1].SortKey(query.OrderBy, descending), items[^1].Id);
        return new WorkOrderPage(items, total, end, hasNext);
    }

    public async Task<IReadOnlyList<WorkOrderWakeUp>> DueWakeUpsAsync(DateTimeOffset dueBefore, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = _connect();
        await connection.OpenAsync(cancellationToken);
        await using var command = Command(connection, null,
            "SELECT tenant, id, wake_ms FROM dispatch_work_orders WHERE service_id = @service_id AND wake_ms IS NOT NULL AND wake_ms <= @due ORDER BY wake_ms LIMIT @limit;");
        Add(command, "service_id", _serviceId);
        Add(command, "due", dueBefore.ToUnixTimeMilliseconds());
        Add(command, "limit", limit);
        var due = new List<WorkOrderWakeUp>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            due.Add(new WorkOrderWakeUp(reader.GetString(0), reader.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2))));
        }

        return due;
    }

    public async Task DeleteTenantAsync(string tenant, CancellationToken cancellationToken = default)
    {
        await using var connection = _connect();
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var table in new[] { "dispatch_work_order_technicians", "dispatch_work_orders" })
        {
            await using var delete = Command(connection, transaction, $"DELETE FROM {table} WHERE service_id = @service_id AND tenant = @tenant;");
            Add(delete, "service_id", _serviceId);
            Add(delete, "tenant", tenant);
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => _dataSource?.DisposeAsync() ?? ValueTask.CompletedTask;

    private static WorkOrderListItem Read(DbDataReader reader)
    {
        double? latitude = reader.IsDBNull(11) ? null : reader.GetDouble(11);
        double? longitude = reader.IsDBNull(12) ? null : reader.GetDouble(12);
        var technicians = reader.IsDBNull(18) ? "" : reader.GetString(18);
        return new WorkOrderListItem
        {
            Tenant = reader.GetString(1),
            Id = reader.GetString(2),
            Version = reader.GetInt64(3),
            Title = reader.GetString(4),
            Status = (WorkOrderStatus)reader.GetInt32(5),
            Priority = (Priority)reader.GetInt32(6),
            CustomerName = reader.GetString(7),
            CustomerTier = (CustomerTier)reader.GetInt32(9),
            SiteAddress = reader.GetString(10),
            SiteLocation = latitude is { } lat && longitude is { } lon ? new GeoPoint(lat, lon) : null,
            SlaDueAt = Time(reader, 13),
            CreatedAt = Time(reader, 14)!.Value,
            UpdatedAt = Time(reader, 15)!.Value,
            StatusChangedAt = Time(reader, 16)!.Value,
            PrimaryTechnicianId = reader.IsDBNull(17) ? null : reader.GetString(17),
            TechnicianIds = technicians.Length == 0 ? [] : [.. technicians.Split(',')],
            ScheduledDispatchAt = Time(reader, 19),
            ArrivalStart = Time(reader, 20),
            ArrivalEnd = Time(reader, 21),
            WakeAt = Time(reader, 22),
        };
    }

    private static DateTimeOffset? Time(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    private static long? Ms(DateTimeOffset? value) => value?.ToUnixTimeMilliseconds();

    private static void Range(StringBuilder where, List<(string, object?)> parameters, string column, string name, DateTimeOffset? from, DateTimeOffset? to)
    {
        if (from is { } f) where.Append($" AND {column} >= ").Append(Param(parameters, name + "_from", f.ToUnixTimeMilliseconds()));
        if (to is { } t) where.Append($" AND {column} < ").Append(Param(parameters, name + "_to", t.ToUnixTimeMilliseconds()));
    }

    private static string Param(List<(string Name, object? Value)> parameters, string name, object? value)
    {
        parameters.Add((name, value));
        return "@" + name;
    }

    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private static void Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@" + name;
        parameter.Value = value ?? DBNull.Value;
        if (value is null && parameter is NpgsqlParameter npgsql)
        {
            // An untyped NULL makes PostgreSQL guess; these nullable columns are numbers or text.
            npgsql.NpgsqlDbType = name is "primary_technician_id" ? NpgsqlTypes.NpgsqlDbType.Text
                : name is "site_latitude" or "site_longitude" ? NpgsqlTypes.NpgsqlDbType.Double
                : NpgsqlTypes.NpgsqlDbType.Bigint;
        }

        command.Parameters.Add(parameter);
    }
}
