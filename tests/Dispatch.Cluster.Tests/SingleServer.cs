using System.Net.Http.Headers;
using System.Security.Cryptography;
using Dispatch.Server.Identity;
using Dispatch.Testing;

namespace Dispatch.Cluster.Tests;

/// <summary>One embedded-mode server process with the Prometheus endpoint on and a known signing key, shared by a class.</summary>
public sealed class SingleServer : IAsyncLifetime
{
    private readonly TempDirectory _directory = TempDirectory.Create("dispatch-single");
    private TokenIssuer _issuer = null!;

    public ServerProcess Process { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var signingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var auth = new AuthOptions { SigningKey = signingKey };
        _issuer = new TokenIssuer(auth, SigningKeyStore.Load(auth, _directory.Path), TimeProvider.System);
        Process = ServerProcess.Start(_directory.Path,
            [$"--Dispatch:Storage:SiloPort={FreePort.Get()}", $"--Dispatch:Storage:GatewayPort={FreePort.Get()}"],
            new Dictionary<string, string> { ["Dispatch__Auth__SigningKey"] = signingKey, ["Dispatch__Metrics__Prometheus"] = "true" });
        await Process.WaitUntilReadyAsync(TimeSpan.FromSeconds(90));
    }

    public string Token(string user, string role, string tenant = "default") => _issuer.Mint(user, [role], tenant);

    /// <summary>A client that does not follow redirects or keep cookies: the tests look at both.</summary>
    public HttpClient Client(string? token = null)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = Process.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        if (Process is not null)
            await Process.DisposeAsync();
        _directory.Dispose();
    }
}
