using System.Collections.Concurrent;
using System.Data.Common;
using Dispatch.Domain.Common;
using Dispatch.Grains.Hosting;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Dispatch.Grains.Tenants;

/// <summary>A registered tenant.</summary>
public sealed record TenantEntry(string Tenant, string Name, DateTimeOffset CreatedAt);

/// <summary>
/// The tenant registry: which tenants this installation serves. Tokens naming any other tenant are refused. Kept in the
/// grains' own database (<c>dispatch_tenants</c>, <c>deploy/sql/*/…-tenants.sql</c>) so the <c>tenant add</c> verb can
/// write it while servers run, and every silo of a cluster reads the same list.
/// </summary>
public interface ITenantStore
{
    /// <summary>Adds a tenant; false when it was already registered (nothing changes).</summary>
    Task<bool> AddAsync(string tenant, string name, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>Removes a tenant; false when it was not registered.</summary>
    Task<bool> RemoveAsync(string tenant, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<TenantEntry>> ListAsync(CancellationToken cancellationToken = default);
}

public static class TenantStores
{
    /// <summary>The store for a storage mode: a table in SQLite or PostgreSQL, or (memory mode, tests only) a dictionary.</summary>
    public static ITenantStore For(DispatchStorageOptions storage) => storage.Mode switch
    {
        StorageMode.Embedded => new SqlTenantStore(() => new SqliteConnection(storage.SqliteConnectionString), storage.ServiceId),
        StorageMode.Postgres => new SqlTenantStore(() => new NpgsqlConnection(storage.ConnectionString
            ?? throw new InvalidOperationException("Postgres mode needs Dispatch:Storage:ConnectionString.")), storage.ServiceId),
        _ => new InMemoryTenantStore(),
    };
}

public sealed class InMemoryTenantStore : ITenantStore
{
    private readonly ConcurrentDictionary<string, TenantEntry> _tenants = new(StringComparer.Ordinal);

    public Task<bool> AddAsync(string tenant, string name, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        Validate(tenant);
        return Task.FromResult(_tenants.TryAdd(tenant, new TenantEntry(tenant, name, at)));
    }

    public Task<bool> RemoveAsync(string tenant, CancellationToken cancellationToken = default) =>
        Task.FromResult(_tenants.TryRemove(tenant, out _));

    public Task<IReadOnlyList<TenantEntry>> ListAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<TenantEntry>>([.. _tenants.Values.OrderBy(t => t.Tenant, StringComparer.Ordinal)]);

    internal static void Validate(string tenant)
    {
        if (!TenantKey.IsValidPart(tenant))
        {
            throw DomainException.Validation("tenant", $"'{tenant}' is not a valid tenant id: use 1-64 letters, digits, '-', '_' or '.'.");
        }
    }
}

/// <summary>Plain SQL shared by SQLite and PostgreSQL (<c>ON CONFLICT DO NOTHING</c> exists in both).</summary>
public sealed class SqlTenantStore(Func<DbConnection> connect, string serviceId) : ITenantStore
{
    public async Task<bool> AddAsync(string tenant, string name, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        InMemoryTenantStore.Validate(tenant);
        await using var connection = connect();
        await connection.OpenAsync(cancellationToken);
        await using var command = Command(connection,
            "INSERT INTO dispatch_tenants (service_id, tenant, name, created_ms) VALUES (@service_id, @tenant, @name, @created_ms) ON CONFLICT DO NOTHING;",
            ("tenant", tenant), ("name", name), ("created_ms", at.ToUnixTimeMilliseconds()));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<bool> RemoveAsync(string tenant, CancellationToken cancellationToken = default)
    {
        await using var connection = connect();
        await connection.OpenAsync(cancellationToken);
        await using var command = Command(connection, "DELETE FROM dispatch_tenants WHERE service_id = @service_id AND tenant = @tenant;", ("tenant", tenant));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<IReadOnlyList<TenantEntry>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = connect();
        await connection.OpenAsync(cancellationToken);
        await using var command = Command(connection, "SELECT tenant, name, created_ms FROM dispatch_tenants WHERE service_id = @service_id ORDER BY tenant;");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var tenants = new List<TenantEntry>();
        while (await reader.ReadAsync(cancellationToken))
        {
            tenants.Add(new TenantEntry(reader.GetString(0), reader.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2))));
        }

        return tenants;
    }

    private DbCommand Command(DbConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters.Prepend(("service_id", serviceId)))
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return command;
    }
}
