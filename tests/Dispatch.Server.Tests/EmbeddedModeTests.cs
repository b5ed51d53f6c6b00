using System.Net;
using System.Text.Json;
using Dispatch.Testing;

namespace Dispatch.Server.Tests;

/// <summary>The README's first command, as a newcomer runs it: no configuration, a fresh directory.</summary>
public class EmbeddedModeTests
{
    [Fact]
    public async Task Starts_with_no_configuration_and_keeps_its_data_in_the_working_directory()
    {
        await using var server = EmbeddedServer.InNewDirectory();

        // Ready within StartAsync's deadline; how fast is S5's business (restart to ready), not a test's: with the
        // other test projects' servers on the same two cores, a fresh start here once took 34 s.
        var process = await server.StartAsync();

        Assert.True(File.Exists(Path.Combine(server.DataDirectory, "dispatch.db")), "SQLite file in ./data");
        using var live = await process.Http.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Contains("token --user", process.Output);
    }

    [Fact, System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_signing_key_is_created_once_and_readable_by_the_owner_only()
    {
        await using var server = EmbeddedServer.InNewDirectory();
        await server.TokenAsync("alice", "Dispatcher");
        var keyFile = Path.Combine(server.DataDirectory, "signing-key");
        var key = await File.ReadAllTextAsync(keyFile);

        await server.TokenAsync("bob", "Admin");

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        Assert.Equal(key, await File.ReadAllTextAsync(keyFile));
    }

    [Fact]
    public async Task A_minted_token_is_accepted_and_carries_user_role_and_tenant()
    {
        await using var server = EmbeddedServer.InNewDirectory();
        var process = await server.StartAsync();
        var token = await server.TokenAsync("alice", "dispatcher", "acme");

        using var client = process.AuthorizedClient(token);
        using var me = await client.GetAsync("/api/v1/me");

        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        var body = JsonDocument.Parse(await me.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("alice", body.GetProperty("userId").GetString());
        Assert.Equal("acme", body.GetProperty("tenant").GetString());
        Assert.Equal("Dispatcher", body.GetProperty("roles")[0].GetString());
    }

    [Fact]
    public async Task Missing_tampered_or_foreign_tokens_are_refused()
    {
        await using var server = EmbeddedServer.InNewDirectory();
        var process = await server.StartAsync();
        var token = await server.TokenAsync("alice", "Dispatcher");
        await using var other = EmbeddedServer.InNewDirectory();
        var foreign = await other.TokenAsync("mallory", "Admin"); // signed by another installation's key

        using var anonymous = await process.Http.GetAsync("/api/v1/me");
        using var tampered = await process.AuthorizedClient(token[..^4] + "AAAA").GetAsync("/api/v1/me");
        using var stranger = await process.AuthorizedClient(foreign).GetAsync("/api/v1/me");
        using var notAdmin = await process.AuthorizedClient(token).GetAsync("/api/v1/cluster");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, tampered.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, stranger.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, notAdmin.StatusCode);
    }

    [Fact]
    public async Task The_token_verb_refuses_unknown_roles()
    {
        await using var server = EmbeddedServer.InNewDirectory();
        var (exit, _, error) = await ServerProcess.RunVerbAsync(server.Directory, ["token", "--user", "x", "--role", "Overlord"]);
        Assert.Equal(2, exit);
        Assert.Contains("Unknown role", error);
    }

    [Fact]
    public async Task Sigterm_shuts_down_cleanly()
    {
        await using var server = EmbeddedServer.InNewDirectory();
        var process = await server.StartAsync();

        var exitCode = await process.StopAsync();

        Assert.Equal(0, exitCode);
    }

    [Fact]
    public async Task Sigterm_turns_readiness_off_while_still_serving_then_exits()
    {
        await using var server = EmbeddedServer.InNewDirectory();
        var process = await server.StartAsync("--Dispatch:ShutdownDrainSeconds=5");

        var stopping = process.StopAsync();
        HttpStatusCode? seen = null;
        await Eventually.Until(async () =>
        {
            using var response = await process.Http.GetAsync("/health/ready");
            seen = response.StatusCode;
            return response.StatusCode == HttpStatusCode.ServiceUnavailable;
        }, TimeSpan.FromSeconds(5), "readiness reports 503 while the server drains");
        using var live = await process.Http.GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(0, await stopping);
    }

    [Fact]
    public async Task Migrate_twice_is_harmless()
    {
        await using var server = EmbeddedServer.InNewDirectory();
        var first = await ServerProcess.RunVerbAsync(server.Directory, ["migrate"]);
        var second = await ServerProcess.RunVerbAsync(server.Directory, ["migrate"]);

        Assert.True(first.ExitCode == 0, first.Error + first.Output);
        Assert.True(second.ExitCode == 0, second.Error + second.Output);
        Assert.Contains("up to date", second.Output);
    }
}
