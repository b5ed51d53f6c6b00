using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Dispatch.Grains.Storage;

/// <summary>
/// One queue for the writes this process makes to one SQLite file.
/// </summary>
/// <remarks>
/// SQLite has a single writer. When two connections write at once, the loser gets SQLITE_BUSY and SQLite's busy
/// handler sleeps and retries with growing back-off (1, 2, 5, … up to 100 ms a try), with no order among the waiters.
/// Under a burst of dispatches (each one writes the work order, the technician and the list row) that turned a 2 ms
/// median into tails of seconds and into Orleans' 30 s timeouts (S4 in docs/benchmarks.md). Waiting here instead, in
/// arrival order and without sleeping, keeps the file's one writer busy and the tail short. Readers are not gated: in
/// WAL mode they never wait for the writer.
/// </remarks>
public sealed class SqliteWriteGate
{
    private static readonly ConcurrentDictionary<string, SqliteWriteGate> Gates = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _writer = new(1, 1);

    private SqliteWriteGate()
    {
    }

    /// <summary>The gate of the file a connection string names (one per file and process; in-memory databases get their own).</summary>
    public static SqliteWriteGate For(string connectionString)
    {
        var dataSource = new SqliteConnectionStringBuilder(connectionString).DataSource;
        var key = string.IsNullOrEmpty(dataSource) || dataSource.StartsWith(':') || dataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase)
            ? dataSource
            : Path.GetFullPath(dataSource);
        return Gates.GetOrAdd(key, _ => new SqliteWriteGate());
    }

    /// <summary>Runs <paramref name="write"/> when no other write of this process to the file is running.</summary>
    public async Task<T> RunAsync<T>(Func<Task<T>> write, CancellationToken cancellationToken = default)
    {
        await _writer.WaitAsync(cancellationToken);
        try
        {
            return await write();
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <inheritdoc cref="RunAsync{T}(Func{Task{T}}, CancellationToken)"/>
    public Task RunAsync(Func<Task> write, CancellationToken cancellationToken = default) =>
        RunAsync(async () =>
        {
            await write();
            return true;
        }, cancellationToken);
}
