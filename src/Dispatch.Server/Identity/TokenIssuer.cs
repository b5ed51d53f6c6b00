using System.Security.Claims;
using Dispatch.Domain.Common;
using Dispatch.Domain.Identity;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Dispatch.Server.Identity;

/// <summary>Mints tokens with the embedded signing key (the <c>token</c> verb, tests, the simulator).</summary>
public sealed class TokenIssuer(AuthOptions options, SecurityKey key, TimeProvider clock)
{
    public string Mint(string userId, IEnumerable<string> roles, string tenant = TenantKey.DefaultTenant,
        string? displayName = null, TimeSpan? lifetime = null)
    {
        if (string.IsNullOrWhiteSpace(userId))
        {
            throw new ArgumentException("A token needs a user.", nameof(userId));
        }

        if (!TenantKey.IsValidPart(tenant))
        {
            throw new ArgumentException($"'{tenant}' is not a valid tenant id.", nameof(tenant));
        }

        var claims = new List<Claim>
        {
            new(DispatchClaims.Subject, userId),
            new(DispatchClaims.Name, displayName ?? userId),
            new(DispatchClaims.Tenant, tenant),
        };
        claims.AddRange(roles.Select(r => new Claim(DispatchClaims.Role, Roles.Normalize(r))));

        var now = clock.GetUtcNow().UtcDateTime;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = options.Issuer,
            Audience = options.Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now,
            NotBefore = now,
            Expires = now + (lifetime ?? options.TokenLifetime),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }
}
