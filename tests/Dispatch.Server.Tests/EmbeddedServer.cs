using Dispatch.Testing;

namespace Dispatch.Server.Tests;

/// <summary>A scratch working directory and the real server started in it on free ports, embedded (SQLite) mode.</summary>
public sealed class EmbeddedServer : IAsyncDisposable
{
    private EmbeddedServer(string directory) => Directory = directory;

    public string Directory { get; }

    public string DataDirectory => Path.Combine(Directory, "data");

    public ServerProcess Process { get; private set; } = null!;

    /// <summary>Extra environment for the server process (e.g. an OTLP endpoint).</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; set; }

    public static EmbeddedServer InNewDirectory()
    {
        var directory = Path.Combine(Path.GetTempPath(), "dispatch-test-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(directory);
        return new EmbeddedServer(directory);
    }

    /// <summary>Starts (or restarts) the server on the same directory, so a restart sees the same SQLite file.</summary>
    public async Task<ServerProcess> StartAsync(params string[] args)
    {
        Process = ServerProcess.Start(Directory, [.. args, .. SiloPorts()], Environment);
        await Process.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
        return Process;
    }

    /// <summary>Mints a token with the token verb; a tenant other than <c>default</c> is registered first.</summary>
    public async Task<string> TokenAsync(string user, string role, string tenant = "default")
    {
        await TestTenants.RegisterAsync(DataDirectory, tenant);
        var (exit, output, error) = await ServerProcess.RunVerbAsync(Directory, ["token", "--user", user, "--role", role, "--tenant", tenant]);
        Assert.True(exit == 0, $"token verb failed: {error}");
        return output.Trim();
    }

    /// <summary>Free silo ports per start, so tests can run servers side by side.</summary>
    public static string[] SiloPorts() =>
        [$"--Dispatch:Storage:SiloPort={FreePort.Get()}", $"--Dispatch:Storage:GatewayPort={FreePort.Get()}"];

    public async ValueTask DisposeAsync()
    {
        if (Process is not null)
        {
            await Process.DisposeAsync();
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a dying process; the temp directory is cleaned by the OS eventually.
        }
    }
}
