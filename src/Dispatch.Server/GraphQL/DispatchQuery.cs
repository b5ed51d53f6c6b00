using Dispatch.Domain.Technicians;
using Dispatch.Domain.WorkOrders;
using Dispatch.Grains.Technicians;
using Dispatch.Grains.WorkOrders;
using Dispatch.Server.GraphQL.Types;
using GraphQL;
using GraphQL.Types;

namespace Dispatch.Server.GraphQL;

public sealed class DispatchQuery : ObjectGraphType
{
    public DispatchQuery(IGrainFactory grains)
    {
        Name = "Query";

        Field<WorkOrderType, WorkOrder?>("workOrder")
            .Description("One work order of your tenant, or null.")
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(async c => await grains.GetGrain<IWorkOrderGrain>(c.Actor().KeyFor(c.GetArgument<string>("id"))).Get());

        Field<TechnicianType, Technician?>("technician")
            .Description("One technician of your tenant, or null.")
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(async c => await grains.GetGrain<ITechnicianGrain>(c.Actor().KeyFor(c.GetArgument<string>("id"))).Get());

        Tracking.TrackingGraph.AddQueryFields(this);
        Dispatching.DispatchGraph.AddQueryFields(this);
    }
}
