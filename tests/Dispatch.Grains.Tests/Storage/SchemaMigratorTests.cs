using System.Data.Common;
using Dispatch.Grains.Hosting;
using Dispatch.Grains.Storage;
using Dispatch.Testing;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Dispatch.Grains.Tests.Storage;

public sealed class SchemaMigratorTests(PostgresServer postgres)
{
    private static readonly string[] StorageKeys = ["WriteToStorageKey", "ReadFromStorageKey", "ClearStorageKey", "DeleteStorageKey"];

    private static readonly string[] ReminderKeys =
    [
        "UpsertReminderRowKey", "ReadReminderRowsKey", "ReadReminderRowKey", "ReadRangeRows1Key", "ReadRangeRows2Key",
        "DeleteReminderRowKey", "DeleteReminderRowsKey",
    ];

    private static readonly string[] MembershipKeys =
    [
        "UpdateIAmAlivetimeKey", "InsertMembershipVersionKey", "InsertMembershipKey", "UpdateMembershipKey", "MembershipReadRowKey",
        "MembershipReadAllKey", "DeleteMembershipTableEntriesKey", "GatewaysQueryKey", "CleanupDefunctSiloEntriesKey",
    ];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Scripts_are_embedded_for_each_persistent_mode_in_order()
    {
        Assert.Equal(["001-main.sql", "002-persistence.sql", "003-reminders.sql", "004-read-model.sql", "005-tenants.sql"], SchemaMigrator.GetScripts(StorageMode.Embedded).Select(s => s.Name));
        Assert.Equal(
            ["001-main.sql", "002-clustering.sql", "003-persistence.sql", "004-reminders.sql", "005-read-model.sql", "006-tenants.sql"],
            SchemaMigrator.GetScripts(StorageMode.Postgres).Select(s => s.Name));
        Assert.Empty(SchemaMigrator.GetScripts(StorageMode.Memory));
    }

    [Fact]
    public async Task Sqlite_applying_twice_is_a_no_op()
    {
        using var directory = TempDirectory.Create("dispatch-migrate");
        var options = new DispatchStorageOptions { Mode = StorageMode.Embedded, DataDirectory = Path.Combine(directory.Path, "nested", "data") };
        try
        {
            Assert.False(await SchemaMigrator.CanConnectAsync(options, Ct)); // the probe does not create the database

            await SchemaMigrator.ApplyAsync(options, logger: null, Ct);
            Assert.True(File.Exists(Path.Combine(options.DataDirectory, DispatchStorageOptions.SqliteFileName)));
            Assert.True(await SchemaMigrator.CanConnectAsync(options, Ct));

            await using var connection = new SqliteConnection(options.SqliteConnectionString);
            await connection.OpenAsync(Ct);
            Assert.Equal("wal", await ScalarAsync<string>(connection, "PRAGMA journal_mode;"));
            Assert.Equal(StorageKeys.Concat(ReminderKeys).Order(StringComparer.Ordinal), await QueryKeysAsync(connection));
            Assert.Equal(5L, await ScalarAsync<long>(connection, "SELECT count(*) FROM DispatchSchemaVersion;"));

            var before = await SqliteSnapshotAsync(connection);

            // Through the migrator: recorded scripts are skipped.
            await SchemaMigrator.ApplyAsync(options, logger: null, Ct);
            Assert.Equal(before, await SqliteSnapshotAsync(connection));

            // The scripts themselves, run again directly: still nothing changes, not even an identical rewrite of a row.
            var changesBefore = await ScalarAsync<long>(connection, "SELECT total_changes();");
            foreach (var script in SchemaMigrator.GetScripts(StorageMode.Embedded))
            {
                await ExecuteAsync(connection, script.Sql);
            }

            Assert.Equal(before, await SqliteSnapshotAsync(connection));
            Assert.Equal(changesBefore, await ScalarAsync<long>(connection, "SELECT total_changes();"));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
        }
    }

    [Fact]
    public async Task Sqlite_concurrent_migrations_do_not_collide()
    {
        using var directory = TempDirectory.Create("dispatch-migrate");
        var options = new DispatchStorageOptions { Mode = StorageMode.Embedded, DataDirectory = directory.Path };
        try
        {
            await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => SchemaMigrator.ApplyAsync(options, logger: null, Ct), Ct)));

            await using var connection = new SqliteConnection(options.SqliteConnectionString);
            await connection.OpenAsync(Ct);
            Assert.Equal(5L, await ScalarAsync<long>(connection, "SELECT count(*) FROM DispatchSchemaVersion;"));
            Assert.Equal(11, (await QueryKeysAsync(connection)).Count);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
        }
    }

    [Fact]
    public void Sqlite_connection_string_honours_an_override()
    {
        using var directory = TempDirectory.Create("dispatch-migrate");
        var file = Path.Combine(directory.Path, "custom.db");

        var byPath = new SqliteConnectionStringBuilder(new DispatchStorageOptions { ConnectionString = file }.SqliteConnectionString);
        Assert.Equal(file, byPath.DataSource);
        Assert.Equal(DispatchStorageOptions.SqliteBusyTimeoutSeconds, byPath.DefaultTimeout);

        var byString = new SqliteConnectionStringBuilder(new DispatchStorageOptions { ConnectionString = $"Data Source={file};Default Timeout=5" }.SqliteConnectionString);
        Assert.Equal(file, byString.DataSource);
        Assert.Equal(5, byString.DefaultTimeout);

        var byDirectory = new SqliteConnectionStringBuilder(new DispatchStorageOptions { DataDirectory = directory.Path }.SqliteConnectionString);
        Assert.Equal(Path.Combine(directory.Path, DispatchStorageOptions.SqliteFileName), byDirectory.DataSource);

        // A Postgres connection string is not mistaken for a SQLite override.
        var postgresMode = new DispatchStorageOptions { Mode = StorageMode.Postgres, ConnectionString = "Host=db;Database=dispatch", DataDirectory = directory.Path };
        Assert.Equal(byDirectory.DataSource, new SqliteConnectionStringBuilder(postgresMode.SqliteConnectionString).DataSource);
    }

    [Fact]
    public async Task Postgres_applying_twice_is_a_no_op()
    {
        var options = new DispatchStorageOptions { Mode = StorageMode.Postgres, ConnectionString = await postgres.CreateDatabaseAsync("migrate_twice", Ct) };

        await SchemaMigrator.ApplyAsync(options, logger: null, Ct);

        await using var connection = new NpgsqlConnection(options.ConnectionString);
        await connection.OpenAsync(Ct);
        Assert.Equal(StorageKeys.Concat(ReminderKeys).Concat(MembershipKeys).Order(StringComparer.Ordinal), await QueryKeysAsync(connection));
        Assert.Equal(6L, await ScalarAsync<long>(connection, "SELECT count(*) FROM dispatch_schema_version;"));

        var before = await PostgresSnapshotAsync(connection);

        await SchemaMigrator.ApplyAsync(options, logger: null, Ct);
        Assert.Equal(before, await PostgresSnapshotAsync(connection));

        foreach (var script in SchemaMigrator.GetScripts(StorageMode.Postgres))
        {
            await ExecuteAsync(connection, script.Sql);
        }

        Assert.Equal(before, await PostgresSnapshotAsync(connection));
    }

    [Fact]
    public async Task Postgres_concurrent_migrations_do_not_collide()
    {
        var options = new DispatchStorageOptions { Mode = StorageMode.Postgres, ConnectionString = await postgres.CreateDatabaseAsync("migrate_race", Ct) };

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => SchemaMigrator.ApplyAsync(options, logger: null, Ct), Ct)));

        await using var connection = new NpgsqlConnection(options.ConnectionString);
        await connection.OpenAsync(Ct);
        Assert.Equal(6L, await ScalarAsync<long>(connection, "SELECT count(*) FROM dispatch_schema_version;"));
        Assert.Equal(20, (await QueryKeysAsync(connection)).Count);
    }

    [Fact]
    public async Task Readiness_probe_reports_instead_of_throwing()
    {
        Assert.True(await SchemaMigrator.CanConnectAsync(new DispatchStorageOptions { Mode = StorageMode.Memory }, Ct));

        var admin = await postgres.EnsureStartedAsync(Ct);
        Assert.True(await SchemaMigrator.CanConnectAsync(new DispatchStorageOptions { Mode = StorageMode.Postgres, ConnectionString = admin }, Ct));

        var closedPort = new NpgsqlConnectionStringBuilder(admin) { Port = FreePort.Get(), Timeout = 2 }.ConnectionString;
        Assert.False(await SchemaMigrator.CanConnectAsync(new DispatchStorageOptions { Mode = StorageMode.Postgres, ConnectionString = closedPort }, Ct));
        Assert.False(await SchemaMigrator.CanConnectAsync(new DispatchStorageOptions { Mode = StorageMode.Postgres }, Ct));
    }

    [Fact]
    public async Task Memory_mode_needs_no_schema()
    {
        using var directory = TempDirectory.Create("dispatch-migrate");
        var options = new DispatchStorageOptions { Mode = StorageMode.Memory, DataDirectory = Path.Combine(directory.Path, "data") };
        await SchemaMigrator.ApplyAsync(options, logger: null, Ct);
        Assert.False(Directory.Exists(options.DataDirectory));
    }

    private static async Task<List<string>> QueryKeysAsync(DbConnection connection)
    {
        var keys = new List<string>();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT QueryKey FROM OrleansQuery ORDER BY QueryKey;";
        await using var reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            keys.Add(reader.GetString(0));
        }

        keys.Sort(StringComparer.Ordinal);
        return keys;
    }

    /// <summary>Schema objects, row counts of every table, and the query catalogue's contents.</summary>
    private static async Task<string> SqliteSnapshotAsync(SqliteConnection connection)
    {
        var lines = await ReadLinesAsync(connection, "SELECT type || ' ' || name || ' ' || ifnull(sql, '') FROM sqlite_master ORDER BY type, name;");
        foreach (var table in await ReadLinesAsync(connection, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name;"))
        {
            lines.Add($"{table}: {await ScalarAsync<long>(connection, $"SELECT count(*) FROM \"{table}\";")} rows");
        }

        lines.AddRange(await ReadLinesAsync(connection, "SELECT Script || ' ' || Checksum || ' ' || AppliedOn FROM DispatchSchemaVersion ORDER BY Script;"));
        lines.AddRange(await ReadLinesAsync(connection, "SELECT QueryKey || ' ' || QueryText FROM OrleansQuery ORDER BY QueryKey;"));
        return string.Join('\n', lines);
    }

    /// <summary>Tables with row counts, indexes, routines with their definitions, and the query catalogue including row versions (xmin).</summary>
    private static async Task<string> PostgresSnapshotAsync(NpgsqlConnection connection)
    {
        var lines = new List<string>();
        foreach (var table in await ReadLinesAsync(connection, "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename;"))
        {
            lines.Add($"{table}: {await ScalarAsync<long>(connection, $"SELECT count(*) FROM \"{table}\";")} rows");
        }

        lines.AddRange(await ReadLinesAsync(connection, "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname;"));
        lines.AddRange(await ReadLinesAsync(connection, """
            SELECT p.oid::text || ' ' || p.proname || ' ' || md5(pg_get_functiondef(p.oid))
              FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname = current_schema()
             ORDER BY p.proname;
            """));
        lines.AddRange(await ReadLinesAsync(connection, "SELECT script || ' ' || checksum || ' ' || applied_at::text || ' ' || xmin::text FROM dispatch_schema_version ORDER BY script;"));
        lines.AddRange(await ReadLinesAsync(connection, "SELECT querykey || ' ' || md5(querytext) || ' ' || xmin::text FROM orleansquery ORDER BY querykey;"));
        return string.Join('\n', lines);
    }

    private static async Task<List<string>> ReadLinesAsync(DbConnection connection, string sql)
    {
        var lines = new List<string>();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            lines.Add(reader.GetString(0));
        }

        return lines;
    }

    private static async Task<T> ScalarAsync<T>(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)(await command.ExecuteScalarAsync(Ct))!;
    }

    private static async Task ExecuteAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(Ct);
    }
}
