using System.Data.Common;
using System.Runtime.CompilerServices;
using Dispatch.Grains.Hosting;
using Microsoft.Data.Sqlite;
using Npgsql;
using Orleans.Storage;

namespace Dispatch.Grains.Storage;

/// <summary>
/// Reads grain state straight from storage, without activating grains: how the technician index loads a tenant's
/// fleet and how the work-order read model is rebuilt "from grain state".
/// </summary>
public interface IGrainStateScanner
{
    /// <summary>False in memory mode, where stored state cannot be enumerated.</summary>
    bool CanScan { get; }

    /// <summary>
    /// Every stored state named <paramref name="stateName"/> (the <c>[PersistentState]</c> name) whose grain key is
    /// <c>"{tenant}/..."</c>, or of every tenant when <paramref name="tenant"/> is null, with its grain key.
    /// </summary>
    IAsyncEnumerable<(string GrainKey, T State)> ScanAsync<T>(string stateName, string? tenant, CancellationToken cancellationToken = default);
}

/// <summary>Memory mode: nothing to scan (state lives in memory-storage grains and dies with the process).</summary>
public sealed class NoGrainStateScanner : IGrainStateScanner
{
    public bool CanScan => false;

    public async IAsyncEnumerable<(string GrainKey, T State)> ScanAsync<T>(string stateName, string? tenant, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask;
        yield break;
    }
}

/// <summary>
/// Scans Orleans' ADO.NET grain-state table (<c>OrleansStorage</c>) of this service. Orleans stores the state name as
/// <c>GrainTypeString</c> and a string grain key as <c>GrainIdExtensionString</c>; the payload is deserialized with the
/// same grain-storage serializer the provider wrote it with.
/// </summary>
public sealed class AdoNetGrainStateScanner(DispatchStorageOptions options, IGrainStorageSerializer serializer) : IGrainStateScanner
{
    public bool CanScan => true;

    public async IAsyncEnumerable<(string GrainKey, T State)> ScanAsync<T>(string stateName, string? tenant, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using DbConnection connection = options.Mode == StorageMode.Postgres
            ? new NpgsqlConnection(options.ConnectionString)
            : new SqliteConnection(options.SqliteConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // Unquoted names: PostgreSQL folds them to the lower-case names its scripts created, SQLite ignores case.
        command.CommandText = """
            SELECT GrainIdExtensionString, PayloadBinary
              FROM OrleansStorage
             WHERE ServiceId = @service AND GrainTypeString = @type AND PayloadBinary IS NOT NULL
               AND GrainIdExtensionString LIKE @prefix ESCAPE '\';
            """;
        Add(command, "service", options.ServiceId);
        Add(command, "type", stateName);
        Add(command, "prefix", tenant is null ? "%" : tenant.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "/%");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var key = reader.GetString(0);
            var payload = (byte[])reader.GetValue(1);
            var state = serializer.Deserialize<T>(new BinaryData(payload));
            if (state is not null) yield return (key, state);
        }
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@" + name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
