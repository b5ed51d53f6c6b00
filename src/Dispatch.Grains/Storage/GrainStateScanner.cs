using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
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

    /// <summary>Rows waiting for a deserializer, and states waiting for the caller: enough to keep every core busy.</summary>
    private const int QueueLength = 512;

    /// <remarks>
    /// Deserializing is the cost, not the query: Orleans' JSON grain-storage format (Newtonsoft with type names) takes
    /// ~0.3 ms per technician on our 2-core benchmark machine, so at 100,000 technicians one core needed ~30 s and the
    /// technician index was not there for the first best-match after a restart (S5). Rows are read in order on one task
    /// and deserialized on every core; states come back in no particular order, which no caller needs.
    /// </remarks>
    public async IAsyncEnumerable<(string GrainKey, T State)> ScanAsync<T>(string stateName, string? tenant, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var rows = Channel.CreateBounded<(string Key, byte[] Payload)>(new BoundedChannelOptions(QueueLength) { SingleWriter = true });
        var states = Channel.CreateBounded<(string GrainKey, T State)>(QueueLength);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reading = Task.Run(async () =>
        {
            try
            {
                await ReadRowsAsync(stateName, tenant, rows.Writer, stop.Token);
                rows.Writer.Complete();
            }
            catch (Exception ex)
            {
                rows.Writer.Complete(ex);
            }
        }, CancellationToken.None);
        var deserializing = Enumerable.Range(0, Environment.ProcessorCount).Select(_ => Task.Run(async () =>
        {
            await foreach (var (key, payload) in rows.Reader.ReadAllAsync(stop.Token))
            {
                if (serializer.Deserialize<T>(new BinaryData(payload)) is { } state)
                    await states.Writer.WriteAsync((key, state), stop.Token);
            }
        }, CancellationToken.None));
        // The first failure (a bad row, the database) reaches the caller through the states channel.
        var finished = Task.WhenAll([reading, .. deserializing]).ContinueWith(
            done => states.Writer.TryComplete(done.Exception?.InnerException), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        try
        {
            await foreach (var item in states.Reader.ReadAllAsync(cancellationToken))
            {
                yield return item;
            }
        }
        finally
        {
            // The caller stopped early or failed: stop the reader and the deserializers before the connection goes.
            stop.Cancel();
            await finished;
        }
    }

    private async Task ReadRowsAsync(string stateName, string? tenant, ChannelWriter<(string Key, byte[] Payload)> rows, CancellationToken cancellationToken)
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
            await rows.WriteAsync((reader.GetString(0), (byte[])reader.GetValue(1)), cancellationToken);
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
