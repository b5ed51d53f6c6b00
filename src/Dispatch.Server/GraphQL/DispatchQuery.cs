using Dispatch.Domain.Identity;
using Dispatch.Domain.Technicians;
using Dispatch.Domain.WorkOrders;
using Dispatch.Grains.Technicians;
using Dispatch.Grains.WorkOrders;
using Dispatch.Server.GraphQL.Types;
using Dispatch.Server.GraphQL.Access;
using GraphQL;
using GraphQL.Types;

namespace Dispatch.Server.GraphQL;

public sealed class DispatchQuery : ObjectGraphType
{
    public DispatchQuery(IGrainFactory grains)
    {
        Name = "Query";

        Field<WorkOrderType, WorkOrder?>("workOrder")
            .Allow(FieldAccess.Office, Roles.Technician)
            .Description("One work order of your tenant, or null. Technicians: only the work orders they are on (FORBIDDEN otherwise).")
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(async c => Ownership.EnsureMayRead(await grains.GetGrain<IWorkOrderGrain>(c.Actor().KeyFor(c.GetArgument<string>("id"))).Get(), c.Actor()));

        Field<TechnicianType, Technician?>("technician")
            .Allow(FieldAccess.Office, Roles.Technician)
            .Description("One technician of your tenant, or null. Technicians: only their own record.")
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(async c => Ownership.EnsureOwn(await grains.GetGrain<ITechnicianGrain>(c.Actor().KeyFor(c.GetArgument<string>("id"))).Get(), c.Actor()));

        Tracking.TrackingGraph.AddQueryFields(this);
        Dispatching.DispatchGraph.AddQueryFields(this);
    }
}
