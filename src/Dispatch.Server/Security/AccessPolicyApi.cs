using Dispatch.Domain.Identity;
using Dispatch.Server.GraphQL.Access;
using Dispatch.Server.Tracking;
using GraphQL.Types;

namespace Dispatch.Server.Security;

/// <summary>
/// <c>GET /api/v1/access-policy</c> (admins): every GraphQL root field with the roles that may use it, and every other
/// endpoint with who may call it. The GraphQL part is read from the schema's own field metadata (what is enforced), so
/// the access matrix test enumerates exactly what the server checks; a field listed with no roles refuses everyone.
/// </summary>
public static class AccessPolicyApi
{
    public const string Path = "/api/v1/access-policy";

    /// <summary>Who may call the endpoints outside GraphQL. "device" means a device key; "anyone" means no credential.</summary>
    public static readonly IReadOnlyList<EndpointAccess> Endpoints =
    [
        new("GET", "/health/live", ["anyone"], "liveness"),
        new("GET", "/health/ready", ["anyone"], "readiness"),
        new("GET", "/api/v1/me", [.. Roles.UserRoles], "who the token says you are"),
        new("GET", "/api/v1/cluster", [Roles.Admin], "active silos"),
        new("GET", "/api/v1/tracking/stats", [Roles.Admin], "live fan-out statistics"),
        new("GET", Path, [Roles.Admin], "this list"),
        new("POST", "/api/v1/locations", ["device"], "fixes for the device's bound technician only"),
        new("GET,POST", "/osmand", ["device"], "OsmAnd fixes for the registered device's bound technician only"),
        new("HUB", TrackingSetup.HubPath + "#SendFixes", ["device"], "fixes for the device's bound technician only"),
        new("HUB", TrackingSetup.HubPath + "#WatchTechnicians", FieldAccess.Office, "live positions in the caller's tenant"),
        new("HUB", TrackingSetup.HubPath + "#WatchBoundingBox", FieldAccess.Office, "live positions in the caller's tenant"),
        new("HUB", TrackingSetup.HubPath + "#Unwatch", [.. Roles.UserRoles], "stops the caller's own watch"),
    ];

    public static IEndpointRouteBuilder MapAccessPolicy(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, (ISchema schema) => Results.Ok(new
        {
            graphql = FieldAccess.Describe(schema).Select(f => new
            {
                operation = f.Operation,
                field = f.Field,
                roles = f.Policy?.Roles ?? [],
                ownOnly = f.Policy?.OwnOnly ?? [],
            }),
            endpoints = Endpoints,
        })).RequireAuthorization(p => p.RequireRole(Roles.Admin));
        return app;
    }
}

/// <summary>One non-GraphQL endpoint (or hub method) and who may call it.</summary>
public sealed record EndpointAccess(string Method, string Path, IReadOnlyList<string> Roles, string Scope);
