using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;

namespace Dispatch.Testing;

/// <summary>
/// A throwaway PostgreSQL cluster for tests: <c>initdb</c> into a unique temp directory, <c>pg_ctl start</c> on a free
/// loopback port (unix socket directory inside the temp directory, trust authentication, listening on 127.0.0.1 only,
/// durability switched off for speed), <c>pg_ctl stop -m immediate</c> and directory removal on dispose.
/// </summary>
/// <remarks>
/// <para>Use it as an xUnit v3 assembly fixture (<c>[assembly: AssemblyFixture(typeof(PostgresServer))]</c>) or class
/// fixture (<c>IClassFixture&lt;PostgresServer&gt;</c>) and take it as a constructor parameter. The server starts lazily on
/// first use (<see cref="EnsureStartedAsync"/>, <see cref="CreateDatabaseAsync"/> or <see cref="ConnectionString"/>), so
/// registering the fixture costs nothing for tests that never touch PostgreSQL.</para>
/// <para>Give each test class its own database (<see cref="CreateDatabaseAsync"/>) so classes can run in parallel.</para>
/// <para>Binaries: <c>initdb</c>/<c>pg_ctl</c> from PATH, else the newest <c>/usr/lib/postgresql/*/bin</c>. PostgreSQL refuses
/// to run as root; when the tests run as root (CI) the commands run as the <c>postgres</c> OS user (<c>runuser</c>, else
/// <c>setpriv</c>) and the temp directory is handed to that user.</para>
/// </remarks>
public sealed partial class PostgresServer : IAsyncLifetime
{
    private const string OsUser = "postgres";
    private const string Superuser = "postgres";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);

    private readonly SemaphoreSlim _startGate = new(1, 1);
    private string? _rootDirectory;
    private string? _dataDirectory;
    private string? _binDirectory;
    private string? _connectionString;
    private int _databaseCounter;
    private bool _disposed;

    /// <summary>Connection string (superuser, database <c>postgres</c>). Starts the server if it is not running yet.</summary>
    public string ConnectionString => _connectionString ?? Task.Run(() => EnsureStartedAsync()).GetAwaiter().GetResult();

    /// <summary>TCP port of the running server (0 before start).</summary>
    public int Port { get; private set; }

    /// <summary>The temp directory holding data, socket and log (null before start).</summary>
    public string? RootDirectory => _rootDirectory;

    public bool IsStarted => _connectionString is not null;

    ValueTask IAsyncLifetime.InitializeAsync() => ValueTask.CompletedTask;

    /// <summary>Starts the server once; later calls return the same connection string.</summary>
    public async Task<string> EnsureStartedAsync(CancellationToken cancellationToken = default)
    {
        if (_connectionString is { } ready)
        {
            return ready;
        }

        await _startGate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _connectionString ??= await StartAsync(cancellationToken);
        }
        finally
        {
            _startGate.Release();
        }
    }

    /// <summary>
    /// Creates a fresh, empty database and returns a connection string for it. <paramref name="name"/> is a readable
    /// prefix (lower-cased, non-alphanumerics replaced by '_'); a counter and random suffix make every call unique.
    /// </summary>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var admin = await EnsureStartedAsync(cancellationToken);
        var prefix = InvalidNameChars().Replace(name.ToLowerInvariant(), "_");
        if (prefix.Length > 40)
        {
            prefix = prefix[..40];
        }

        var database = $"{prefix}_{Interlocked.Increment(ref _databaseCounter)}_{Guid.NewGuid().ToString("N")[..8]}";
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return new NpgsqlConnectionStringBuilder(admin) { Database = database }.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        await _startGate.WaitAsync();
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
            await StopAndDeleteAsync();
        }
        finally
        {
            _startGate.Release();
        }
    }

    private async Task<string> StartAsync(CancellationToken cancellationToken)
    {
        _binDirectory = FindBinDirectory();
        var runAsOsUser = Environment.IsPrivilegedProcess;

        _rootDirectory = Path.Combine(Path.GetTempPath(), $"dispatch-pg-{Guid.NewGuid():N}");
        _dataDirectory = Path.Combine(_rootDirectory, "data");
        var socketDirectory = Path.Combine(_rootDirectory, "sock");
        Directory.CreateDirectory(socketDirectory);
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;

        try
        {
            if (runAsOsUser)
            {
                await RunAsync("chown", ["-R", $"{OsUser}:{OsUser}", _rootDirectory], asOsUser: false, cancellationToken);
            }

            await RunAsync(Path.Combine(_binDirectory, "initdb"),
                ["-D", _dataDirectory, "-U", Superuser, "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions"],
                runAsOsUser, cancellationToken);

            // Another process may grab the port between FreePort.Get() and the bind: retry with a new one.
            for (var attempt = 1; ; attempt++)
            {
                Port = FreePort.Get();
                var logFile = Path.Combine(_rootDirectory, $"postgres-{Port}.log");
                var serverOptions = string.Join(' ',
                    $"-p {Port}",
                    $"-k {socketDirectory}",
                    "-c listen_addresses=127.0.0.1",
                    "-c max_connections=300",
                    "-c shared_buffers=32MB",
                    "-c fsync=off",
                    "-c synchronous_commit=off",
                    "-c full_page_writes=off",
                    "-c log_min_messages=warning");
                try
                {
                    await RunAsync(Path.Combine(_binDirectory, "pg_ctl"),
                        ["-D", _dataDirectory, "-l", logFile, "-w", "-t", "60", "-o", serverOptions, "start"],
                        runAsOsUser, cancellationToken);
                    break;
                }
                catch (InvalidOperationException) when (attempt < 3)
                {
                    // Most likely "could not bind IPv4 address"; the log says for sure, but a retry is cheap either way.
                }
            }

            var connectionString = new NpgsqlConnectionStringBuilder
            {
                Host = "127.0.0.1",
                Port = Port,
                Username = Superuser,
                Database = "postgres",
                Pooling = true,
                MaxPoolSize = 50,
                Timeout = 30,
                CommandTimeout = 60,
                IncludeErrorDetail = true,
            }.ConnectionString;

            await using (var connection = new NpgsqlConnection(connectionString))
            {
                await connection.OpenAsync(cancellationToken);
            }

            return connectionString;
        }
        catch
        {
            var log = ReadLogs();
            await StopAndDeleteAsync();
            if (log.Length > 0)
            {
                throw new InvalidOperationException($"Throwaway PostgreSQL failed to start. Server log:{Environment.NewLine}{log}");
            }

            throw;
        }
    }

    private async Task StopAndDeleteAsync()
    {
        if (_rootDirectory is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();

        if (_binDirectory is not null && _dataDirectory is not null && File.Exists(Path.Combine(_dataDirectory, "postmaster.pid")))
        {
            try
            {
                await RunAsync(Path.Combine(_binDirectory, "pg_ctl"), ["-D", _dataDirectory, "-m", "immediate", "-w", "-t", "30", "stop"],
                    Environment.IsPrivilegedProcess, CancellationToken.None);
            }
            catch (InvalidOperationException)
            {
                // Already stopped, or never got going; removing the directory is all that is left to do.
            }
        }

        try
        {
            Directory.Delete(_rootDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        _rootDirectory = null;
        _dataDirectory = null;
        _connectionString = null;
    }

    private void OnProcessExit(object? sender, EventArgs e)
    {
        // Test host exiting without disposing fixtures (crash, Ctrl+C): don't leave a postmaster behind.
        try
        {
            StopAndDeleteAsync().Wait(TimeSpan.FromSeconds(20));
        }
        catch (AggregateException)
        {
        }
    }

    private string ReadLogs()
    {
        if (_rootDirectory is null || !Directory.Exists(_rootDirectory))
        {
            return string.Empty;
        }

        var text = new StringBuilder();
        foreach (var file in Directory.EnumerateFiles(_rootDirectory, "postgres-*.log"))
        {
            try
            {
                var lines = File.ReadAllLines(file);
                text.AppendLine($"--- {Path.GetFileName(file)}");
                foreach (var line in lines.TakeLast(40))
                {
                    text.AppendLine(line);
                }
            }
            catch (IOException)
            {
            }
        }

        return text.ToString();
    }

    private static string FindBinDirectory()
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var initdb = Path.Combine(directory, "initdb");
            if (File.Exists(initdb) && File.Exists(Path.Combine(directory, "pg_ctl")))
            {
                // Follow symlinks (e.g. /usr/local/bin/initdb -> /usr/lib/postgresql/15/bin/initdb) to the real bin directory.
                var target = new FileInfo(initdb).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? initdb;
                return Path.GetDirectoryName(target)!;
            }
        }

        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            var newest = Directory.EnumerateDirectories(debianRoot)
                .Select(d => (Path: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), out var v) ? v : -1))
                .Where(d => File.Exists(Path.Combine(d.Path, "initdb")) && File.Exists(Path.Combine(d.Path, "pg_ctl")))
                .OrderByDescending(d => d.Version)
                .FirstOrDefault();
            if (newest.Path is not null)
            {
                return newest.Path;
            }
        }

        throw new InvalidOperationException("PostgreSQL binaries (initdb, pg_ctl) not found on PATH or in /usr/lib/postgresql/*/bin.");
    }

    private async Task RunAsync(string fileName, IReadOnlyList<string> arguments, bool asOsUser, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The test's working directory may not be readable by the postgres user.
            WorkingDirectory = _rootDirectory ?? Path.GetTempPath(),
        };

        if (asOsUser)
        {
            if (File.Exists("/usr/sbin/runuser") || File.Exists("/sbin/runuser") || File.Exists("/usr/bin/runuser"))
            {
                start.FileName = "runuser";
                start.ArgumentList.Add("-u");
                start.ArgumentList.Add(OsUser);
                start.ArgumentList.Add("--");
            }
            else
            {
                start.FileName = "setpriv";
                foreach (var argument in new[] { $"--reuid={OsUser}", $"--regid={OsUser}", "--init-groups", "--" })
                {
                    start.ArgumentList.Add(argument);
                }
            }

            start.ArgumentList.Add(fileName);
        }
        else
        {
            start.FileName = fileName;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Keep the server's messages in English and its locale neutral, whatever the test machine uses.
        start.Environment["LC_ALL"] = "C";
        start.Environment["LANG"] = "C";

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var output = (await stdout) + (await stderr);
        if (process.ExitCode != 0)
        {
            var description = $"{start.FileName} {string.Join(' ', start.ArgumentList)}";
            throw new InvalidOperationException($"'{description}' exited with {process.ExitCode}:{Environment.NewLine}{output}{ReadLogs()}");
        }
    }

    [GeneratedRegex("[^a-z0-9_]")]
    private static partial Regex InvalidNameChars();
}
