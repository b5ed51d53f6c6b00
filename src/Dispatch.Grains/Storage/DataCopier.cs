using System.Data.Common;
using System.Globalization;
using Dispatch.Grains.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Dispatch.Grains.Storage;

/// <summary>
/// Moves an installation from embedded mode to a cluster: copies grain state (work orders, technicians, devices,
/// locations, desks), reminders (scheduled dispatches, overrun alerts) and the work-order read model from the SQLite file
/// into PostgreSQL. Both schemas are ours and share their column names, and the rows are what Orleans wrote (JSON state,
/// hashes computed by Orleans, not by the database), so a straight row copy is a faithful one.
/// </summary>
/// <remarks>
/// Idempotent: the destination schema is applied first, then in one transaction the copied services' rows are replaced by
/// the source's, so running it twice leaves the same data. Cluster membership is not copied (it belongs to running
/// silos). Run it with the embedded server stopped and before the cluster starts: rows the cluster wrote in between for
/// the same service would be replaced.
/// </remarks>
public static class DataCopier
{
    /// <summary>The tables copied, by their SQLite and PostgreSQL names.</summary>
    public static readonly IReadOnlyList<(string Sqlite, string Postgres, string ServiceColumn)> Tables =
    [
        ("OrleansStorage", "orleansstorage", "serviceid"),
        ("OrleansRemindersTable", "orleansreminderstable", "serviceid"),
        ("dispatch_work_orders", "dispatch_work_orders", "service_id"),
        ("dispatch_work_order_technicians", "dispatch_work_order_technicians", "service_id"),
    ];

    public sealed record Result(IReadOnlyDictionary<string, int> RowsPerTable);

    public static async Task<Result> CopyAsync(string sqliteFile, string postgresConnectionString, ILogger? logger, CancellationToken ct)
    {
        if (!File.Exists(sqliteFile))
        {
            throw new FileNotFoundException($"No SQLite database at '{sqliteFile}'.", sqliteFile);
        }

        var destination = new DispatchStorageOptions { Mode = StorageMode.Postgres, ConnectionString = postgresConnectionString };
        await SchemaMigrator.ApplyAsync(destination, logger, ct);

        // Read-only and shared, so a copy of a live file reads a consistent snapshot (WAL) without blocking a writer.
        var source = new SqliteConnectionStringBuilder { DataSource = Path.GetFullPath(sqliteFile), Mode = SqliteOpenMode.ReadOnly }.ToString();
        await using var sqlite = new SqliteConnection(source);
        await sqlite.OpenAsync(ct);
        await using var readSnapshot = (SqliteTransaction)await sqlite.BeginTransactionAsync(ct);

        await using var postgres = new NpgsqlConnection(postgresConnectionString);
        await postgres.OpenAsync(ct);
        await using var write = await postgres.BeginTransactionAsync(ct);

        var rows = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (sqliteTable, postgresTable, serviceColumn) in Tables)
        {
            var columns = await ColumnTypesAsync(postgres, postgresTable, ct);
            await using var read = sqlite.CreateCommand();
            read.Transaction = readSnapshot;
            read.CommandText = $"SELECT * FROM {sqliteTable}";
            await using var reader = await read.ExecuteReaderAsync(ct);
            var names = Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetName(i).ToLowerInvariant()).ToArray();
            var missing = names.Where(n => !columns.ContainsKey(n)).ToArray();
            if (missing.Length > 0)
            {
                throw new InvalidOperationException($"{postgresTable} has no column(s) {string.Join(", ", missing)}; is the destination schema current?");
            }

            var services = new HashSet<string>(StringComparer.Ordinal);
            var batch = new List<object?[]>();
            while (await reader.ReadAsync(ct))
            {
                var values = new object?[names.Length];
                for (var i = 0; i < names.Length; i++)
                {
                    values[i] = Convert(reader.IsDBNull(i) ? null : reader.GetValue(i), columns[names[i]]);
                }

                services.Add((string)values[Array.IndexOf(names, serviceColumn)]!);
                batch.Add(values);
            }

            foreach (var service in services)
            {
                await using var delete = new NpgsqlCommand($"DELETE FROM {postgresTable} WHERE {serviceColumn} = @service", postgres, write);
                delete.Parameters.AddWithValue("service", service);
                await delete.ExecuteNonQueryAsync(ct);
            }

            await using (var import = await postgres.BeginBinaryImportAsync($"COPY {postgresTable} ({string.Join(", ", names)}) FROM STDIN (FORMAT BINARY)", ct))
            {
                foreach (var values in batch)
                {
                    await import.StartRowAsync(ct);
                    for (var i = 0; i < values.Length; i++)
                    {
                        if (values[i] is null)
                            await import.WriteNullAsync(ct);
                        else
                            await import.WriteAsync(values[i]!, columns[names[i]], ct);
                    }
                }

                await import.CompleteAsync(ct);
            }

            rows[postgresTable] = batch.Count;
            logger?.LogInformation("Copied {Rows} rows of {Table}.", batch.Count, postgresTable);
        }

        await write.CommitAsync(ct);
        return new Result(rows);
    }

    private static async Task<Dictionary<string, NpgsqlDbType>> ColumnTypesAsync(NpgsqlConnection connection, string table, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = @table", connection);
        command.Parameters.AddWithValue("table", table);
        var types = new Dictionary<string, NpgsqlDbType>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            types[reader.GetString(0)] = reader.GetString(1) switch
            {
                "integer" => NpgsqlDbType.Integer,
                "bigint" => NpgsqlDbType.Bigint,
                "double precision" => NpgsqlDbType.Double,
                "bytea" => NpgsqlDbType.Bytea,
                "timestamp with time zone" => NpgsqlDbType.TimestampTz,
                "text" => NpgsqlDbType.Text,
                _ => NpgsqlDbType.Varchar,
            };
        }

        return types;
    }

    /// <summary>SQLite's storage classes to the PostgreSQL column's type. Timestamps were written by Microsoft.Data.Sqlite as UTC text.</summary>
    private static object? Convert(object? value, NpgsqlDbType type) => value switch
    {
        null => null,
        _ => type switch
        {
            NpgsqlDbType.Integer => System.Convert.ToInt32(value, CultureInfo.InvariantCulture),
            NpgsqlDbType.Bigint => System.Convert.ToInt64(value, CultureInfo.InvariantCulture),
            NpgsqlDbType.Double => System.Convert.ToDouble(value, CultureInfo.InvariantCulture),
            NpgsqlDbType.Bytea => value as byte[] ?? System.Text.Encoding.UTF8.GetBytes(System.Convert.ToString(value, CultureInfo.InvariantCulture)!),
            NpgsqlDbType.TimestampTz => DateTime.SpecifyKind(
                DateTime.Parse(System.Convert.ToString(value, CultureInfo.InvariantCulture)!, CultureInfo.InvariantCulture,
                    DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal), DateTimeKind.Utc),
            _ => System.Convert.ToString(value, CultureInfo.InvariantCulture),
        },
    };

    /// <summary>
    /// An online, consistent copy of the embedded database: <c>VACUUM INTO</c> writes a compact snapshot while the server
    /// keeps running (readers and writers are not blocked for long under WAL). The target must not exist.
    /// </summary>
    public static async Task BackupSqliteAsync(string sqliteConnectionString, string targetFile, CancellationToken ct)
    {
        var target = Path.GetFullPath(targetFile);
        if (File.Exists(target))
        {
            throw new IOException($"'{target}' exists; choose a new file name.");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        await using var connection = new SqliteConnection(sqliteConnectionString);
        await connection.OpenAsync(ct);
        await using DbCommand command = connection.CreateCommand();
        command.CommandText = "VACUUM INTO @target";
        command.Parameters.Add(new SqliteParameter("@target", target));
        await command.ExecuteNonQueryAsync(ct);
    }
}
