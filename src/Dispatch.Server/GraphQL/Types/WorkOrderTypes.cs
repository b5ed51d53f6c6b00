using Dispatch.Domain.Geo;
using Dispatch.Domain.WorkOrders;
using Dispatch.Server.GraphQL.Dispatching;
using GraphQL.Types;

namespace Dispatch.Server.GraphQL.Types;

public sealed class WorkOrderStatusEnum : EnumerationGraphType<WorkOrderStatus>
{
    public WorkOrderStatusEnum() => Name = "WorkOrderStatus";
}

public sealed class PriorityEnum : EnumerationGraphType<Priority>
{
    public PriorityEnum() => Name = "Priority";
}

public sealed class CustomerTierEnum : EnumerationGraphType<CustomerTier>
{
    public CustomerTierEnum() => Name = "CustomerTier";
}

public sealed class TimelineEntryKindEnum : EnumerationGraphType<TimelineEntryKind>
{
    public TimelineEntryKindEnum() => Name = "TimelineEntryKind";
}

public sealed class GeoPointType : ObjectGraphType<GeoPoint>
{
    public GeoPointType()
    {
        Name = "GeoPoint";
        Field(x => x.Latitude);
        Field(x => x.Longitude);
    }
}

public sealed class CustomerType : ObjectGraphType<Customer>
{
    public CustomerType()
    {
        Name = "Customer";
        Field(x => x.Name);
        Field(x => x.Tier, type: typeof(NonNullGraphType<CustomerTierEnum>));
        Field(x => x.Phone, nullable: true);
    }
}

public sealed class SiteType : ObjectGraphType<Site>
{
    public SiteType()
    {
        Name = "Site";
        Field(x => x.Address);
        Field<GeoPointType, GeoPoint?>("location").Resolve(c => c.Source.Location);
        Field(x => x.AccessNotes, nullable: true).Description("Gate codes, directions, customer preferences: shown in the technician's app.");
    }
}

public sealed class AssetType : ObjectGraphType<Asset>
{
    public AssetType()
    {
        Name = "Asset";
        Field(x => x.Make, nullable: true);
        Field(x => x.Model, nullable: true);
        Field(x => x.SerialNumber, nullable: true);
    }
}

public sealed class TimelineEntryType : ObjectGraphType<TimelineEntry>
{
    public TimelineEntryType()
    {
        Name = "TimelineEntry";
        Description = "One change in a work order's history: what, who and when.";
        Field(x => x.At);
        Field(x => x.ActorId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(x => x.ActorName);
        Field(x => x.Kind, type: typeof(NonNullGraphType<TimelineEntryKindEnum>));
        Field(x => x.Summary);
        Field(x => x.FromStatus, type: typeof(WorkOrderStatusEnum));
        Field(x => x.ToStatus, type: typeof(WorkOrderStatusEnum));
        Field(x => x.Note, nullable: true);
    }
}

public sealed class WorkOrderType : ObjectGraphType<WorkOrder>
{
    public WorkOrderType()
    {
        Name = "WorkOrder";
        Field(x => x.Id, type: typeof(NonNullGraphType<IdGraphType>));
        Field(x => x.Title);
        Field(x => x.Description, nullable: true);
        Field(x => x.Type, nullable: true);
        Field(x => x.Priority, type: typeof(NonNullGraphType<PriorityEnum>));
        Field(x => x.Status, type: typeof(NonNullGraphType<WorkOrderStatusEnum>));
        Field<NonNullGraphType<CustomerType>, Customer>("customer").Resolve(c => c.Source.Customer);
        Field<NonNullGraphType<SiteType>, Site>("site").Resolve(c => c.Source.Site);
        Field<AssetType, Asset?>("asset").Resolve(c => c.Source.Asset);
        Field(x => x.SlaDueAt, nullable: true);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>, IEnumerable<string>>("requiredSkills")
            .Resolve(c => c.Source.RequiredSkills);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>, IEnumerable<string>>("requiredCertifications")
            .Resolve(c => c.Source.RequiredCertifications);
        Field<NonNullGraphType<IntGraphType>, int>("estimatedDurationMinutes").Resolve(c => (int)c.Source.EstimatedDuration.TotalMinutes);
        Field(x => x.SpecialInstructions, nullable: true);
        Field(x => x.CreatedAt);
        Field(x => x.UpdatedAt);
        Field(x => x.StatusChangedAt);
        Field(x => x.Version).Description("Increases with every accepted change.");
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<TimelineEntryType>>>, IEnumerable<TimelineEntry>>("timeline")
            .Resolve(c => c.Source.Timeline);
        Field<AssignmentType, Assignment?>("assignment").Description("Who holds the work order now (primary first); null until dispatched or after unassigning.")
            .Resolve(c => c.Source.Assignment);
        Field<ScheduledVisitType, ScheduledVisit?>("visit").Description("The current (or last) visit: dispatch time, arrival window, booked time.")
            .Resolve(c => c.Source.Visit);
        Field<NonNullGraphType<BooleanGraphType>, bool>("dispatchPending").Description("A dispatch is scheduled and not yet sent.")
            .Resolve(c => DispatchRules.IsDispatchPending(c.Source));
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<AssignmentChangeType>>>, IEnumerable<AssignmentChange>>("assignmentHistory")
            .Description("The original assignment and every change since, oldest first.").Resolve(c => c.Source.AssignmentHistory);
        Field<PartsOrderType, PartsOrder?>("parts").Resolve(c => c.Source.Parts);
        Field(x => x.OnSiteSince, nullable: true);
        Field(x => x.OverrunAlertDueAt, nullable: true);
        Field(x => x.OverrunAlertedAt, nullable: true);
        Field<WorkOrderEtaType, WorkOrderEta?>("eta")
            .Description("Live ETA while En Route, from the primary technician's tracked position; null in other statuses or until a recent position is known.")
            .Resolve(c => c.Source.Eta);
    }
}

public sealed class WorkOrderEtaType : ObjectGraphType<WorkOrderEta>
{
    public WorkOrderEtaType()
    {
        Name = "WorkOrderEta";
        Description = "Estimated arrival of an En Route work order: great-circle distance times a road factor, at the technician's speed " +
            "when moving plausibly, else a default urban speed. Updated when it moves by a minute or more, or late risk flips.";
        Field<NonNullGraphType<DateTimeOffsetGraphType>, DateTimeOffset>("arrivesAt").Resolve(c => c.Source.ArrivesAt);
        Field<NonNullGraphType<FloatGraphType>, double>("distanceMeters").Description("Estimated road distance left; 0 once inside the site's geofence.")
            .Resolve(c => c.Source.DistanceMeters);
        Field<NonNullGraphType<DateTimeOffsetGraphType>, DateTimeOffset>("basedOnFixAt").Description("Timestamp of the position fix the estimate comes from.")
            .Resolve(c => c.Source.BasedOnFixAt);
        Field<NonNullGraphType<BooleanGraphType>, bool>("lateRisk").Description("The estimated arrival is after the end of the arrival window.")
            .Resolve(c => c.Source.LateRisk);
        Field<NonNullGraphType<BooleanGraphType>, bool>("arrived").Description("The technician's position is inside the site's geofence.")
            .Resolve(c => c.Source.Arrived);
        Field<NonNullGraphType<IdGraphType>, string>("technicianId").Description("Whose position: the primary technician.")
            .Resolve(c => c.Source.TechnicianId);
        Field<NonNullGraphType<DateTimeOffsetGraphType>, DateTimeOffset>("updatedAt").Resolve(c => c.Source.UpdatedAt);
    }
}
