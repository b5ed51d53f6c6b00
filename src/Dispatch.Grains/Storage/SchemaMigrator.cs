using System.Data.Common;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Dispatch.Grains.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Dispatch.Grains.Storage;

/// <summary>One schema script embedded from <c>deploy/sql/&lt;dialect&gt;/</c>.</summary>
/// <param name="Name">File name, e.g. <c>002-persistence.sql</c>; scripts run in ordinal order of their names.</param>
/// <param name="Sql">Script text.</param>
/// <param name="Checksum">SHA-256 of the text (hex), recorded when the script is applied.</param>
public sealed record SchemaScript(string Name, string Sql, string Checksum);

/// <summary>
/// Applies the schema scripts of a storage mode (<c>deploy/sql/sqlite</c> for embedded, <c>deploy/sql/postgresql</c> for
/// postgres) before Orleans' ADO.NET providers start reading their queries.
/// </summary>
/// <remarks>
/// <para>Every applied script is recorded with its checksum in a version table (<c>DispatchSchemaVersion</c> on SQLite,
/// <c>dispatch_schema_version</c> on PostgreSQL). A script whose name and checksum are recorded is skipped; a new or changed
/// script is run again. The scripts are idempotent on their own as well, so a re-run never changes anything.</para>
/// <para>PostgreSQL: the run holds a session advisory lock (<see cref="PostgresLockKey"/>) so silos that start together
/// against one database apply the scripts one after the other; each script runs in its own transaction.</para>
/// <para>SQLite: the data directory is created, the file switched to WAL (readers don't block the writer, and concurrent
/// Orleans writers wait for each other through the busy timeout instead of failing), and all scripts run in one
/// <c>BEGIN IMMEDIATE</c> transaction, which also serializes two processes starting on the same file.</para>
/// </remarks>
public static class SchemaMigrator
{
    /// <summary>Key of the session advisory lock held while migrating PostgreSQL (bigint key space; ASCII "DSPSCHEM").</summary>
    public const long PostgresLockKey = 0x4453_5053_4348_454D;

    private const string ResourcePrefix = "Dispatch.Sql.";

    /// <summary>Applies the scripts for <paramref name="options"/>.Mode in order. No-op for <see cref="StorageMode.Memory"/>.</summary>
    public static Task ApplyAsync(DispatchStorageOptions options, ILogger? logger, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Mode switch
        {
            StorageMode.Memory => Task.CompletedTask,
            StorageMode.Embedded => ApplySqliteAsync(options, logger, ct),
            StorageMode.Postgres => ApplyPostgresAsync(options, logger, ct),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Mode, "Unknown storage mode."),
        };
    }

    /// <summary>
    /// Readiness check: opens a connection and runs <c>SELECT 1</c>. True for <see cref="StorageMode.Memory"/>. Never throws
    /// except on cancellation; an embedded database that does not exist yet counts as not ready (the probe does not create it).
    /// </summary>
    public static async Task<bool> CanConnectAsync(DispatchStorageOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            switch (options.Mode)
            {
                case StorageMode.Memory:
                    return true;

                case StorageMode.Embedded:
                {
                    var builder = new SqliteConnectionStringBuilder(options.SqliteConnectionString) { Mode = SqliteOpenMode.ReadWrite };
                    await using var connection = new SqliteConnection(builder.ToString());
                    return await SelectOneAsync(connection, ct);
                }

                case StorageMode.Postgres:
                {
                    if (string.IsNullOrWhiteSpace(options.ConnectionString))
                    {
                        return false;
                    }

                    await using var connection = new NpgsqlConnection(options.ConnectionString);
                    return await SelectOneAsync(connection, ct);
                }

                default:
                    return false;
            }
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            // A probe reports, it does not throw: bad connection strings, refused connections and timeouts all mean "not ready".
            return false;
        }
    }

    /// <summary>The embedded scripts for a mode, in the order they are applied (empty for <see cref="StorageMode.Memory"/>).</summary>
    public static IReadOnlyList<SchemaScript> GetScripts(StorageMode mode)
    {
        var dialect = mode switch
        {
            StorageMode.Embedded => "sqlite",
            StorageMode.Postgres => "postgresql",
            StorageMode.Memory => null,
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown storage mode."),
        };
        if (dialect is null)
        {
            return [];
        }

        var assembly = typeof(SchemaMigrator).Assembly;
        var scripts = new List<SchemaScript>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            // LogicalName is "Dispatch.Sql.%(RecursiveDir)%(Filename)%(Extension)": RecursiveDir keeps the platform's
            // directory separator and a trailing one, e.g. "Dispatch.Sql.sqlite/001-main.sql" (Windows: "sqlite\").
            if (!resource.StartsWith(ResourcePrefix, StringComparison.Ordinal) || !resource.EndsWith(".sql", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var relative = resource[ResourcePrefix.Length..].Replace('\\', '/');
            var slash = relative.LastIndexOf('/');
            if (slash < 0 || !string.Equals(relative[..slash], dialect, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var sql = ReadResource(assembly, resource);
            var checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql)));
            scripts.Add(new SchemaScript(relative[(slash + 1)..], sql, checksum));
        }

        if (scripts.Count == 0)
        {
            throw new InvalidOperationException($"No embedded schema scripts found for '{dialect}' (resources named {ResourcePrefix}{dialect}/*.sql).");
        }

        scripts.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return scripts;
    }

    private static async Task ApplySqliteAsync(DispatchStorageOptions options, ILogger? logger, CancellationToken ct)
    {
        var connectionString = options.SqliteConnectionString;
        var dataSource = new SqliteConnectionStringBuilder(connectionString).DataSource;
        if (DispatchStorageOptions.IsFileDataSource(dataSource))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(dataSource)!);
        }

        var scripts = GetScripts(StorageMode.Embedded);
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(ct);

        // Journal mode is stored in the file; it cannot be changed inside a transaction.
        var journalMode = await ScalarAsync(connection, null, "PRAGMA journal_mode = WAL;", ct);
        if (!string.Equals(Convert.ToString(journalMode, System.Globalization.CultureInfo.InvariantCulture), "wal", StringComparison.OrdinalIgnoreCase)
            && DispatchStorageOptions.IsFileDataSource(dataSource))
        {
            logger?.LogWarning("SQLite database {DataSource} did not switch to WAL (journal_mode = {JournalMode}).", dataSource, journalMode);
        }

        // BEGIN IMMEDIATE: takes the write lock up front, so a second process migrating the same file waits here.
        await using var transaction = connection.BeginTransaction(deferred: false);
        await ExecuteAsync(connection, transaction, """
            CREATE TABLE IF NOT EXISTS DispatchSchemaVersion
            (
                Script    TEXT NOT NULL PRIMARY KEY,
                Checksum  TEXT NOT NULL,
                AppliedOn TEXT NOT NULL
            );
            """, ct);

        var applied = await ReadAppliedAsync(connection, transaction, "SELECT Script, Checksum FROM DispatchSchemaVersion;", ct);
        var count = 0;
        foreach (var script in scripts)
        {
            if (applied.TryGetValue(script.Name, out var checksum) && checksum == script.Checksum)
            {
                continue;
            }

            logger?.LogInformation("Applying schema script sqlite/{Script} to {DataSource}.", script.Name, dataSource);
            await ExecuteAsync(connection, transaction, script.Sql, ct);
            await using var record = connection.CreateCommand();
            record.Transaction = transaction;
            record.CommandText = """
                INSERT INTO DispatchSchemaVersion (Script, Checksum, AppliedOn) VALUES ($script, $checksum, CURRENT_TIMESTAMP)
                ON CONFLICT (Script) DO UPDATE SET Checksum = excluded.Checksum, AppliedOn = excluded.AppliedOn;
                """;
            record.Parameters.AddWithValue("$script", script.Name);
            record.Parameters.AddWithValue("$checksum", script.Checksum);
            await record.ExecuteNonQueryAsync(ct);
            count++;
        }

        await transaction.CommitAsync(ct);
        LogDone(logger, "SQLite", count, scripts.Count);
    }

    private static async Task ApplyPostgresAsync(DispatchStorageOptions options, ILogger? logger, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            throw new InvalidOperationException(
                $"Storage mode {StorageMode.Postgres} needs {DispatchStorageOptions.SectionName}:{nameof(DispatchStorageOptions.ConnectionString)} (an Npgsql connection string).");
        }

        var scripts = GetScripts(StorageMode.Postgres);
        await using var connection = new NpgsqlConnection(options.ConnectionString);
        await connection.OpenAsync(ct);

        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_lock(@key);", connection))
        {
            lockCommand.Parameters.AddWithValue("key", PostgresLockKey);
            await lockCommand.ExecuteNonQueryAsync(ct);
        }

        try
        {
            await ExecuteAsync(connection, null, """
                CREATE TABLE IF NOT EXISTS dispatch_schema_version
                (
                    script     text        NOT NULL,
                    checksum   text        NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now(),
                    CONSTRAINT pk_dispatch_schema_version PRIMARY KEY (script)
                );
                """, ct);

            var applied = await ReadAppliedAsync(connection, null, "SELECT script, checksum FROM dispatch_schema_version;", ct);
            var count = 0;
            foreach (var script in scripts)
            {
                if (applied.TryGetValue(script.Name, out var checksum) && checksum == script.Checksum)
                {
                    continue;
                }

                logger?.LogInformation("Applying schema script postgresql/{Script} to database {Database}.", script.Name, connection.Database);
                await using var transaction = await connection.BeginTransactionAsync(ct);
                await ExecuteAsync(connection, transaction, script.Sql, ct);
                await using (var record = new NpgsqlCommand("""
                    INSERT INTO dispatch_schema_version (script, checksum) VALUES (@script, @checksum)
                    ON CONFLICT (script) DO UPDATE SET checksum = excluded.checksum, applied_at = now();
                    """, connection, transaction))
                {
                    record.Parameters.AddWithValue("script", script.Name);
                    record.Parameters.AddWithValue("checksum", script.Checksum);
                    await record.ExecuteNonQueryAsync(ct);
                }

                await transaction.CommitAsync(ct);
                count++;
            }

            LogDone(logger, "PostgreSQL", count, scripts.Count);
        }
        finally
        {
            // Closing the connection would release the lock too, but pooled connections are not closed, only returned.
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(@key);", connection);
            unlock.Parameters.AddWithValue("key", PostgresLockKey);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private static void LogDone(ILogger? logger, string engine, int applied, int total)
    {
        if (applied > 0)
        {
            logger?.LogInformation("{Engine} schema is current: applied {Applied} of {Total} scripts.", engine, applied, total);
        }
        else
        {
            logger?.LogDebug("{Engine} schema is current: all {Total} scripts already applied.", engine, total);
        }
    }

    private static async Task<bool> SelectOneAsync(DbConnection connection, CancellationToken ct)
    {
        await connection.OpenAsync(ct);
        var result = await ScalarAsync(connection, null, "SELECT 1;", ct);
        return Convert.ToInt64(result, System.Globalization.CultureInfo.InvariantCulture) == 1;
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<object?> ScalarAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(ct);
    }

    private static async Task<Dictionary<string, string>> ReadAppliedAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken ct)
    {
        var applied = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            applied[reader.GetString(0)] = reader.GetString(1);
        }

        return applied;
    }

    private static string ReadResource(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Embedded resource '{name}' is missing.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
