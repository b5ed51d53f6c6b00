using System.Security.Claims;
using Dispatch.Server.Security;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Dispatch.Server.Identity;

/// <summary>
/// Validates a bearer token outside the HTTP pipeline (a WebSocket's <c>connection_init</c> payload, a SignalR query
/// string) with exactly the rules the JWT bearer handler uses for HTTP requests, including <see cref="IdentityGate"/>.
/// </summary>
public sealed class BearerTokenValidator(IOptionsMonitor<JwtBearerOptions> jwtOptions, IdentityGate gate)
{
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    public async ValueTask<ClaimsPrincipal?> ValidateAsync(string? token, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(token))
        {
            return null;
        }

        var options = jwtOptions.Get(JwtBearerDefaults.AuthenticationScheme);
        var parameters = options.TokenValidationParameters.Clone();
        if (options.ConfigurationManager is { } configurationManager)
        {
            // Authority mode: the signing keys come from the provider's discovery document (cached by the manager).
            var configuration = await configurationManager.GetConfigurationAsync(cancellationToken);
            parameters.IssuerSigningKeys = configuration.SigningKeys;
            parameters.ValidIssuer ??= configuration.Issuer;
        }

        var result = await _handler.ValidateTokenAsync(token, parameters);
        if (!result.IsValid)
        {
            return null;
        }

        var principal = new ClaimsPrincipal(result.ClaimsIdentity);
        return await gate.CheckAsync(principal, cancellationToken) is null ? principal : null;
    }

    /// <summary>Reads a token the ways graphql-ws clients send one: <c>token</c>, or an <c>Authorization: Bearer …</c> entry.</summary>
    public static string? TokenFromPayload(IReadOnlyDictionary<string, object?>? payload)
    {
        if (payload is null)
        {
            return null;
        }

        foreach (var (key, value) in payload)
        {
            var text = value?.ToString();
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            if (key.Equals("token", StringComparison.OrdinalIgnoreCase))
            {
                return text;
            }

            if (key.Equals("authorization", StringComparison.OrdinalIgnoreCase) && text.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                return text["Bearer ".Length..].Trim();
            }
        }

        return null;
    }
}
