using Dispatch.Domain.Identity;
using Dispatch.Domain.Technicians;
using Dispatch.Domain.WorkOrders;
using Dispatch.Grains.Technicians;
using Dispatch.Grains.WorkOrders;
using Dispatch.Server.GraphQL.Inputs;
using Dispatch.Server.GraphQL.Types;
using Dispatch.Server.GraphQL.Access;
using GraphQL;
using GraphQL.Types;

namespace Dispatch.Server.GraphQL;

public sealed class DispatchMutation : ObjectGraphType
{
    public DispatchMutation(IGrainFactory grains)
    {
        Name = "Mutation";

        Field<NonNullGraphType<WorkOrderType>, WorkOrder>("createWorkOrder")
            .Allow(FieldAccess.Office)
            .Description("Opens a work order in status CREATED.")
            .Argument<NonNullGraphType<CreateWorkOrderInputType>>("input")
            .ResolveAsync(async c =>
            {
                var actor = c.Actor();
                var input = c.GetArgument<CreateWorkOrderInput>("input");
                var command = input.ToCommand();
                var id = input.Id ?? RequestContext.NewId("wo");
                return await grains.GetGrain<IWorkOrderGrain>(actor.KeyFor(id)).Create(command, actor);
            });

        Field<NonNullGraphType<WorkOrderType>, WorkOrder>("updateWorkOrderStatus")
            .Allow(FieldAccess.Office, Roles.Technician)
            .Description("Moves a work order through its lifecycle (AWAITING_PARTS needs parts); refused moves return INVALID_TRANSITION and change nothing. " +
                "Technicians move only their own work orders (FORBIDDEN otherwise).")
            .Argument<NonNullGraphType<UpdateWorkOrderStatusInputType>>("input")
            .ResolveAsync(async c =>
            {
                var actor = c.Actor();
                var input = c.GetArgument<UpdateWorkOrderStatusInput>("input");
                return await grains.GetGrain<IWorkOrderGrain>(actor.KeyFor(input.Id)).ChangeStatus(new StatusChange(input.Status, input.Note, input.Parts?.ToParts()), actor);
            });

        Field<NonNullGraphType<WorkOrderType>, WorkOrder>("addWorkOrderNote")
            .Allow(FieldAccess.Office, Roles.Technician)
            .Description("Adds a note to the work order's timeline.")
            .Argument<NonNullGraphType<AddWorkOrderNoteInputType>>("input")
            .ResolveAsync(async c =>
            {
                var actor = c.Actor();
                var input = c.GetArgument<AddWorkOrderNoteInput>("input");
                return await grains.GetGrain<IWorkOrderGrain>(actor.KeyFor(input.Id)).AddNote(input.Note, actor);
            });

        Field<NonNullGraphType<TechnicianType>, Technician>("createTechnician")
            .Allow(FieldAccess.Office)
            .Description("Adds a technician (field staff need the Field role to be dispatched).")
            .Argument<NonNullGraphType<CreateTechnicianInputType>>("input")
            .ResolveAsync(async c =>
            {
                var actor = c.Actor();
                var input = c.GetArgument<CreateTechnicianInput>("input");
                var command = input.ToCommand();
                var id = input.Id ?? RequestContext.NewId("tech");
                return await grains.GetGrain<ITechnicianGrain>(actor.KeyFor(id)).Create(command, actor);
            });

        Tracking.TrackingGraph.AddMutationFields(this);
        Dispatching.DispatchGraph.AddMutationFields(this);
    }
}
