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

    private static async Task EnsureInstalledAsync()
    {
        await NpmInstall.WaitAsync();
        try
        {
            if (System.IO.Directory.Exists(Path.Combine(Directory, "node_modules", "graphql-http"))
                && System.IO.Directory.Exists(Path.Combine(Directory, "node_modules", "graphql-ws")))
            {
                return;
            }

            var (exitCode, output) = await RunProcessAsync("npm", ["ci", "--no-audit", "--no-fund"]);
            if (exitCode != 0)
            {
                throw new InvalidOperationException("npm ci failed:\n" + output);
            }
        }
        finally
        {
            NpmInstall.Release();
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
