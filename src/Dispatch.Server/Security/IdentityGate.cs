using System.Security.Claims;
using Dispatch.Domain.Common;
using Dispatch.Domain.Identity;
using Dispatch.Server.Identity;

namespace Dispatch.Server.Security;

/// <summary>Why a correctly signed token is still refused: status for HTTP (403), and a message for the problem body.</summary>
public sealed record TokenRefusal(int StatusCode, string Title, string Detail);

/// <summary>
/// What a validated token must also satisfy, checked in one place for HTTP requests (the JWT bearer handler's
/// <c>OnTokenValidated</c>), WebSocket <c>connection_init</c> and SignalR query-string tokens: a subject, only roles this
/// platform knows (at least one), and a registered tenant.
/// </summary>
public sealed class IdentityGate(TenantDirectory tenants)
{
    public async ValueTask<TokenRefusal?> CheckAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(principal.FindFirst(DispatchClaims.Subject)?.Value))
        {
            return Forbidden("The token has no subject.");
        }

        var roles = principal.FindAll(DispatchClaims.Role).Select(c => c.Value).ToList();
        if (roles.Count == 0)
        {
            return Forbidden("The token carries no role.");
        }

        if (roles.FirstOrDefault(r => !Roles.IsKnown(r)) is { } unknown)
        {
            return Forbidden($"Unknown role '{Shorten(unknown)}'. Known roles: {string.Join(", ", Roles.UserRoles)}.");
        }

        var tenant = principal.FindFirst(DispatchClaims.Tenant)?.Value ?? TenantKey.DefaultTenant;
        if (!TenantKey.IsValidPart(tenant) || !await tenants.IsKnownAsync(tenant, cancellationToken))
        {
            return Forbidden($"Unknown tenant '{Shorten(tenant)}': it is not registered here (operators: the 'tenant add' verb).");
        }

        return null;
    }

    private static TokenRefusal Forbidden(string detail) => new(StatusCodes.Status403Forbidden, "The token is not accepted here.", detail);

    // Claims come from outside; never echo an unbounded value into a response or log line.
    private static string Shorten(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
