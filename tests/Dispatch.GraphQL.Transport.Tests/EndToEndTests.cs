using System.Diagnostics;
using System.Text.Json;
using Dispatch.GraphQL.Transport.Tests.Support;

namespace Dispatch.GraphQL.Transport.Tests;

/// <summary>Third-party clients against the test server: the graphql-http audit suite and the graphql-ws client.</summary>
public sealed class EndToEndTests(TestServer server)
{
    private static readonly SemaphoreSlim NpmInstall = new(1, 1);

    [Fact]
    public async Task Graphql_http_audit_has_no_must_failures_or_should_warnings()
    {
        var (exitCode, output) = await RunNodeAsync("audit.mjs", server.GraphQL.ToString());
        TestContext.Current.SendDiagnosticMessage(output);
        var summary = output.Split('\n').Single(l => l.StartsWith("AUDIT_JSON "))["AUDIT_JSON ".Length..];
        var counts = JsonDocument.Parse(summary).RootElement;
        Assert.True(exitCode == 0, output);
        Assert.Equal(0, counts.GetProperty("MUST").GetProperty("fail").GetInt32());
        Assert.Equal(0, counts.GetProperty("SHOULD").GetProperty("fail").GetInt32());
        Assert.Equal(13, counts.GetProperty("MUST").GetProperty("pass").GetInt32());
    }

    [Fact]
    public async Task Graphql_ws_client_receives_events_and_completion()
    {
        var (exitCode, output) = await RunNodeAsync("ws-client.mjs",
            server.WebSocketUri().ToString(), "subscription { ticks(count: 3) }", "3", "{\"token\":\"valid\"}");
        Assert.True(exitCode == 0, output);
        Assert.Contains("received 3 events then complete", output);
    }

    private static async Task<(int ExitCode, string Output)> RunNodeAsync(string script, params string[] args)
    {
        var e2e = Path.Combine(RepositoryRoot(), "tests", "e2e");
        await EnsureNodeModulesAsync(e2e);
        return await RunAsync("node", e2e, [script, .. args]);
    }

    private static async Task EnsureNodeModulesAsync(string e2e)
    {
        await NpmInstall.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            if (Directory.Exists(Path.Combine(e2e, "node_modules", "graphql-http")) && Directory.Exists(Path.Combine(e2e, "node_modules", "graphql-ws")))
                return;
            var (exitCode, output) = await RunAsync("npm", e2e, ["ci", "--no-audit", "--no-fund"]);
            Assert.True(exitCode == 0, "npm ci failed:\n" + output);
        }
        finally
        {
            NpmInstall.Release();
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string fileName, string workingDirectory, string[] args)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(3));
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

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Dispatch.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("Dispatch.sln not found above " + AppContext.BaseDirectory);
    }
}
