using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Dispatch.Server.Identity;

namespace Dispatch.Simulator.Infrastructure;

/// <summary>
/// The real server binary (Release, embedded SQLite) as a child process on free loopback ports, in a data directory of
/// its own: what <c>--start-local</c> runs. It knows the signing key, so it mints any token a scenario needs, and it reads
/// the server's memory from <c>/proc/{pid}/status</c>.
/// </summary>
public sealed partial class LocalServer : IAsyncDisposable
{
    private readonly List<string> _extraArgs;
    private readonly bool _ownsDirectory;
    private readonly TokenIssuer _issuer;
    private Process? _process;
    private readonly System.Text.StringBuilder _log = new();

    private LocalServer(string dataDirectory, bool ownsDirectory, IEnumerable<string> extraArgs)
    {
        DataDirectory = dataDirectory;
        _ownsDirectory = ownsDirectory;
        _extraArgs = [.. extraArgs];
        var auth = new AuthOptions();
        _issuer = new TokenIssuer(auth, SigningKeyStore.Load(auth, dataDirectory), TimeProvider.System);
        Port = FreePort();
    }

    public string DataDirectory { get; }

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{Port}");

    public int ProcessId => _process?.Id ?? 0;

    /// <summary>What the server printed (for error messages).</summary>
    public string Log
    {
        get
        {
            lock (_log)
                return _log.ToString();
        }
    }

    /// <summary>
    /// Starts a server on <paramref name="dataDirectory"/> (a new temporary one when null; kept between runs when given, so
    /// a seeded tenant can be measured repeatedly). <paramref name="extraArgs"/> are configuration, e.g. a raised rate limit.
    /// </summary>
    public static async Task<LocalServer> StartAsync(string? dataDirectory, IEnumerable<string>? extraArgs = null, TimeSpan? readyWithin = null)
    {
        var owns = dataDirectory is null;
        var directory = Path.GetFullPath(dataDirectory ?? Path.Combine(Path.GetTempPath(), "dispatch-sim-" + Guid.NewGuid().ToString("N")[..10]));
        Directory.CreateDirectory(directory);
        var server = new LocalServer(directory, owns, extraArgs ?? []);
        try
        {
            await server.StartProcessAsync(readyWithin ?? TimeSpan.FromSeconds(120));
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    public string Token(string user, string role, string tenant = "default") => _issuer.Mint(user, [role], tenant, lifetime: TimeSpan.FromHours(4));

    /// <summary>Resident set size now and at its peak (VmRSS, VmHWM), in MiB; null when not on Linux.</summary>
    public MemorySample? Memory() => ProcessMemory.Read(ProcessId);

    /// <summary>SIGTERM, a clean exit, then a fresh start on the same data; returns how long until /health/ready answered 200.</summary>
    public async Task<(TimeSpan Stop, TimeSpan StartToReady)> RestartAsync()
    {
        var stop = Stopwatch.StartNew();
        await StopProcessAsync();
        stop.Stop();
        var start = Stopwatch.StartNew();
        await StartProcessAsync(TimeSpan.FromSeconds(120));
        return (stop.Elapsed, start.Elapsed);
    }

    private async Task StartProcessAsync(TimeSpan readyWithin)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = DataDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(ServerAssembly());
        string[] args =
        [
            "--urls", Url.ToString().TrimEnd('/'),
            $"--Dispatch:DataDirectory={DataDirectory}",
            $"--Dispatch:Storage:SiloPort={FreePort()}",
            $"--Dispatch:Storage:GatewayPort={FreePort()}",
            "--Logging:LogLevel:Default=Warning",
            .. _extraArgs,
        ];
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        info.Environment.Remove("ASPNETCORE_URLS");
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        using var http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < readyWithin)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"The local server exited with {process.ExitCode} before it was ready:\n{Log}");
            try
            {
                using var response = await http.GetAsync("/health/ready");
                if (response.IsSuccessStatusCode)
                    return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // not listening yet
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"The local server was not ready within {readyWithin.TotalSeconds} s:\n{Log}");
    }

    private async Task StopProcessAsync()
    {
        if (_process is not { } process)
            return;
        if (!process.HasExited)
            _ = Kill(process.Id, 15);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
        _process = null;
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_log)
        {
            if (_log.Length < 200_000)
                _log.AppendLine(line);
        }
    }

    /// <summary>The server built next to this simulator (same configuration), or DISPATCH_SERVER_DLL.</summary>
    public static string ServerAssembly()
    {
        if (Environment.GetEnvironmentVariable("DISPATCH_SERVER_DLL") is { Length: > 0 } explicitPath)
            return explicitPath;
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        var path = Path.Combine(RepositoryRoot(), "src", "Dispatch.Server", "bin", configuration, "net10.0", "Dispatch.Server.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"Build the server first ({configuration}): {path} is missing.");
    }

    public static string RepositoryRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Dispatch.sln")))
                    return dir.FullName;
            }
        }

        throw new InvalidOperationException("Run the simulator from the repository (no Dispatch.sln found above it).");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await StopProcessAsync();
        if (_ownsDirectory)
        {
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // a file still held by the dying process; it is a temp directory
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
