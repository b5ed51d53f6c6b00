using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Orleans.Storage;

namespace Dispatch.Grains.Storage;

/// <summary>
/// Grain state on the embedded SQLite file: Orleans' ADO.NET provider reads and clears; writes go through the file's
/// <see cref="SqliteWriteQueue"/> and are committed in groups.
/// </summary>
/// <remarks>
/// <para>A write is the same row Orleans' provider would write: the same table, the same hashes (its own hasher
/// picker), the same payload (its serializer), and its own <c>WriteToStorageKey</c> query from <c>OrleansQuery</c>, with
/// the same optimistic version check; so Orleans reads what this writes, the scanner and the data copier read both, and
/// a file written before this existed reads the same. What differs is where the work happens: the state is serialized
/// on the caller's turn, in parallel with every other grain, and the statement joins the next group's transaction on
/// the writer's connection, prepared once. Orleans' provider serialized inside the write and committed each write alone
/// (S4 in docs/benchmarks.md).</para>
/// <para>A state that owes read-model rows (the work order's list row) has them written by the
/// <paramref name="projections"/> in the same savepoint, after its own statement stored it.</para>
/// <para>A state name with generic arguments (Orleans normalizes those) is left to Orleans' provider, queued alone.</para>
/// </remarks>
public sealed class SqliteGrainStorage(AdoNetGrainStorage inner, string providerName, string serviceId, SqliteWriteQueue queue,
    IReadOnlyList<ISqliteStateProjection> projections)
    : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    private const string WriteQueryKey = "WriteToStorageKey";
    private string? _writeQuery;

    /// <summary>Orleans' provider underneath: it reads and clears, and writes what this cannot group.</summary>
    public AdoNetGrainStorage OrleansProvider => inner;

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, grainId, grainState);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken) =>
        inner.ReadStateAsync(stateName, grainId, grainState, cancellationToken);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        WriteStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken) =>
        stateName.Contains('`', StringComparison.Ordinal)
            ? queue.RunAloneAsync(() => inner.WriteStateAsync(stateName, grainId, grainState, cancellationToken), cancellationToken)
            : WriteGroupedAsync(stateName, grainId, grainState, cancellationToken);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ClearStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken) =>
        queue.RunAloneAsync(() => inner.ClearStateAsync(stateName, grainId, grainState, cancellationToken), cancellationToken);

    /// <summary>Orleans' provider reads its queries at silo start; that stays its business.</summary>
    public void Participate(ISiloLifecycle lifecycle) => inner.Participate(lifecycle);

    private async Task WriteGroupedAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        var key = StorageKey.Of(grainId);
        var hasher = inner.HashPicker.PickHasher(serviceId, providerName, stateName, grainId, grainState)
            ?? throw new InvalidOperationException($"Grain storage '{providerName}' has no hasher.");
        var grainIdHash = hasher.Hash(key.HashBytes);
        var grainTypeHash = hasher.Hash(Encoding.UTF8.GetBytes(stateName));
        var payload = inner.Serializer.Serialize(grainState.State).ToArray();
        int? expectedVersion = string.IsNullOrWhiteSpace(grainState.ETag) ? null : int.Parse(grainState.ETag, CultureInfo.InvariantCulture);

        var newVersion = await queue.WriteAsync(async context =>
        {
            var command = context.Command(_writeQuery ??= ReadWriteQuery(context.Connection));
            command.Parameters.AddWithValue("@GrainIdHash", grainIdHash);
            command.Parameters.AddWithValue("@GrainIdN0", key.N0);
            command.Parameters.AddWithValue("@GrainIdN1", key.N1);
            command.Parameters.AddWithValue("@GrainTypeHash", grainTypeHash);
            command.Parameters.AddWithValue("@GrainTypeString", stateName);
            command.Parameters.AddWithValue("@GrainIdExtensionString", (object?)key.Extension ?? DBNull.Value);
            command.Parameters.AddWithValue("@ServiceId", serviceId);
            command.Parameters.AddWithValue("@GrainStateVersion", (object?)expectedVersion ?? DBNull.Value);
            command.Parameters.AddWithValue("@PayloadBinary", payload);

            // Two statements (insert the first version, or bump the expected one); at most one returns a row.
            int? version = null;
            await using var reader = await command.ExecuteReaderAsync();
            do
            {
                while (await reader.ReadAsync())
                {
                    version = reader.IsDBNull(0) ? null : reader.GetInt32(0);
                }
            }
            while (await reader.NextResultAsync());

            if (version is not null && grainState.State is { } stored)
            {
                foreach (var projection in projections)
                {
                    await projection.ProjectAsync(stored, context);
                }
            }

            return version;
        }, cancellationToken);

        // No row: another activation wrote first (or the expected version is gone). Orleans' provider says the same.
        grainState.ETag = newVersion?.ToString(CultureInfo.InvariantCulture)
            ?? throw new InconsistentStateException(
                $"Version conflict (WriteState): ServiceId={serviceId} ProviderName={providerName} GrainType={stateName} GrainId={grainId} ETag={grainState.ETag}.");
        grainState.RecordExists = true;
    }

    private static string ReadWriteQuery(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT QueryText FROM OrleansQuery WHERE QueryKey = @key;";
        command.Parameters.AddWithValue("@key", WriteQueryKey);
        return command.ExecuteScalar() as string
            ?? throw new InvalidOperationException($"OrleansQuery has no '{WriteQueryKey}': the schema scripts have not run on this file.");
    }

    /// <summary>A grain id as Orleans' ADO.NET provider keys it: two 64-bit halves, a string part, and the bytes it hashes.</summary>
    private readonly record struct StorageKey(long N0, long N1, string? Extension, byte[] HashBytes)
    {
        public static StorageKey Of(GrainId grainId)
        {
            long n0 = 0, n1 = 0;
            byte[]? bytes = null;
            if (grainId.TryGetGuidKey(out var guid, out var extension))
            {
                bytes = guid.ToByteArray();
                n0 = BitConverter.ToInt64(bytes, 0);
                n1 = BitConverter.ToInt64(bytes, 8);
            }
            else if (grainId.TryGetIntegerKey(out var integer, out extension))
            {
                n1 = integer;
                bytes = BitConverter.GetBytes(integer);
            }
            else
            {
                extension = grainId.Key.ToString();
            }

            // Numeric key bytes, then the extension's UTF-8; or the string key's UTF-8 alone; reversed on little-endian.
            var text = extension is null ? [] : Encoding.UTF8.GetBytes(extension);
            var hashBytes = bytes is null ? text : [.. bytes, .. text];
            if (BitConverter.IsLittleEndian)
            {
                Array.Reverse(hashBytes);
            }

            return new StorageKey(n0, n1, extension, hashBytes);
        }
    }
}
