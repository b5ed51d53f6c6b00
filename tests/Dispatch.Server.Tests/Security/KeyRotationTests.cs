using System.Net;
using Dispatch.Testing;

namespace Dispatch.Server.Tests.Security;

/// <summary>
/// <c>keys rotate</c> on a running embedded server: tokens signed with the old key stop working without a restart, the
/// token verb mints ones that work, and the new key file is readable by its owner only.
/// </summary>
public sealed class KeyRotationTests : IAsyncLifetime
{
    private readonly EmbeddedServer _server = EmbeddedServer.InNewDirectory();

    public async ValueTask InitializeAsync() => await _server.StartAsync();

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task<HttpStatusCode> MeAsync(string token)
    {
        using var client = _server.Process.AuthorizedClient(token);
        using var response = await client.GetAsync("/api/v1/me");
        return response.StatusCode;
    }

    [Fact, System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Rotating_the_key_refuses_old_tokens_on_the_running_server_and_new_ones_work()
    {
        var old = await _server.TokenAsync("alice", "Dispatcher");
        var keyFile = Path.Combine(_server.DataDirectory, "signing-key");
        var oldKey = await File.ReadAllTextAsync(keyFile);
        Assert.Equal(HttpStatusCode.OK, await MeAsync(old));

        var (exit, output, error) = await ServerProcess.RunVerbAsync(_server.Directory, ["keys", "rotate"]);
        Assert.True(exit == 0, error);
        Assert.Contains("Rotated the signing key", output);
        Assert.NotEqual(oldKey, await File.ReadAllTextAsync(keyFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));

        await Eventually.Until(async () => await MeAsync(old) == HttpStatusCode.Unauthorized, TimeSpan.FromSeconds(10),
            "the running server refuses the old key's tokens");
        var (ws, socket) = await SecurityProbes.InitAsync(_server.Process.BaseAddress, old);
        socket.Dispose();
        Assert.Equal("4403", ws);

        var fresh = await _server.TokenAsync("alice", "Dispatcher");
        Assert.Equal(HttpStatusCode.OK, await MeAsync(fresh));
        Assert.Contains("previous key are refused", _server.Process.Output);
    }

    [Fact]
    public async Task Rotation_is_refused_when_the_key_comes_from_configuration()
    {
        var (exit, _, error) = await ServerProcess.RunVerbAsync(_server.Directory, ["keys", "rotate"],
            new Dictionary<string, string> { ["Dispatch__Auth__SigningKey"] = Convert.ToBase64String(new byte[32]) });

        Assert.Equal(2, exit);
        Assert.Contains("Dispatch:Auth:SigningKey", error);
    }
}
