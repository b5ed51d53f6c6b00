using Dispatch.Domain.Identity;
using Dispatch.Server.Identity;

namespace Dispatch.Server.Operations;

/// <summary>Small endpoints for operators and clients to check who they are and what the cluster looks like.</summary>
public static class OperationsApi
{
    public static IEndpointRouteBuilder MapOperationsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").RequireAuthorization();

        // "Who am I": lets a client (and an operator with a fresh token) see the identity the server derived from a token.
        api.MapGet("/me", (HttpContext http) => http.User.ToActor() is { } actor
            ? Results.Ok(new { actor.UserId, actor.DisplayName, actor.Tenant, actor.Roles })
            : Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "The token lacks a subject or a valid tenant."));

        // The silos this silo sees as active: how an operator checks that instances joined one cluster.
        api.MapGet("/cluster", async (IGrainFactory grains) =>
        {
            var hosts = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
            return Results.Ok(new { silos = hosts.Keys.Select(s => s.ToParsableString()).Order().ToArray() });
        }).RequireAuthorization(p => p.RequireRole(Roles.Admin));

        return app;
    }
}
