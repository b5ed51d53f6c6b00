using Dispatch.Domain.Geo;
using Dispatch.Domain.Identity;
using Dispatch.Domain.Matching;
using Dispatch.Domain.Scheduling;
using Dispatch.Domain.Technicians;
using Dispatch.Domain.WorkOrders;
using Dispatch.Grains.ReadModel;
using Dispatch.Server.GraphQL.Types;
using GraphQL;
using GraphQL.Types;

namespace Dispatch.Server.GraphQL.Dispatching;

public sealed class DispatchOutcomeEnum : EnumerationGraphType<DispatchOutcome> { public DispatchOutcomeEnum() => Name = "DispatchOutcome"; }
public sealed class ScheduleConflictKindEnum : EnumerationGraphType<ScheduleConflictKind> { public ScheduleConflictKindEnum() => Name = "ScheduleConflictKind"; }
public sealed class AssignmentRoleEnum : EnumerationGraphType<AssignmentRole> { public AssignmentRoleEnum() => Name = "AssignmentRole"; }
public sealed class AssignmentChangeKindEnum : EnumerationGraphType<AssignmentChangeKind> { public AssignmentChangeKindEnum() => Name = "AssignmentChangeKind"; }
public sealed class BookingKindEnum : EnumerationGraphType<BookingKind> { public BookingKindEnum() => Name = "BookingKind"; }
public sealed class AvailabilityKindEnum : EnumerationGraphType<AvailabilityKind> { public AvailabilityKindEnum() => Name = "AvailabilityKind"; }
public sealed class MatchExclusionKindEnum : EnumerationGraphType<MatchExclusionKind> { public MatchExclusionKindEnum() => Name = "MatchExclusionKind"; }
public sealed class TravelOriginEnum : EnumerationGraphType<TravelOrigin> { public TravelOriginEnum() => Name = "TravelOrigin"; }
public sealed class BatchItemStatusEnum : EnumerationGraphType<BatchItemStatus> { public BatchItemStatusEnum() => Name = "BatchItemStatus"; }
public sealed class WorkOrderChangeKindEnum : EnumerationGraphType<WorkOrderChangeKind> { public WorkOrderChangeKindEnum() => Name = "WorkOrderChangeKind"; }
public sealed class TechnicianNotificationKindEnum : EnumerationGraphType<TechnicianNotificationKind> { public TechnicianNotificationKindEnum() => Name = "TechnicianNotificationKind"; }
public sealed class DayOfWeekEnum : EnumerationGraphType<DayOfWeek> { public DayOfWeekEnum() => Name = "DayOfWeek"; }
public sealed class WorkOrderSortFieldEnum : EnumerationGraphType<WorkOrderSortField> { public WorkOrderSortFieldEnum() => Name = "WorkOrderSortField"; }

public sealed class TimeWindowType : ObjectGraphType<TimeWindow>
{
    public TimeWindowType()
    {
        Name = "TimeWindow";
        Description = "A half-open span [start, end) in UTC.";
        Field<NonNullGraphType<DateTimeOffsetGraphType>, DateTimeOffset>("start").Resolve(c => c.Source.Start);
        Field<NonNullGraphType<DateTimeOffsetGraphType>, DateTimeOffset>("end").Resolve(c => c.Source.End);
        Field<NonNullGraphType<IntGraphType>, int>("durationMinutes").Resolve(c => (int)c.Source.Duration.TotalMinutes);
    }
}

public sealed class AvailabilityBlockType : ObjectGraphType<AvailabilityBlock>
{
    public AvailabilityBlockType()
    {
        Name = "AvailabilityBlock";
        Description = "Time off, training or other absence; ON_CALL is availability, not absence.";
        Field<NonNullGraphType<IdGraphType>, string>("id").Resolve(c => c.Source.Id);
        Field<NonNullGraphType<AvailabilityKindEnum>, AvailabilityKind>("kind").Resolve(c => c.Source.Kind);
        Field<NonNullGraphType<TimeWindowType>, TimeWindow>("window").Resolve(c => c.Source.Window);
        Field<StringGraphType, string?>("note").Resolve(c => c.Source.Note);
    }
}

public sealed class ScheduleConflictType : ObjectGraphType<ScheduleConflict>
{
    public ScheduleConflictType()
    {
        Name = "ScheduleConflict";
        Description = "One reason a proposed visit does not fit a technician's schedule.";
        Field<NonNullGraphType<ScheduleConflictKindEnum>, ScheduleConflictKind>("kind").Resolve(c => c.Source.Kind);
        Field<NonNullGraphType<TimeWindowType>, TimeWindow>("window").Resolve(c => c.Source.Window);
        Field<NonNullGraphType<StringGraphType>, string>("description").Resolve(c => c.Source.Description);
        Field<IdGraphType, string?>("workOrderId").Description("The other work order (overlap and travel conflicts).").Resolve(c => c.Source.WorkOrderId);
        Field<AvailabilityBlockType, AvailabilityBlock?>("block").Resolve(c => c.Source.Block);
        Field<IntGraphType, int?>("neededMinutes").Resolve(c => Minutes(c.Source.Needed));
        Field<IntGraphType, int?>("availableMinutes").Resolve(c => Minutes(c.Source.Available));
        Field<NonNullGraphType<BooleanGraphType>, bool>("isCapacity").Resolve(c => c.Source.IsCapacity);
    }

    internal static int? Minutes(TimeSpan? span) => span is { } s ? (int)Math.Ceiling(s.TotalMinutes) : null;
}

public sealed class TechnicianConflictsType : ObjectGraphType<TechnicianConflicts>
{
    public TechnicianConflictsType()
    {
        Name = "TechnicianConflicts";
        Field<NonNullGraphType<IdGraphType>, string>("technicianId").Resolve(c => c.Source.TechnicianId);
        Field<NonNullGraphType<StringGraphType>, string>("technicianName").Resolve(c => c.Source.TechnicianName);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<ScheduleConflictType>>>, IEnumerable<ScheduleConflict>>("conflicts").Resolve(c => c.Source.Conflicts);
    }
}

public sealed class DispatchPayloadType : ObjectGraphType<DispatchResult>
{
    public DispatchPayloadType()
    {
        Name = "DispatchPayload";
        Description = "CONFLICTS: nothing changed, conflicts lists every conflicting appointment (and the response carries a SCHEDULE_CONFLICT error). " +
            "Otherwise conflicts lists what was overridden.";
        Field<NonNullGraphType<DispatchOutcomeEnum>, DispatchOutcome>("outcome").Resolve(c => c.Source.Outcome);
        Field<NonNullGraphType<WorkOrderType>, WorkOrder>("workOrder").Resolve(c => c.Source.WorkOrder);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<TechnicianConflictsType>>>, IEnumerable<TechnicianConflicts>>("conflicts").Resolve(c => c.Source.Conflicts);
    }
}

public sealed class BatchDispatchItemResultType : ObjectGraphType<BatchDispatchItemResult>
{
    public BatchDispatchItemResultType()
    {
        Name = "BatchDispatchItemResult";
        Field<NonNullGraphType<IdGraphType>, string>("workOrderId").Resolve(c => c.Source.WorkOrderId);
        Field<NonNullGraphType<BatchItemStatusEnum>, BatchItemStatus>("status").Resolve(c => c.Source.Status);
        Field<WorkOrderType, WorkOrder?>("workOrder").Resolve(c => c.Source.WorkOrder);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<TechnicianConflictsType>>>, IEnumerable<TechnicianConflicts>>("conflicts").Resolve(c => c.Source.Conflicts);
        Field<StringGraphType, string?>("errorCode").Resolve(c => c.Source.ErrorCode);
        Field<StringGraphType, string?>("errorMessage").Resolve(c => c.Source.ErrorMessage);
    }
}

public sealed class BatchDispatchPayloadType : ObjectGraphType<BatchDispatchResult>
{
    public BatchDispatchPayloadType()
    {
        Name = "BatchDispatchPayload";
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<BatchDispatchItemResultType>>>, IEnumerable<BatchDispatchItemResult>>("items").Resolve(c => c.Source.Items);
        Field<NonNullGraphType<IntGraphType>, int>("succeeded").Resolve(c => c.Source.Succeeded);
    }
}

public sealed class AssignedTechnicianType : ObjectGraphType<AssignedTechnician>
{
    public AssignedTechnicianType()
    {
        Name = "AssignedTechnician";
        Field<NonNullGraphType<IdGraphType>, string>("technicianId").Resolve(c => c.Source.TechnicianId);
        Field<NonNullGraphType<StringGraphType>, string>("name").Resolve(c => c.Source.Name);
        Field<NonNullGraphType<AssignmentRoleEnum>, AssignmentRole>("role").Resolve(c => c.Source.Role);
        Field<IdGraphType, string?>("userId").Resolve(c => c.Source.UserId);
        Field<TechnicianType, object?>("technician").Description("The full technician (loaded in batch).")
            .Resolve(c => DispatchGraph.TechnicianLoader(c).Load(c.Source.TechnicianId));
    }
}

public sealed class AssignmentType : ObjectGraphType<Assignment>
{
    public AssignmentType()
    {
        Name = "Assignment";
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<AssignedTechnicianType>>>, IEnumerable<AssignedTechnician>>("technicians")
            .Description("Primary first.").Resolve(c => c.Source.Technicians)
            // At most 10 technicians, usually one or two: the default list multiplier (5) overprices pages of work orders.
            .WithComplexityImpact(1, 2);
        Field<NonNullGraphType<AssignedTechnicianType>, AssignedTechnician>("primary").Resolve(c => c.Source.GetPrimary());
    }
}

public sealed class ScheduledVisitType : ObjectGraphType<ScheduledVisit>
{
    public ScheduledVisitType()
    {
        Name = "Visit";
        Field<NonNullGraphType<IntGraphType>, int>("number").Resolve(c => c.Source.Number);
        Field<NonNullGraphType<DateTimeOffsetGraphType>, DateTimeOffset>("sendAt").Resolve(c => c.Source.SendAt);
        Field<DateTimeOffsetGraphType, DateTimeOffset?>("sentAt").Resolve(c => c.Source.SentAt);
        Field<NonNullGraphType<TimeWindowType>, TimeWindow>("arrivalWindow").Resolve(c => c.Source.ArrivalWindow);
        Field<NonNullGraphType<TimeWindowType>, TimeWindow>("bookedWindow").Resolve(c => c.Source.BookedWindow);
        Field<NonNullGraphType<IntGraphType>, int>("estimatedDurationMinutes").Resolve(c => (int)c.Source.EstimatedDuration.TotalMinutes);
        Field<StringGraphType, string?>("notes").Resolve(c => c.Source.Notes);
    }
}

public sealed class AssignmentChangeType : ObjectGraphType<AssignmentChange>
{
    public AssignmentChangeType()
    {
        Name = "AssignmentChange";
        Field<NonNullGraphType<DateTimeOffsetGraphType>, DateTimeOffset>("at").Resolve(c => c.Source.At);
        Field<NonNullGraphType<IdGraphType>, string>("actorId").Resolve(c => c.Source.ActorId);
        Field<NonNullGraphType<StringGraphType>, string>("actorName").Resolve(c => c.Source.ActorName);
        Field<NonNullGraphType<AssignmentChangeKindEnum>, AssignmentChangeKind>("kind").Resolve(c => c.Source.Kind);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<AssignedTechnicianType>>>, IEnumerable<AssignedTechnician>>("from").Resolve(c => c.Source.From);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<AssignedTechnicianType>>>, IEnumerable<AssignedTechnician>>("to").Resolve(c => c.Source.To);
        Field<StringGraphType, string?>("reason").Resolve(c => c.Source.Reason);
    }
}

public sealed class PartsOrderType : ObjectGraphType<PartsOrder>
{
    public PartsOrderType()
    {
        Name = "PartsOrder";
        Field<NonNullGraphType<StringGraphType>, string>("supplier").Resolve(c => c.Source.Supplier);
        Field<StringGraphType, string?>("trackingNumber").Resolve(c => c.Source.TrackingNumber);
        Field<DateTimeOffsetGraphType, DateTimeOffset?>("expectedAt").Resolve(c => c.Source.ExpectedAt);
        Field<StringGraphType, string?>("note").Resolve(c => c.Source.Note);
    }
}

public sealed class BookingType : ObjectGraphType<Booking>
{
    public BookingType()
    {
        Name = "Booking";
        Description = "Time on a technician's calendar committed to one work order.";
        Field<NonNullGraphType<IdGraphType>, string>("workOrderId").Resolve(c => c.Source.WorkOrderId);
        Field<NonNullGraphType<TimeWindowType>, TimeWindow>("window").Resolve(c => c.Source.Window);
        Field<NonNullGraphType<BookingKindEnum>, BookingKind>("kind").Resolve(c => c.Source.Kind);
        Field<GeoPointType, GeoPoint?>("site").Resolve(c => c.Source.Site);
        Field<WorkOrderType, object?>("workOrder").Description("The booked work order (loaded in batch).")
            .Resolve(c => DispatchGraph.WorkOrderLoader(c).Load(c.Source.WorkOrderId));
    }
}

public sealed class WorkingShiftType : ObjectGraphType<WorkingShift>
{
    public WorkingShiftType()
    {
        Name = "WorkingShift";
        Description = "A weekly shift in the technician's local time; an end at or before the start runs into the next day.";
        Field<NonNullGraphType<DayOfWeekEnum>, DayOfWeek>("day").Resolve(c => c.Source.Day);
        Field<NonNullGraphType<StringGraphType>, string>("start").Description("HH:mm local.").Resolve(c => c.Source.Start.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture));
        Field<NonNullGraphType<StringGraphType>, string>("end").Description("HH:mm local.").Resolve(c => c.Source.End.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture));
    }
}

public sealed class TechnicianCapacityType : ObjectGraphType<TechnicianCapacity>
{
    public TechnicianCapacityType()
    {
        Name = "TechnicianCapacity";
        Description = "Null limits mean no limit.";
        Field<IntGraphType, int?>("maxActiveWorkOrders").Resolve(c => c.Source.MaxActiveWorkOrders);
        Field<IntGraphType, int?>("maxBookedMinutesPerDay").Resolve(c => ScheduleConflictType.Minutes(c.Source.MaxBookedTimePerDay));
    }
}

public sealed class TechnicianPositionType : ObjectGraphType<TechnicianPosition>
{
    public TechnicianPositionType()
    {
        Name = "TechnicianPosition";
        Field<NonNullGraphType<GeoPointType>, GeoPoint>("point").Resolve(c => c.Source.Point);
        Field<NonNullGraphType<DateTimeOffsetGraphType>, DateTimeOffset>("at").Resolve(c => c.Source.At);
    }
}

public sealed class TechnicianScheduleType : ObjectGraphType<TechnicianScheduleView>
{
    public TechnicianScheduleType()
    {
        Name = "TechnicianSchedule";
        Description = "A technician's calendar: hours, limits, bookings and absences in the range, current work.";
        Field<NonNullGraphType<IdGraphType>, string>("technicianId").Resolve(c => c.Source.TechnicianId);
        Field<TechnicianType, object?>("technician").Resolve(c => DispatchGraph.TechnicianLoader(c).Load(c.Source.TechnicianId));
        Field<NonNullGraphType<StringGraphType>, string>("timeZoneId").Resolve(c => c.Source.TimeZoneId);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<WorkingShiftType>>>, IEnumerable<WorkingShift>>("workingHours").Resolve(c => c.Source.WorkingHours);
        Field<NonNullGraphType<TechnicianCapacityType>, TechnicianCapacity>("capacity").Resolve(c => c.Source.Capacity);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<BookingType>>>, IEnumerable<Booking>>("bookings").Resolve(c => c.Source.Bookings);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<AvailabilityBlockType>>>, IEnumerable<AvailabilityBlock>>("availabilityBlocks").Resolve(c => c.Source.AvailabilityBlocks);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<IdGraphType>>>, IEnumerable<string>>("activeWorkOrderIds").Resolve(c => c.Source.ActiveWorkOrderIds);
        Field<TechnicianPositionType, TechnicianPosition?>("location").Resolve(c => c.Source.Location);
    }
}

public sealed class AvailabilityChangeType : ObjectGraphType<AvailabilityChange>
{
    public AvailabilityChangeType()
    {
        Name = "AvailabilityChangePayload";
        Field<NonNullGraphType<TechnicianScheduleType>, TechnicianScheduleView>("schedule").Resolve(c => c.Source.Schedule);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<BookingType>>>, IEnumerable<Booking>>("affectedBookings")
            .Description("Bookings that now conflict with the block: reassign them.").Resolve(c => c.Source.AffectedBookings);
    }
}

public sealed class MatchExclusionType : ObjectGraphType<MatchExclusion>
{
    public MatchExclusionType()
    {
        Name = "MatchExclusion";
        Field<NonNullGraphType<MatchExclusionKindEnum>, MatchExclusionKind>("kind").Resolve(c => c.Source.Kind);
        Field<NonNullGraphType<StringGraphType>, string>("reason").Resolve(c => c.Source.Reason);
    }
}

public sealed class MatchScoresType : ObjectGraphType<MatchScores>
{
    public MatchScoresType()
    {
        Name = "MatchScores";
        Description = "Each component between 0 (worst) and 1 (best).";
        Field<NonNullGraphType<FloatGraphType>, double>("travel").Resolve(c => c.Source.Travel);
        Field<NonNullGraphType<FloatGraphType>, double>("availability").Resolve(c => c.Source.Availability);
        Field<NonNullGraphType<FloatGraphType>, double>("skills").Resolve(c => c.Source.Skills);
        Field<NonNullGraphType<FloatGraphType>, double>("workload").Resolve(c => c.Source.Workload);
    }
}

public sealed class MatchResultType : ObjectGraphType<MatchResult>
{
    public MatchResultType()
    {
        Name = "TechnicianMatch";
        Field<NonNullGraphType<IdGraphType>, string>("technicianId").Resolve(c => c.Source.TechnicianId);
        Field<NonNullGraphType<StringGraphType>, string>("technicianName").Resolve(c => c.Source.TechnicianName);
        Field<TechnicianType, object?>("technician").Resolve(c => DispatchGraph.TechnicianLoader(c).Load(c.Source.TechnicianId));
        Field<NonNullGraphType<MatchScoresType>, MatchScores>("scores").Resolve(c => c.Source.Scores);
        Field<NonNullGraphType<FloatGraphType>, double>("total").Description("0-100; 0 when excluded.").Resolve(c => c.Source.Total);
        Field<IntGraphType, int?>("travelTimeMinutes").Resolve(c => ScheduleConflictType.Minutes(c.Source.TravelTime));
        Field<NonNullGraphType<TravelOriginEnum>, TravelOrigin>("travelOrigin").Resolve(c => c.Source.TravelOrigin);
        Field<TimeWindowType, TimeWindow?>("freeTime").Resolve(c => c.Source.FreeTime);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<MatchExclusionType>>>, IEnumerable<MatchExclusion>>("exclusions").Resolve(c => c.Source.Exclusions);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<ScheduleConflictType>>>, IEnumerable<ScheduleConflict>>("conflicts").Resolve(c => c.Source.Conflicts);
        Field<NonNullGraphType<StringGraphType>, string>("reason").Resolve(c => c.Source.Reason);
    }
}

public sealed class TechnicianSuggestionsType : ObjectGraphType<TechnicianSuggestions>
{
    public TechnicianSuggestionsType()
    {
        Name = "TechnicianSuggestions";
        Field<NonNullGraphType<IdGraphType>, string>("workOrderId").Resolve(c => c.Source.WorkOrderId);
        Field<NonNullGraphType<TimeWindowType>, TimeWindow>("window").Resolve(c => c.Source.Window);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<MatchResultType>>>, IEnumerable<MatchResult>>("ranked").Description("Best first.").Resolve(c => c.Source.Ranked);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<MatchResultType>>>, IEnumerable<MatchResult>>("excluded")
            .Description("The nearest ruled-out technicians with every reason.").Resolve(c => c.Source.Excluded);
        Field<NonNullGraphType<IntGraphType>, int>("excludedCount").Resolve(c => c.Source.ExcludedCount);
        Field<NonNullGraphType<IntGraphType>, int>("considered").Resolve(c => c.Source.Considered);
        Field<NonNullGraphType<IntGraphType>, int>("indexedTechnicians").Resolve(c => c.Source.IndexedTechnicians);
        Field<FloatGraphType, double?>("searchRadiusKm").Resolve(c => c.Source.SearchRadiusKm);
    }
}

public sealed class TechnicianPickerRowType : ObjectGraphType<TechnicianPickerRow>
{
    public TechnicianPickerRowType()
    {
        Name = "TechnicianPickerRow";
        Description = "available = green (the window fits); otherwise conflicts lists every conflicting appointment (red).";
        Field<NonNullGraphType<IdGraphType>, string>("technicianId").Resolve(c => c.Source.TechnicianId);
        Field<NonNullGraphType<StringGraphType>, string>("name").Resolve(c => c.Source.Name);
        Field<NonNullGraphType<BooleanGraphType>, bool>("active").Resolve(c => c.Source.IsActive);
        Field<NonNullGraphType<BooleanGraphType>, bool>("isField").Resolve(c => c.Source.IsField);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>, IEnumerable<string>>("skills").Resolve(c => c.Source.Skills);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<CertificationType>>>, IEnumerable<Certification>>("certifications").Resolve(c => c.Source.Certifications);
        Field<GeoPointType, GeoPoint?>("currentLocation").Resolve(c => c.Source.CurrentLocation);
        Field<DateTimeOffsetGraphType, DateTimeOffset?>("currentLocationAt").Resolve(c => c.Source.CurrentLocationAt);
        Field<GeoPointType, GeoPoint?>("homeBase").Resolve(c => c.Source.HomeBase);
        Field<NonNullGraphType<IntGraphType>, int>("activeWorkOrders").Resolve(c => c.Source.ActiveWorkOrders);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<BookingType>>>, IEnumerable<Booking>>("daySchedule").Resolve(c => c.Source.DaySchedule);
        Field<NonNullGraphType<BooleanGraphType>, bool>("available").Resolve(c => c.Source.Available);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<ScheduleConflictType>>>, IEnumerable<ScheduleConflict>>("conflicts").Resolve(c => c.Source.Conflicts);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<MatchExclusionType>>>, IEnumerable<MatchExclusion>>("exclusions").Resolve(c => c.Source.Exclusions);
        Field<IntGraphType, int?>("travelTimeMinutes").Resolve(c => ScheduleConflictType.Minutes(c.Source.TravelTime));
        Field<NonNullGraphType<TravelOriginEnum>, TravelOrigin>("travelOrigin").Resolve(c => c.Source.TravelOrigin);
        Field<NonNullGraphType<FloatGraphType>, double>("score").Resolve(c => c.Source.Score);
        Field<NonNullGraphType<StringGraphType>, string>("reason").Resolve(c => c.Source.Reason);
    }
}

public sealed class TechnicianPickerType : ObjectGraphType<TechnicianPicker>
{
    public TechnicianPickerType()
    {
        Name = "TechnicianPicker";
        Field<NonNullGraphType<IdGraphType>, string>("workOrderId").Resolve(c => c.Source.WorkOrderId);
        Field<NonNullGraphType<TimeWindowType>, TimeWindow>("window").Resolve(c => c.Source.Window);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<TechnicianPickerRowType>>>, IEnumerable<TechnicianPickerRow>>("technicians").Resolve(c => c.Source.Technicians);
        Field<NonNullGraphType<IntGraphType>, int>("totalTechnicians").Resolve(c => c.Source.TotalTechnicians);
    }
}

public sealed class ActorType : ObjectGraphType<Actor>
{
    public ActorType()
    {
        Name = "Actor";
        Field<NonNullGraphType<IdGraphType>, string>("userId").Resolve(c => c.Source.UserId);
        Field<NonNullGraphType<StringGraphType>, string>("displayName").Resolve(c => c.Source.DisplayName);
    }
}

public sealed class TechnicianNotificationType : ObjectGraphType<TechnicianNotification>
{
    public TechnicianNotificationType()
    {
        Name = "TechnicianNotification";
        Field<NonNullGraphType<TechnicianNotificationKindEnum>, TechnicianNotificationKind>("kind").Resolve(c => c.Source.Kind);
        Field<NonNullGraphType<IdGraphType>, string>("technicianId").Resolve(c => c.Source.TechnicianId);
        Field<NonNullGraphType<StringGraphType>, string>("technicianName").Resolve(c => c.Source.TechnicianName);
        Field<NonNullGraphType<IdGraphType>, string>("workOrderId").Resolve(c => c.Source.WorkOrderId);
        Field<NonNullGraphType<StringGraphType>, string>("message").Resolve(c => c.Source.Message);
        Field<IdGraphType, string?>("otherTechnicianId").Resolve(c => c.Source.OtherTechnicianId);
        Field<StringGraphType, string?>("otherTechnicianName").Resolve(c => c.Source.OtherTechnicianName);
    }
}

public sealed class WorkOrderEventType : ObjectGraphType<WorkOrderChanged>
{
    public WorkOrderEventType()
    {
        Name = "WorkOrderEvent";
        Description = "One accepted change to a work order, with the snapshot after it.";
        Field<NonNullGraphType<WorkOrderChangeKindEnum>, WorkOrderChangeKind>("kind").Resolve(c => c.Source.Kind);
        Field<NonNullGraphType<IdGraphType>, string>("workOrderId").Resolve(c => c.Source.WorkOrderId);
        Field<NonNullGraphType<LongGraphType>, long>("version").Resolve(c => c.Source.Version);
        Field<NonNullGraphType<DateTimeOffsetGraphType>, DateTimeOffset>("at").Resolve(c => c.Source.At);
        Field<NonNullGraphType<ActorType>, Actor>("actor").Resolve(c => c.Source.Actor);
        Field<NonNullGraphType<WorkOrderType>, WorkOrder>("workOrder").Resolve(c => c.Source.WorkOrder);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<TechnicianNotificationType>>>, IEnumerable<TechnicianNotification>>("notifications").Resolve(c => c.Source.Notifications);
    }
}

/// <summary>A page of a Relay connection: nodes are loaded before the page is returned (one batch per page).</summary>
public sealed record Page<T>(IReadOnlyList<(string Cursor, T Node)> Edges, long TotalCount, string? EndCursor, bool HasNextPage, string? StartCursor);

public sealed class PageInfoGraphType : ObjectGraphType<(bool HasNextPage, string? EndCursor, string? StartCursor)>
{
    public PageInfoGraphType()
    {
        Name = "PageInfo";
        Field<NonNullGraphType<BooleanGraphType>, bool>("hasNextPage").Resolve(c => c.Source.HasNextPage);
        Field<NonNullGraphType<BooleanGraphType>, bool>("hasPreviousPage").Description("Forward paging only: always false.").Resolve(_ => false);
        Field<StringGraphType, string?>("startCursor").Resolve(c => c.Source.StartCursor);
        Field<StringGraphType, string?>("endCursor").Resolve(c => c.Source.EndCursor);
    }
}

public class EdgeGraphType<TNodeType, T> : ObjectGraphType<(string Cursor, T Node)> where TNodeType : IGraphType
{
    public EdgeGraphType()
    {
        Field<NonNullGraphType<StringGraphType>, string>("cursor").Resolve(c => c.Source.Cursor);
        Field<NonNullGraphType<TNodeType>, T>("node").Resolve(c => c.Source.Node);
    }
}

public class ConnectionGraphType<TEdgeType, T> : ObjectGraphType<Page<T>> where TEdgeType : IGraphType
{
    public ConnectionGraphType()
    {
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<TEdgeType>>>, IEnumerable<(string, T)>>("edges").Resolve(c => c.Source.Edges);
        Field<NonNullGraphType<PageInfoGraphType>, (bool, string?, string?)>("pageInfo").Resolve(c => (c.Source.HasNextPage, c.Source.EndCursor, c.Source.StartCursor));
        Field<NonNullGraphType<LongGraphType>, long>("totalCount").Resolve(c => c.Source.TotalCount);
    }
}

public sealed class WorkOrderEdgeType : EdgeGraphType<WorkOrderType, WorkOrder> { public WorkOrderEdgeType() => Name = "WorkOrderEdge"; }
public sealed class WorkOrderConnectionType : ConnectionGraphType<WorkOrderEdgeType, WorkOrder> { public WorkOrderConnectionType() => Name = "WorkOrderConnection"; }
public sealed class TechnicianEdgeType : EdgeGraphType<TechnicianType, Technician> { public TechnicianEdgeType() => Name = "TechnicianEdge"; }
public sealed class TechnicianConnectionType : ConnectionGraphType<TechnicianEdgeType, Technician> { public TechnicianConnectionType() => Name = "TechnicianConnection"; }
