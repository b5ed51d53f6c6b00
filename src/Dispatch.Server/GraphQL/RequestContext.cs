using Dispatch.Domain.Common;
using Dispatch.Domain.Identity;
using Dispatch.Server.Identity;
using GraphQL;

namespace Dispatch.Server.GraphQL;

/// <summary>What every resolver needs from the request: who is acting, and the grain key for an id in their tenant.</summary>
public static class RequestContext
{
    public const string Unauthenticated = "UNAUTHENTICATED";

    public static Actor Actor(this IResolveFieldContext context) =>
        context.User?.ToActor() ?? throw new ExecutionError("Sign in first: send a bearer token.") { Code = Unauthenticated };

    /// <summary>Ids from clients are always read inside the caller's own tenant; there is no way to name another's grain.</summary>
    public static string KeyFor(this Actor actor, string id)
    {
        if (!TenantKey.IsValidPart(id))
        {
            throw DomainException.Validation("id", $"'{id}' is not a valid id.");
        }

        return TenantKey.Compose(actor.Tenant, id);
    }

    public static string NewId(string prefix) => $"{prefix}-{Guid.CreateVersion7():N}";
}
