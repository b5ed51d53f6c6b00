using System.Collections.Immutable;
using Dispatch.Domain.Geo;

namespace Dispatch.Domain.WorkOrders;

public enum Priority { Low = 0, Normal = 1, High = 2, Urgent = 3 }

public enum CustomerTier { Standard = 0, Silver = 1, Gold = 2, Platinum = 3 }

[GenerateSerializer, Immutable, Alias("Dispatch.Customer")]
public sealed record Customer(
    [property: Id(0)] string Name,
    [property: Id(1)] CustomerTier Tier = CustomerTier.Standard,
    [property: Id(2)] string? Phone = null);

/// <summary>Where the work happens; access notes (gate codes, dogs) reach the technician's app.</summary>
[GenerateSerializer, Immutable, Alias("Dispatch.Site")]
public sealed record Site(
    [property: Id(0)] string Address,
    [property: Id(1)] GeoPoint? Location = null,
    [property: Id(2)] string? AccessNotes = null);

/// <summary>The equipment being serviced (for pump and service work: the pump).</summary>
[GenerateSerializer, Immutable, Alias("Dispatch.Asset")]
public sealed record Asset(
    [property: Id(0)] string? Make,
    [property: Id(1)] string? Model,
    [property: Id(2)] string? SerialNumber);

/// <summary>One line of the work order's history: what changed, who did it, when.</summary>
[GenerateSerializer, Immutable, Alias("Dispatch.TimelineEntry")]
public sealed record TimelineEntry(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string ActorId,
    [property: Id(2)] string ActorName,
    [property: Id(3)] TimelineEntryKind Kind,
    [property: Id(4)] string Summary,
    [property: Id(5)] WorkOrderStatus? FromStatus = null,
    [property: Id(6)] WorkOrderStatus? ToStatus = null,
    [property: Id(7)] string? Note = null);

public enum TimelineEntryKind
{
    Created = 0,
    StatusChanged = 1,
    Dispatched = 2,
    Reassigned = 3,
    Unassigned = 4,
    NoteAdded = 5,
    Updated = 6,
    ConflictOverridden = 7,
    Alert = 8,
    /// <summary>A dispatch was booked for a later dispatch time; the slot is held, the technicians not yet told.</summary>
    DispatchScheduled = 9,
    CapacityOverridden = 10,
}

/// <summary>
/// A work order as its grain holds it. Immutable: every rule returns a new value, so a refused command or a failed
/// write leaves the previous value untouched.
/// </summary>
[GenerateSerializer, Immutable, Alias("Dispatch.WorkOrder")]
public sealed record WorkOrder
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string Tenant { get; init; }
    [Id(2)] public required string Title { get; init; }
    [Id(3)] public string? Description { get; init; }
    [Id(4)] public string? Type { get; init; }
    [Id(5)] public Priority Priority { get; init; } = Priority.Normal;
    [Id(6)] public required Customer Customer { get; init; }
    [Id(7)] public required Site Site { get; init; }
    [Id(8)] public Asset? Asset { get; init; }
    [Id(9)] public DateTimeOffset? SlaDueAt { get; init; }
    [Id(10)] public ImmutableArray<string> RequiredSkills { get; init; } = [];
    [Id(11)] public ImmutableArray<string> RequiredCertifications { get; init; } = [];
    [Id(12)] public TimeSpan EstimatedDuration { get; init; } = TimeSpan.FromHours(1);
    [Id(13)] public string? SpecialInstructions { get; init; }
    [Id(14)] public WorkOrderStatus Status { get; init; } = WorkOrderStatus.Created;
    [Id(15)] public DateTimeOffset CreatedAt { get; init; }
    [Id(16)] public DateTimeOffset UpdatedAt { get; init; }
    [Id(17)] public DateTimeOffset StatusChangedAt { get; init; }
    /// <summary>Counts every accepted change; read models keep the highest they saw, so a stale write loses.</summary>
    [Id(18)] public long Version { get; init; }
    [Id(19)] public ImmutableList<TimelineEntry> Timeline { get; init; } = [];
    /// <summary>Who holds the work order now (one primary, any supporting); null until first dispatched or after unassigning.</summary>
    [Id(20)] public Assignment? Assignment { get; init; }
    /// <summary>The current (or last) visit: dispatch time, arrival window, booked time. A return visit replaces it.</summary>
    [Id(21)] public ScheduledVisit? Visit { get; init; }
    /// <summary>The original assignment and every change since, oldest first.</summary>
    [Id(22)] public ImmutableList<AssignmentChange> AssignmentHistory { get; init; } = [];
    /// <summary>What the order is waiting for while Awaiting Parts (kept afterwards for the record).</summary>
    [Id(23)] public PartsOrder? Parts { get; init; }
    /// <summary>When the current on-site period began (null unless On Site).</summary>
    [Id(24)] public DateTimeOffset? OnSiteSince { get; init; }
    /// <summary>When an overrun alert falls due: on site for longer than the estimate. Null once raised or when not on site.</summary>
    [Id(25)] public DateTimeOffset? OverrunAlertDueAt { get; init; }
    /// <summary>When the overrun alert of the current on-site period was raised; it is raised once.</summary>
    [Id(26)] public DateTimeOffset? OverrunAlertedAt { get; init; }
    /// <summary>The live ETA while En Route (from tracking); null otherwise or before a usable position arrived.</summary>
    [Id(27)] public WorkOrderEta? Eta { get; init; }
}
