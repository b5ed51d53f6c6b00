using Dispatch.Domain.Common;
using Dispatch.Domain.Identity;

namespace Dispatch.Grains;

/// <summary>Checks every grain makes before it acts, whatever path the call came from.</summary>
internal static class GrainGuards
{
    /// <summary>Defence in depth: the API already scopes keys by the caller's tenant; a grain still refuses a stranger.</summary>
    public static void EnsureSameTenant(string grainTenant, Actor actor)
    {
        if (!string.Equals(grainTenant, actor.Tenant, StringComparison.Ordinal))
        {
            throw new DomainException(ErrorCodes.Forbidden, "This belongs to another tenant.");
        }
    }

    /// <summary>Office work: dispatchers and admins.</summary>
    public static void EnsureOffice(Actor actor, string what)
    {
        if (!actor.IsInRole(Roles.Dispatcher) && !actor.IsInRole(Roles.Admin))
        {
            throw new DomainException(ErrorCodes.Forbidden, $"Only dispatchers and admins may {what}.");
        }
    }
}
