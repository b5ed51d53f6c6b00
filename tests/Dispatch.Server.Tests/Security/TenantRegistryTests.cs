using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dispatch.Testing;

namespace Dispatch.Server.Tests.Security;

/// <summary>
/// Tokens are accepted for registered tenants only: the token verb refuses to mint for an unknown one, and a correctly
/// signed token naming an unknown tenant or role gets 403 with a problem body over HTTP and close code 4403 on a WebSocket.
/// The <c>tenant</c> verbs add, list and remove tenants while the server runs.
/// </summary>
public sealed class TenantRegistryTests : IAsyncLifetime
{
    private readonly EmbeddedServer _server = EmbeddedServer.InNewDirectory();

    public async ValueTask InitializeAsync() =>
        await _server.StartAsync("--Dispatch:Tenants:RefreshInterval=00:00:01");

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private Task<(int ExitCode, string Output, string Error)> VerbAsync(params string[] args) => ServerProcess.RunVerbAsync(_server.Directory, args);

    private async Task<HttpStatusCode> MeAsync(string token)
    {
        using var client = _server.Process.AuthorizedClient(token);
        using var response = await client.GetAsync("/api/v1/me");
        return response.StatusCode;
    }

    [Fact]
    public async Task An_unknown_tenant_is_refused_until_registered_and_again_once_removed()
    {
        var tenant = "acme-" + Guid.NewGuid().ToString("N")[..6];
        var forged = SecurityProbes.RawToken(_server.DataDirectory, null, tenant, "Admin");

        var (mintExit, _, mintError) = await VerbAsync("token", "--user", "alice", "--role", "Admin", "--tenant", tenant);
        using var client = _server.Process.AuthorizedClient(forged);
        using var me = await client.GetAsync("/api/v1/me");
        var problem = await me.Content.ReadFromJsonAsync<JsonElement>();
        using var graphql = await client.PostAsJsonAsync("/graphql", new { query = "{ workOrders { totalCount } }" });
        var (ws, socket) = await SecurityProbes.InitAsync(_server.Process.BaseAddress, forged);
        socket.Dispose();

        Assert.NotEqual(0, mintExit);
        Assert.Contains("tenant add " + tenant, mintError);
        Assert.Equal(HttpStatusCode.Forbidden, me.StatusCode);
        Assert.Equal("application/problem+json", me.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Unknown tenant", problem.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, graphql.StatusCode);
        Assert.Equal("4403", ws);

        var (addExit, addOutput, _) = await VerbAsync("tenant", "add", tenant, "--name", "Acme Pumps");
        var (_, list, _) = await VerbAsync("tenant", "list");
        var minted = (await _server.TokenAsync("alice", "Admin", tenant));
        Assert.Equal(0, addExit);
        Assert.Contains("Registered tenant", addOutput);
        Assert.Contains(tenant + "\tAcme Pumps", list);
        Assert.Contains("default\t(configuration)", list);
        await Eventually.Until(async () => await MeAsync(minted) == HttpStatusCode.OK, TimeSpan.FromSeconds(10), "the new tenant is accepted");
        var again = await SecurityProbes.InitAsync(_server.Process.BaseAddress, minted);
        again.Socket.Dispose();
        Assert.Equal("ack", again.Outcome);

        var (removeExit, _, _) = await VerbAsync("tenant", "remove", tenant);
        Assert.Equal(0, removeExit);
        await Eventually.Until(async () => await MeAsync(minted) == HttpStatusCode.Forbidden, TimeSpan.FromSeconds(10), "the removed tenant is refused");
    }

    [Fact]
    public async Task Unknown_roles_missing_roles_and_bad_tokens_are_refused_with_a_problem_body()
    {
        var overlord = SecurityProbes.RawToken(_server.DataDirectory, null, "default", "Overlord");
        var mixed = SecurityProbes.RawToken(_server.DataDirectory, null, "default", "Dispatcher", "Root");
        var roleless = SecurityProbes.RawToken(_server.DataDirectory, null, "default");
        var (verbExit, _, verbError) = await VerbAsync("token", "--user", "x", "--role", "Overlord");

        Assert.Equal(HttpStatusCode.Forbidden, await MeAsync(overlord));
        Assert.Equal(HttpStatusCode.Forbidden, await MeAsync(mixed));
        Assert.Equal(HttpStatusCode.Forbidden, await MeAsync(roleless));
        Assert.NotEqual(0, verbExit);
        Assert.Contains("Unknown role", verbError);
        var (ws, socket) = await SecurityProbes.InitAsync(_server.Process.BaseAddress, overlord);
        socket.Dispose();
        Assert.Equal("4403", ws);

        using var garbage = _server.Process.AuthorizedClient("not.a.jwt");
        using var response = await garbage.PostAsJsonAsync("/graphql", new { query = "{ __typename }" });
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString());
    }
}
