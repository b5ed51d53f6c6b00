using System.Diagnostics;

namespace Dispatch.Testing;

/// <summary>
/// Runs the node scripts in tests/e2e (the graphql-http audit, the graphql-ws client, ...): third-party clients against
/// our servers. Installs the pinned packages with <c>npm ci</c> on first use.
/// </summary>
public static class NodeE2E
{
    private static readonly SemaphoreSlim NpmInstall = new(1, 1);

    public static string Directory { get; } = Path.Combine(RepoPaths.Root, "tests", "e2e");

    public static async Task<(int ExitCode, string Output)> RunAsync(string script, params string[] args)
    {
        await EnsureInstalledAsync();
        return await RunProcessAsync("node", [script, .. args]);
    }

    /// <summary>
    /// Installs tests/e2e's packages once per checkout. Test assemblies run in parallel as separate processes, and
    /// <c>npm ci</c> starts by deleting node_modules, so an in-process lock is not enough: a file lock serializes the
    /// installs of every process, and a marker written after a successful install (with the lock file's hash) says
    /// "done" — a node_modules folder that merely exists may be half written by another process.
    /// </summary>
    public static async Task EnsureInstalledAsync()
    {
        await NpmInstall.WaitAsync();
        try
        {
            var marker = Path.Combine(Directory, "node_modules", ".dispatch-installed");
            var expected = LockFileHash();
            bool Installed() => File.Exists(marker) && File.ReadAllText(marker) == expected;
            if (Installed())
            {
                return;
            }

            using var crossProcess = await AcquireFileLockAsync(Path.Combine(Directory, ".npm-install.lock"), TimeSpan.FromMinutes(5));
            if (Installed())
            {
                return;
            }

            var (exitCode, output) = await RunProcessAsync("npm", ["ci", "--no-audit", "--no-fund"]);
            if (exitCode != 0)
            {
                throw new InvalidOperationException("npm ci failed:\n" + output);
            }

            File.WriteAllText(marker, expected);
        }
        finally
        {
            NpmInstall.Release();
        }
    }

    private static string LockFileHash() =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(Directory, "package-lock.json"))));

    /// <summary>An exclusive lock on a file (FileShare.None is an flock on Unix), retried until the deadline.</summary>
    private static async Task<FileStream> AcquireFileLockAsync(string path, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200); // another process installs; poll until it lets go
            }
        }
    }

    private static async Task<(int ExitCode, string Output)> RunProcessAsync(string fileName, string[] args)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
