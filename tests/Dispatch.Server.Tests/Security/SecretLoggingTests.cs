using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Dispatch.Testing;
using Microsoft.AspNetCore.SignalR.Client;

namespace Dispatch.Server.Tests.Security;

/// <summary>
/// No secret reaches the logs: with every log category turned up to Trace, exercising the endpoints with tokens, device
/// keys (header and query string), bad tokens and wrong keys leaves no token, key, credential or signing key in the
/// server's output.
/// </summary>
public sealed class SecretLoggingTests : IAsyncLifetime
{
    private readonly EmbeddedServer _server = EmbeddedServer.InNewDirectory();

    public async ValueTask InitializeAsync()
    {
        _server.Environment = new Dictionary<string, string>
        {
            ["Logging__LogLevel__Default"] = "Trace",
            ["Logging__LogLevel__Microsoft"] = "Trace",
            // More specific than the server's own "Microsoft.AspNetCore: Warning" filter, so these really log.
            ["Logging__LogLevel__Microsoft.AspNetCore.Hosting"] = "Trace",
            ["Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics"] = "Trace", // pinned to Warning by the server: it logs query strings
            ["Logging__LogLevel__Microsoft.AspNetCore.Authentication"] = "Trace",
            ["Logging__LogLevel__Microsoft.AspNetCore.Authorization"] = "Trace",
            ["Logging__LogLevel__Microsoft.AspNetCore.Routing"] = "Trace",
            ["Logging__LogLevel__Microsoft.AspNetCore.Server.Kestrel"] = "Debug",
            ["Logging__LogLevel__Microsoft.AspNetCore.SignalR"] = "Trace",
            ["Logging__LogLevel__Microsoft.AspNetCore.Http.Connections"] = "Trace",
            ["Logging__LogLevel__Orleans"] = "Debug",
        };
        await _server.StartAsync();
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task Tokens_device_keys_and_the_signing_key_never_appear_in_the_output()
    {
        var admin = await _server.TokenAsync("ada", "Admin");
        using var client = _server.Process.AuthorizedClient(admin);
        var technician = "tech-" + Guid.NewGuid().ToString("N")[..8];
        await client.DataAsync("mutation($i: CreateTechnicianInput!) { createTechnician(input: $i) { id } }", new { i = new { id = technician, name = "Log Test", userId = "lt" } });
        var registered = (await client.DataAsync("mutation($t: ID!) { registerDevice(input: { technicianId: $t }) { key credential } }", new { t = technician }))
            .GetProperty("registerDevice");
        var key = registered.GetProperty("key").GetString()!;
        var credential = registered.GetProperty("credential").GetString()!;
        var fixes = new { fixes = new[] { new { lat = 29.7, lon = -95.3, timestamp = DateTimeOffset.UtcNow.ToString("O") } } };

        using (var device = new HttpClient { BaseAddress = _server.Process.BaseAddress })
        {
            device.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Device", credential);
            (await device.PostAsJsonAsync("/api/v1/locations", fixes)).Dispose();
            device.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Device", credential[..^3] + "zzz");
            (await device.PostAsJsonAsync("/api/v1/locations", fixes)).Dispose();
        }

        await using (var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(_server.Process.BaseAddress, "/hubs/tracking"), o => o.AccessTokenProvider = () => Task.FromResult<string?>("device:" + credential))
            .Build())
        {
            await hub.StartAsync();
            await hub.InvokeAsync<JsonElement>("SendFixes", new[] { new { lat = 29.71, lon = -95.31, timestamp = DateTimeOffset.UtcNow.ToString("O") } });
        }

        using (var browserLike = new HttpClient { BaseAddress = _server.Process.BaseAddress })
        {
            // What the SignalR JavaScript client does on WebSockets: the credential in the query string.
            (await browserLike.PostAsync($"/hubs/tracking/negotiate?negotiateVersion=1&access_token={Uri.EscapeDataString("device:" + credential)}", null)).Dispose();
            (await browserLike.PostAsync($"/hubs/tracking/negotiate?negotiateVersion=1&access_token={admin}", null)).Dispose();
        }

        using (var expired = _server.Process.AuthorizedClient(admin[..^4] + "AAAA"))
        {
            (await expired.PostAsJsonAsync("/graphql", new { query = "{ __typename }" })).Dispose();
        }

        var (ws, socket) = await SecurityProbes.InitAsync(_server.Process.BaseAddress, admin);
        socket.Dispose();
        Assert.Equal("ack", ws);
        (await client.PostAsync("{ workOrder(id: \"no such\") { id } }")).ToString();

        var signingKey = (await File.ReadAllTextAsync(Path.Combine(_server.DataDirectory, "signing-key"))).Trim();
        var output = _server.Process.Output;
        Assert.Contains("Microsoft.AspNetCore.Routing", output, StringComparison.Ordinal); // the levels were really turned up
        Assert.True(output.Length > 2000, "suspiciously little output:\n" + output);
        foreach (var (secret, what) in new[] { (admin, "user token"), (admin.Split('.')[2], "token signature"), (key, "device key"), (credential, "device credential"), (Uri.EscapeDataString(credential), "escaped device credential"), (signingKey, "signing key") })
        {
            Assert.False(output.Contains(secret, StringComparison.Ordinal), $"the {what} was logged");
        }
    }
}
