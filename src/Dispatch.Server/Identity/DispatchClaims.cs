using System.Security.Claims;
using Dispatch.Domain.Common;
using Dispatch.Domain.Identity;

namespace Dispatch.Server.Identity;

/// <summary>The claim names Dispatch reads from a token, and how a principal becomes an <see cref="Actor"/>.</summary>
public static class DispatchClaims
{
    public const string Subject = "sub";
    public const string Name = "name";
    public const string Role = "role";
    public const string Tenant = "tenant";

    /// <summary>The actor for a validated principal, or null when the token lacks what every command needs.</summary>
    public static Actor? ToActor(this ClaimsPrincipal principal)
    {
        if (principal.Identity?.IsAuthenticated != true)
        {
            return null;
        }

        var userId = principal.FindFirst(Subject)?.Value;
        var tenant = principal.FindFirst(Tenant)?.Value ?? TenantKey.DefaultTenant;
        if (string.IsNullOrEmpty(userId) || !TenantKey.IsValidPart(tenant))
        {
            return null;
        }

        var roles = principal.FindAll(Role).Select(c => c.Value).Where(Roles.IsKnown).Select(Roles.Normalize).ToArray();
        var name = principal.FindFirst(Name)?.Value ?? userId;
        return new Actor(userId, name, tenant, roles);
    }
}
