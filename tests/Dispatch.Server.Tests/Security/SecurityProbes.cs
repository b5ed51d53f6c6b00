using System.Net.WebSockets;
using System.Security.Claims;
using System.Text;
using Dispatch.Server.Identity;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Dispatch.Server.Tests.Security;

/// <summary>Raw clients for the security tests: a graphql-transport-ws handshake, and tokens the token verb would never mint.</summary>
public static class SecurityProbes
{
    /// <summary>
    /// Opens a graphql-transport-ws socket and sends <c>connection_init</c> with the token. Returns "ack" when acknowledged,
    /// else the close code the server chose (e.g. "4403"); an acknowledged socket is handed back to keep open.
    /// </summary>
    public static async Task<(string Outcome, ClientWebSocket Socket)> InitAsync(Uri baseAddress, string token)
    {
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("graphql-transport-ws");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await socket.ConnectAsync(new Uri($"ws://{baseAddress.Authority}/graphql"), timeout.Token);
        var init = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new { type = "connection_init", payload = new { token } });
        await socket.SendAsync(init, WebSocketMessageType.Text, true, timeout.Token);
        var buffer = new byte[4096];
        var received = await socket.ReceiveAsync(buffer, timeout.Token);
        if (received.MessageType == WebSocketMessageType.Close)
        {
            return (((int?)socket.CloseStatus)?.ToString() ?? "closed", socket);
        }

        var text = Encoding.UTF8.GetString(buffer, 0, received.Count);
        return (text.Contains("connection_ack", StringComparison.Ordinal) ? "ack" : text, socket);
    }

    /// <summary>A token signed with the installation's key carrying whatever claims a test needs (unknown roles, tenants).</summary>
    public static string RawToken(string dataDirectory, string? signingKey, string tenant, params string[] roles)
    {
        var auth = new AuthOptions { SigningKey = signingKey };
        var key = SigningKeyStore.Load(auth, dataDirectory);
        var claims = new List<Claim> { new("sub", "mallory"), new("tenant", tenant) };
        claims.AddRange(roles.Select(r => new Claim("role", r)));
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = auth.Issuer,
            Audience = auth.Audience,
            Subject = new ClaimsIdentity(claims),
            Expires = DateTime.UtcNow.AddHours(1),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });
    }
}
