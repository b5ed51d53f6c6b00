using System.Globalization;
using Dispatch.Domain.Common;
using Dispatch.Domain.Matching;
using Dispatch.Domain.Scheduling;
using Dispatch.Domain.Technicians;
using Dispatch.Domain.WorkOrders;
using Dispatch.Grains.ReadModel;
using Dispatch.Server.GraphQL.Inputs;
using Dispatch.Server.GraphQL.Types;
using GraphQL.Types;

namespace Dispatch.Server.GraphQL.Dispatching;

/// <summary>Domain value constructors guard with argument exceptions; at the API those are VALIDATION refusals.</summary>
internal static class Valid
{
    public static T Check<T>(string field, Func<T> make)
    {
        try
        {
            return make();
        }
        catch (ArgumentException e)
        {
            throw DomainException.Validation(field, e.Message.Split(" (Parameter")[0]);
        }
    }

    public static TimeSpan? Minutes(string field, int? minutes) => minutes switch
    {
        null => null,
        <= 0 => throw DomainException.Validation(field, "Must be more than zero minutes."),
        _ => TimeSpan.FromMinutes(minutes.Value),
    };
}

public sealed class TimeWindowInput
{
    public DateTimeOffset Start { get; set; }
    public DateTimeOffset End { get; set; }

    public TimeWindow ToWindow(string field) => Valid.Check(field, () => new TimeWindow(Start, End));
}

public sealed class TimeWindowInputType : InputObjectGraphType<TimeWindowInput>
{
    public TimeWindowInputType()
    {
        Name = "TimeWindowInput";
        Description = "[start, end); end must be after start.";
        Field(x => x.Start);
        Field(x => x.End);
    }
}

public sealed class DispatchWorkOrderInput
{
    public string Id { get; set; } = "";
    public List<string> TechnicianIds { get; set; } = [];
    public string? PrimaryTechnicianId { get; set; }
    public DateTimeOffset? DispatchAt { get; set; }
    public TimeWindowInput? ArrivalWindow { get; set; }
    public int? EstimatedDurationMinutes { get; set; }
    public string? Notes { get; set; }
    public bool OverrideConflicts { get; set; }
    public bool OverrideCapacity { get; set; }
    public string? OverrideReason { get; set; }

    public DispatchRequest ToRequest() => new()
    {
        TechnicianIds = [.. TechnicianIds],
        PrimaryTechnicianId = PrimaryTechnicianId,
        DispatchAt = DispatchAt,
        ArrivalWindow = ArrivalWindow?.ToWindow("arrivalWindow"),
        EstimatedDuration = Valid.Minutes("estimatedDurationMinutes", EstimatedDurationMinutes),
        Notes = Notes,
        OverrideConflicts = OverrideConflicts,
        OverrideCapacity = OverrideCapacity,
        OverrideReason = OverrideReason,
    };
}

public sealed class DispatchWorkOrderInputType : InputObjectGraphType<DispatchWorkOrderInput>
{
    public DispatchWorkOrderInputType()
    {
        Name = "DispatchWorkOrderInput";
        Field(x => x.Id, type: typeof(NonNullGraphType<IdGraphType>));
        Field(x => x.TechnicianIds, type: typeof(NonNullGraphType<ListGraphType<NonNullGraphType<IdGraphType>>>)).Description("1-10 technicians; the primary first unless primaryTechnicianId.");
        Field(x => x.PrimaryTechnicianId, type: typeof(IdGraphType));
        Field(x => x.DispatchAt, nullable: true).Description("When to send; absent or not in the future = now. The slot is held at once either way.");
        Field(x => x.ArrivalWindow, type: typeof(TimeWindowInputType)).Description("Defaults to the dispatch time plus the estimated duration.");
        Field(x => x.EstimatedDurationMinutes, nullable: true);
        Field(x => x.Notes, nullable: true);
        Field(x => x.OverrideConflicts, type: typeof(BooleanGraphType)).DefaultValue(false);
        Field(x => x.OverrideCapacity, type: typeof(BooleanGraphType)).DefaultValue(false);
        Field(x => x.OverrideReason, nullable: true).Description("Required with either override; recorded in the timeline.");
    }
}

public sealed class BatchDispatchItemInput
{
    public string WorkOrderId { get; set; } = "";
    public List<string>? TechnicianIds { get; set; }
    public string? PrimaryTechnicianId { get; set; }
    public DateTimeOffset? DispatchAt { get; set; }
    public TimeWindowInput? ArrivalWindow { get; set; }
    public int? EstimatedDurationMinutes { get; set; }
    public string? Notes { get; set; }
    public bool? OverrideConflicts { get; set; }
    public bool? OverrideCapacity { get; set; }
    public string? OverrideReason { get; set; }

    public BatchDispatchItem ToItem(string field) => new()
    {
        WorkOrderId = WorkOrderId,
        TechnicianIds = TechnicianIds is null ? null : [.. TechnicianIds],
        PrimaryTechnicianId = PrimaryTechnicianId,
        DispatchAt = DispatchAt,
        ArrivalWindow = ArrivalWindow?.ToWindow(field + ".arrivalWindow"),
        EstimatedDuration = Valid.Minutes(field + ".estimatedDurationMinutes", EstimatedDurationMinutes),
        Notes = Notes,
        OverrideConflicts = OverrideConflicts,
        OverrideCapacity = OverrideCapacity,
        OverrideReason = OverrideReason,
    };
}

public sealed class DispatchWorkOrdersInput
{
    public List<BatchDispatchItemInput> Items { get; set; } = [];
    public BatchDispatchItemInput? Shared { get; set; }

    public BatchDispatchRequest ToRequest() => new()
    {
        Items = [.. Items.Select((item, i) => item.ToItem($"items[{i}]"))],
        Shared = Shared?.ToItem("shared"),
    };
}

public sealed class BatchDispatchItemInputType : InputObjectGraphType<BatchDispatchItemInput>
{
    public BatchDispatchItemInputType()
    {
        Name = "DispatchWorkOrdersItemInput";
        Description = "One work order of a batch; fields left out come from the batch's shared values.";
        Field(x => x.WorkOrderId, type: typeof(IdGraphType)).Description("Required on items, ignored on shared.");
        Field(x => x.TechnicianIds, type: typeof(ListGraphType<NonNullGraphType<IdGraphType>>));
        Field(x => x.PrimaryTechnicianId, type: typeof(IdGraphType));
        Field(x => x.DispatchAt, nullable: true);
        Field(x => x.ArrivalWindow, type: typeof(TimeWindowInputType));
        Field(x => x.EstimatedDurationMinutes, nullable: true);
        Field(x => x.Notes, nullable: true);
        Field(x => x.OverrideConflicts, nullable: true);
        Field(x => x.OverrideCapacity, nullable: true);
        Field(x => x.OverrideReason, nullable: true);
    }
}

public sealed class DispatchWorkOrdersInputType : InputObjectGraphType<DispatchWorkOrdersInput>
{
    public DispatchWorkOrdersInputType()
    {
        Name = "DispatchWorkOrdersInput";
        Field(x => x.Items, type: typeof(NonNullGraphType<ListGraphType<NonNullGraphType<BatchDispatchItemInputType>>>)).Description("1-500, processed in order, each all or nothing.");
        Field(x => x.Shared, type: typeof(BatchDispatchItemInputType));
    }
}

public sealed class ReassignWorkOrderInput
{
    public string Id { get; set; } = "";
    public List<string> TechnicianIds { get; set; } = [];
    public string? PrimaryTechnicianId { get; set; }
    public string? Reason { get; set; }
    public TimeWindowInput? ArrivalWindow { get; set; }
    public int? EstimatedDurationMinutes { get; set; }
    public bool OverrideConflicts { get; set; }
    public bool OverrideCapacity { get; set; }
    public string? OverrideReason { get; set; }

    public ReassignRequest ToRequest() => new()
    {
        TechnicianIds = [.. TechnicianIds],
        PrimaryTechnicianId = PrimaryTechnicianId,
        Reason = Reason,
        ArrivalWindow = ArrivalWindow?.ToWindow("arrivalWindow"),
        EstimatedDuration = Valid.Minutes("estimatedDurationMinutes", EstimatedDurationMinutes),
        OverrideConflicts = OverrideConflicts,
        OverrideCapacity = OverrideCapacity,
        OverrideReason = OverrideReason,
    };
}

public sealed class ReassignWorkOrderInputType : InputObjectGraphType<ReassignWorkOrderInput>
{
    public ReassignWorkOrderInputType()
    {
        Name = "ReassignWorkOrderInput";
        Field(x => x.Id, type: typeof(NonNullGraphType<IdGraphType>));
        Field(x => x.TechnicianIds, type: typeof(NonNullGraphType<ListGraphType<NonNullGraphType<IdGraphType>>>));
        Field(x => x.PrimaryTechnicianId, type: typeof(IdGraphType));
        Field(x => x.Reason, nullable: true).Description("Sick call, emergency elsewhere, customer rescheduled, ...; kept in the assignment history.");
        Field(x => x.ArrivalWindow, type: typeof(TimeWindowInputType)).Description("A new time; otherwise the visit keeps its time.");
        Field(x => x.EstimatedDurationMinutes, nullable: true);
        Field(x => x.OverrideConflicts, type: typeof(BooleanGraphType)).DefaultValue(false);
        Field(x => x.OverrideCapacity, type: typeof(BooleanGraphType)).DefaultValue(false);
        Field(x => x.OverrideReason, nullable: true);
    }
}

public sealed class UnassignWorkOrderInput
{
    public string Id { get; set; } = "";
    public string? Reason { get; set; }
}

public sealed class UnassignWorkOrderInputType : InputObjectGraphType<UnassignWorkOrderInput>
{
    public UnassignWorkOrderInputType()
    {
        Name = "UnassignWorkOrderInput";
        Field(x => x.Id, type: typeof(NonNullGraphType<IdGraphType>));
        Field(x => x.Reason, nullable: true);
    }
}

public sealed class PartsOrderInput
{
    public string Supplier { get; set; } = "";
    public string? TrackingNumber { get; set; }
    public DateTimeOffset? ExpectedAt { get; set; }
    public string? Note { get; set; }

    public PartsOrder ToParts() => new(Supplier, TrackingNumber, ExpectedAt, Note);
}

public sealed class PartsOrderInputType : InputObjectGraphType<PartsOrderInput>
{
    public PartsOrderInputType()
    {
        Name = "PartsOrderInput";
        Description = "What an AWAITING_PARTS order waits for.";
        Field(x => x.Supplier);
        Field(x => x.TrackingNumber, nullable: true);
        Field(x => x.ExpectedAt, nullable: true);
        Field(x => x.Note, nullable: true);
    }
}

public sealed class WorkingShiftInput
{
    public DayOfWeek Day { get; set; }
    public string Start { get; set; } = "";
    public string End { get; set; } = "";

    public WorkingShift ToShift(string field) => new(Day, Time(field + ".start", Start), Time(field + ".end", End));

    private static TimeOnly Time(string field, string value) =>
        TimeOnly.TryParseExact(value, ["HH:mm", "HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
            ? time
            : throw DomainException.Validation(field, $"'{value}' is not a time of day (HH:mm).");
}

public sealed class WorkingShiftInputType : InputObjectGraphType<WorkingShiftInput>
{
    public WorkingShiftInputType()
    {
        Name = "WorkingShiftInput";
        Field(x => x.Day, type: typeof(NonNullGraphType<DayOfWeekEnum>));
        Field(x => x.Start).Description("HH:mm local.");
        Field(x => x.End).Description("HH:mm local; at or before start runs into the next day.");
    }
}

public sealed class SetTechnicianWorkingHoursInput
{
    public string TechnicianId { get; set; } = "";
    public List<WorkingShiftInput> Shifts { get; set; } = [];
}

public sealed class SetTechnicianWorkingHoursInputType : InputObjectGraphType<SetTechnicianWorkingHoursInput>
{
    public SetTechnicianWorkingHoursInputType()
    {
        Name = "SetTechnicianWorkingHoursInput";
        Field(x => x.TechnicianId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(x => x.Shifts, type: typeof(NonNullGraphType<ListGraphType<NonNullGraphType<WorkingShiftInputType>>>)).Description("Weekly shifts in the technician's time zone; empty = no regular hours.");
    }
}

public sealed class SetTechnicianCapacityInput
{
    public string TechnicianId { get; set; } = "";
    public int? MaxActiveWorkOrders { get; set; }
    public int? MaxBookedMinutesPerDay { get; set; }
}

public sealed class SetTechnicianCapacityInputType : InputObjectGraphType<SetTechnicianCapacityInput>
{
    public SetTechnicianCapacityInputType()
    {
        Name = "SetTechnicianCapacityInput";
        Field(x => x.TechnicianId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(x => x.MaxActiveWorkOrders, nullable: true).Description("Null = no limit.");
        Field(x => x.MaxBookedMinutesPerDay, nullable: true).Description("Null = no limit.");
    }
}

public sealed class AddAvailabilityBlockInput
{
    public string TechnicianId { get; set; } = "";
    public string? Id { get; set; }
    public AvailabilityKind Kind { get; set; }
    public TimeWindowInput Window { get; set; } = new();
    public string? Note { get; set; }
}

public sealed class AddAvailabilityBlockInputType : InputObjectGraphType<AddAvailabilityBlockInput>
{
    public AddAvailabilityBlockInputType()
    {
        Name = "AddAvailabilityBlockInput";
        Field(x => x.TechnicianId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(x => x.Id, type: typeof(IdGraphType)).Description("Generated when left out.");
        Field(x => x.Kind, type: typeof(NonNullGraphType<AvailabilityKindEnum>));
        Field(x => x.Window, type: typeof(NonNullGraphType<TimeWindowInputType>));
        Field(x => x.Note, nullable: true);
    }
}

public sealed class RemoveAvailabilityBlockInput
{
    public string TechnicianId { get; set; } = "";
    public string BlockId { get; set; } = "";
}

public sealed class RemoveAvailabilityBlockInputType : InputObjectGraphType<RemoveAvailabilityBlockInput>
{
    public RemoveAvailabilityBlockInputType()
    {
        Name = "RemoveAvailabilityBlockInput";
        Field(x => x.TechnicianId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(x => x.BlockId, type: typeof(NonNullGraphType<IdGraphType>));
    }
}

public sealed class SetTechnicianActiveInput
{
    public string TechnicianId { get; set; } = "";
    public bool Active { get; set; }
}

public sealed class SetTechnicianActiveInputType : InputObjectGraphType<SetTechnicianActiveInput>
{
    public SetTechnicianActiveInputType()
    {
        Name = "SetTechnicianActiveInput";
        Field(x => x.TechnicianId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(x => x.Active);
    }
}

public sealed class UpdateTechnicianInput
{
    public string Id { get; set; } = "";
    public string? Name { get; set; }
    public string? Phone { get; set; }
    public string? Email { get; set; }
    public bool? IsField { get; set; }
    public List<string>? Skills { get; set; }
    public List<CertificationInput>? Certifications { get; set; }
    public GeoPointInput? HomeBase { get; set; }
    public string? TimeZoneId { get; set; }
    public string? UserId { get; set; }

    public TechnicianUpdate ToUpdate() => new()
    {
        Name = Name,
        Phone = Phone,
        Email = Email,
        IsField = IsField,
        Skills = Skills is null ? null : [.. Skills],
        Certifications = Certifications is null ? null : [.. Certifications.Select(c => new Certification(c.Name, c.ExpiresAt))],
        HomeBase = HomeBase?.ToGeoPoint("homeBase"),
        TimeZoneId = TimeZoneId,
        UserId = UserId,
    };
}

public sealed class UpdateTechnicianInputType : InputObjectGraphType<UpdateTechnicianInput>
{
    public UpdateTechnicianInputType()
    {
        Name = "UpdateTechnicianInput";
        Description = "Fields left out stay as they are.";
        Field(x => x.Id, type: typeof(NonNullGraphType<IdGraphType>));
        Field(x => x.Name, nullable: true);
        Field(x => x.Phone, nullable: true);
        Field(x => x.Email, nullable: true);
        Field(x => x.IsField, nullable: true);
        Field(x => x.Skills, type: typeof(ListGraphType<NonNullGraphType<StringGraphType>>));
        Field(x => x.Certifications, type: typeof(ListGraphType<NonNullGraphType<CertificationInputType>>));
        Field(x => x.HomeBase, type: typeof(GeoPointInputType));
        Field(x => x.TimeZoneId, nullable: true);
        Field(x => x.UserId, type: typeof(IdGraphType));
    }
}

public sealed class WorkOrderFilter
{
    public List<WorkOrderStatus>? Statuses { get; set; }
    public List<Priority>? Priorities { get; set; }
    public string? TechnicianId { get; set; }
    public string? CustomerText { get; set; }
    public DateTimeOffset? CreatedFrom { get; set; }
    public DateTimeOffset? CreatedTo { get; set; }
    public DateTimeOffset? UpdatedFrom { get; set; }
    public DateTimeOffset? UpdatedTo { get; set; }
    public DateTimeOffset? SlaDueFrom { get; set; }
    public DateTimeOffset? SlaDueTo { get; set; }
}

public sealed class WorkOrderFilterType : InputObjectGraphType<WorkOrderFilter>
{
    public WorkOrderFilterType()
    {
        Name = "WorkOrderFilter";
        Description = "Every field optional; ranges are [from, to).";
        Field(x => x.Statuses, type: typeof(ListGraphType<NonNullGraphType<WorkOrderStatusEnum>>));
        Field(x => x.Priorities, type: typeof(ListGraphType<NonNullGraphType<PriorityEnum>>));
        Field(x => x.TechnicianId, type: typeof(IdGraphType)).Description("Currently assigned (primary or supporting).");
        Field(x => x.CustomerText, nullable: true).Description("Case-insensitive substring of the customer name.");
        Field(x => x.CreatedFrom, nullable: true);
        Field(x => x.CreatedTo, nullable: true);
        Field(x => x.UpdatedFrom, nullable: true);
        Field(x => x.UpdatedTo, nullable: true);
        Field(x => x.SlaDueFrom, nullable: true);
        Field(x => x.SlaDueTo, nullable: true);
    }
}

public sealed class WorkOrderOrder
{
    public WorkOrderSortField Field { get; set; } = WorkOrderSortField.CreatedAt;
    public bool Descending { get; set; } = true;
}

public sealed class WorkOrderOrderType : InputObjectGraphType<WorkOrderOrder>
{
    public WorkOrderOrderType()
    {
        Name = "WorkOrderOrder";
        Field(x => x.Field, type: typeof(WorkOrderSortFieldEnum)).DefaultValue(WorkOrderSortField.CreatedAt);
        Field(x => x.Descending, type: typeof(BooleanGraphType)).DefaultValue(true).Description("Orders without an SLA sort last either way.");
    }
}

public sealed class TechnicianFilter
{
    public bool? Active { get; set; }
    public bool? IsField { get; set; }
    public string? Skill { get; set; }
    public string? NameContains { get; set; }
}

public sealed class TechnicianFilterType : InputObjectGraphType<TechnicianFilter>
{
    public TechnicianFilterType()
    {
        Name = "TechnicianFilter";
        Field(x => x.Active, nullable: true);
        Field(x => x.IsField, nullable: true);
        Field(x => x.Skill, nullable: true);
        Field(x => x.NameContains, nullable: true).Description("Case-insensitive substring of the name.");
    }
}
