using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Dispatch.Grains.Storage;

/// <summary>
/// The one queue for this process's writes to one SQLite file, committed in groups: every write queued while the
/// previous group was committing goes into the next transaction, so one WAL sync serves them all.
/// </summary>
/// <remarks>
/// <para>SQLite has a single writer. When two connections write at once, the loser gets SQLITE_BUSY and SQLite's busy
/// handler sleeps and retries with growing back-off, in no order among the waiters; under a burst of dispatches that
/// turned a 2 ms median into tails of seconds and Orleans' 30 s timeouts. Queuing the writes in arrival order removed the
/// tail, and showed the real bound (S4 in docs/benchmarks.md): about 2,000 writes/s, each committed alone with its own
/// sync, and each serializing its state while the file waited.</para>
/// <para>Group commit keeps each write's own outcome: a write runs inside a savepoint, so one that fails (a version
/// conflict is an answer, not a failure) is rolled back alone and the rest of its group commits. A write's task completes
/// only after its group's COMMIT; if the COMMIT fails, every write of the group fails with it and nothing of it is
/// stored. Writes that cannot join a transaction (Orleans' own provider calls, which open their own connection) run
/// <see cref="RunAloneAsync{T}"/>: between groups, in their place in the queue.</para>
/// <para>Readers are not queued: in WAL mode they never wait for the writer and see only committed groups.</para>
/// </remarks>
public sealed class SqliteWriteQueue
{
    /// <summary>Most writes in one transaction: bounds how long one COMMIT keeps the first of them waiting.</summary>
    public const int MaxGroupSize = 256;

    /// <summary>How long the writer keeps its connection (and its prepared statements) open with nothing queued.</summary>
    private static readonly TimeSpan IdleClose = TimeSpan.FromSeconds(2);

    private static readonly ConcurrentDictionary<string, SqliteWriteQueue> Queues = new(StringComparer.Ordinal);

    private readonly string _connectionString;
    private readonly Channel<QueuedWrite> _queue = Channel.CreateUnbounded<QueuedWrite>(new UnboundedChannelOptions { SingleReader = true });
    private SqliteWriteContext? _context;
    private long _groups;
    private long _grouped;

    private SqliteWriteQueue(string connectionString)
    {
        _connectionString = connectionString;
        _ = Task.Run(WriteLoopAsync);
    }

    /// <summary>Transactions committed for grouped writes so far (with <see cref="GroupedWrites"/>: the mean group size).</summary>
    public long Groups => Interlocked.Read(ref _groups);

    /// <summary>Grouped writes committed so far.</summary>
    public long GroupedWrites => Interlocked.Read(ref _grouped);

    /// <summary>The queue of the file a connection string names (one per file and process; in-memory databases get their own).</summary>
    public static SqliteWriteQueue For(string connectionString)
    {
        var dataSource = new SqliteConnectionStringBuilder(connectionString).DataSource;
        var key = string.IsNullOrEmpty(dataSource) || dataSource.StartsWith(':') || dataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase)
            ? dataSource
            : Path.GetFullPath(dataSource);
        return Queues.GetOrAdd(key, _ => new SqliteWriteQueue(connectionString));
    }

    /// <summary>
    /// Runs <paramref name="write"/> inside the next group's transaction (its own savepoint) and completes once that
    /// group is committed. The write must not commit or roll back the transaction itself; throwing rolls back its own work.
    /// </summary>
    public async Task<T> WriteAsync<T>(Func<SqliteWriteContext, Task<T>> write, CancellationToken cancellationToken = default)
    {
        T result = default!;
        await Enqueue(new QueuedWrite(async context => result = await write(context!), grouped: true, cancellationToken));
        return result;
    }

    /// <summary>Runs <paramref name="write"/> on its own, between two groups, when its turn in the queue comes.</summary>
    public async Task<T> RunAloneAsync<T>(Func<Task<T>> write, CancellationToken cancellationToken = default)
    {
        T result = default!;
        await Enqueue(new QueuedWrite(async _ => result = await write(), grouped: false, cancellationToken));
        return result;
    }

    /// <inheritdoc cref="RunAloneAsync{T}(Func{Task{T}}, CancellationToken)"/>
    public Task RunAloneAsync(Func<Task> write, CancellationToken cancellationToken = default) =>
        Enqueue(new QueuedWrite(_ => write(), grouped: false, cancellationToken));

    private Task Enqueue(QueuedWrite write) => _queue.Writer.TryWrite(write)
        ? write.Completion
        : throw new InvalidOperationException("The SQLite write queue is closed.");

    private async Task WriteLoopAsync()
    {
        var reader = _queue.Reader;
        var group = new List<QueuedWrite>(MaxGroupSize);
        while (true)
        {
            if (!reader.TryPeek(out _))
            {
                // Idle: keep the connection a little while for the next burst, then give it back.
                if (_context is not null)
                {
                    using var idle = new CancellationTokenSource(IdleClose);
                    try
                    {
                        await reader.WaitToReadAsync(idle.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        CloseConnection();
                    }
                }

                if (_context is null && !await reader.WaitToReadAsync())
                {
                    return;
                }
            }

            // Take what is queued now, up to a group; a write that must run alone ends the group before it.
            while (group.Count < MaxGroupSize && reader.TryPeek(out var next))
            {
                if (!next.Grouped && group.Count > 0)
                {
                    break;
                }

                reader.TryRead(out _);
                group.Add(next);
                if (!next.Grouped)
                {
                    break;
                }
            }

            if (group is [{ Grouped: false } solo])
            {
                // Orleans' provider opens its own connection; ours holds no transaction between groups.
                await solo.RunAloneAsync();
            }
            else
            {
                await CommitGroupAsync(group);
            }

            group.Clear();
        }
    }

    /// <summary>One transaction for the group; every write of it is completed (or failed) when this returns.</summary>
    private async Task CommitGroupAsync(List<QueuedWrite> group)
    {
        var running = group.Where(w => !w.IsCancelled).ToList();
        if (running.Count == 0)
        {
            return;
        }

        try
        {
            _context ??= new SqliteWriteContext(_connectionString);
            _context.Begin();
            foreach (var write in running)
            {
                await write.RunInSavepointAsync(_context);
            }

            _context.Commit();
        }
        catch (Exception ex)
        {
            // Opening, BEGIN, a savepoint or COMMIT failed (another process held the file past the busy timeout, the
            // disk is full, ...): nothing of the group is stored, so none of it may report success. The connection is
            // in doubt and replaced.
            CloseConnection();
            foreach (var write in running)
            {
                write.Fail(ex);
            }

            return;
        }

        Interlocked.Increment(ref _groups);
        Interlocked.Add(ref _grouped, running.Count);
        foreach (var write in running)
        {
            write.Complete();
        }
    }

    private void CloseConnection()
    {
        try
        {
            _context?.Dispose();
        }
        catch (Exception)
        {
            // A connection that failed may fail to close; it is dropped either way, and the loop must go on.
        }

        _context = null;
    }

    /// <summary>
    /// One queued write: grouped (in a savepoint of the next group's transaction, its outcome told after COMMIT) or alone
    /// (between groups, its outcome told when it ends). A write cancelled before its turn is skipped.
    /// </summary>
    private sealed class QueuedWrite(Func<SqliteWriteContext?, Task> write, bool grouped, CancellationToken cancellationToken)
    {
        private readonly TaskCompletionSource _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private Exception? _error;

        public bool Grouped => grouped;

        public Task Completion => _outcome.Task;

        public bool IsCancelled
        {
            get
            {
                if (!cancellationToken.IsCancellationRequested)
                {
                    return false;
                }

                _outcome.TrySetCanceled(cancellationToken);
                return true;
            }
        }

        public async Task RunAloneAsync()
        {
            if (IsCancelled)
            {
                return;
            }

            try
            {
                await write(null);
                _outcome.TrySetResult();
            }
            catch (Exception ex)
            {
                _outcome.TrySetException(ex);
            }
        }

        public async Task RunInSavepointAsync(SqliteWriteContext context)
        {
            context.Savepoint();
            try
            {
                await write(context);
            }
            catch (Exception ex) when (ex is not SqliteWriteContext.GroupFailedException)
            {
                // This write's own failure: undo its part, keep the group going, report it once the group is decided.
                _error = ex;
                context.RollbackToSavepoint();
                return;
            }

            context.ReleaseSavepoint();
        }

        /// <summary>The group committed: this write's own outcome.</summary>
        public void Complete()
        {
            if (_error is null)
            {
                _outcome.TrySetResult();
            }
            else
            {
                _outcome.TrySetException(_error);
            }
        }

        public void Fail(Exception error) => _outcome.TrySetException(error);
    }
}

/// <summary>
/// What a grouped write gets: the writer's connection and the group's open transaction, and its commands kept prepared
/// while the connection lives (a statement run for every dispatch should not be parsed for every dispatch).
/// </summary>
public sealed class SqliteWriteContext : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private readonly SqliteCommand _savepoint;
    private readonly SqliteCommand _release;
    private readonly SqliteCommand _rollbackTo;

    internal SqliteWriteContext(string connectionString)
    {
        _connection = new SqliteConnection(connectionString);
        _connection.Open();
        _savepoint = Statement("SAVEPOINT dispatch_write;");
        _release = Statement("RELEASE dispatch_write;");
        _rollbackTo = Statement("ROLLBACK TO dispatch_write; RELEASE dispatch_write;");
    }

    private SqliteCommand Statement(string sql)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    /// <summary>The writer's connection.</summary>
    public SqliteConnection Connection => _connection;

    /// <summary>The group's transaction; commands made here are already enlisted in it.</summary>
    public SqliteTransaction Transaction { get; private set; } = null!;

    /// <summary>
    /// A prepared command for <paramref name="sql"/>, enlisted in the group's transaction, with its parameters cleared;
    /// the context owns it (don't dispose it).
    /// </summary>
    public SqliteCommand Command(string sql)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = _connection.CreateCommand();
            command.CommandText = sql;
            _commands.Add(sql, command);
        }

        command.Parameters.Clear();
        command.Transaction = Transaction;
        return command;
    }

    // Microsoft.Data.Sqlite's async methods run synchronously; the writer is one loop, so these are plainly synchronous.
    internal void Begin()
    {
        Transaction?.Dispose();
        // Not deferred: BEGIN IMMEDIATE, so a writer in another process is waited for here (busy timeout), not half-way
        // through the group.
        Transaction = _connection.BeginTransaction(deferred: false);
    }

    internal void Commit() => Transaction.Commit();

    internal void Savepoint() => Run(_savepoint);

    internal void ReleaseSavepoint() => Run(_release);

    internal void RollbackToSavepoint() => Run(_rollbackTo);

    private void Run(SqliteCommand command)
    {
        command.Transaction = Transaction;
        try
        {
            command.ExecuteNonQuery();
        }
        catch (Exception ex)
        {
            throw new GroupFailedException(ex);
        }
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        _savepoint.Dispose();
        _release.Dispose();
        _rollbackTo.Dispose();
        Transaction?.Dispose();
        _connection.Dispose();
    }

    /// <summary>A savepoint statement failed: the group's transaction is in doubt, so the whole group fails.</summary>
    internal sealed class GroupFailedException(Exception inner) : Exception("The SQLite write group failed.", inner);
}
