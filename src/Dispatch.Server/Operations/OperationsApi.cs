using Dispatch.Domain.Common;
using Dispatch.Domain.Identity;
using Dispatch.Grains.WorkOrders;
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

        // The silos this silo sees as active, and which one answered: how an operator checks that instances joined one cluster.
        api.MapGet("/cluster", async (IGrainFactory grains, ILocalSiloDetails local) =>
        {
            var hosts = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
            return Results.Ok(new { self = local.SiloAddress.ToParsableString(), silos = hosts.Keys.Select(s => s.ToParsableString()).Order().ToArray() });
        }).RequireAuthorization(p => p.RequireRole(Roles.Admin));

        // Which silo holds a work order's activation right now (null when it is not in memory): for an operator chasing a
        // hot or stuck order, and for the failover tests, which kill the silo that holds scheduled dispatches.
        api.MapGet("/cluster/work-orders/{id}", async (string id, HttpContext http, IGrainFactory grains) =>
        {
            if (http.User.ToActor() is not { } actor || !TenantKey.IsValidPart(id))
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Give a valid work-order id.");
            }

            var grain = grains.GetGrain<IWorkOrderGrain>(TenantKey.Compose(actor.Tenant, id));
            var silo = await grains.GetGrain<IManagementGrain>(0).GetActivationAddress(grain);
            return Results.Ok(new { workOrderId = id, silo = silo?.ToParsableString() });
        }).RequireAuthorization(p => p.RequireRole(Roles.Admin));

        return app;
    }
}
