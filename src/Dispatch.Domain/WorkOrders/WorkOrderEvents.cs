using System.Collections.Immutable;
using Dispatch.Domain.Identity;

namespace Dispatch.Domain.WorkOrders;

/// <summary>What kind of change a <see cref="WorkOrderChanged"/> reports.</summary>
public enum WorkOrderChangeKind
{
    Created = 0,
    /// <summary>Reserved and sent now, or a scheduled dispatch reaching its time.</summary>
    Dispatched = 1,
    /// <summary>Reserved now, to be sent at the dispatch time.</summary>
    DispatchScheduled = 2,
    Reassigned = 3,
    Unassigned = 4,
    StatusChanged = 5,
    NoteAdded = 6,
    /// <summary>On site longer than the estimate (raised once per on-site period).</summary>
    OverrunAlert = 7,
    Updated = 8,
    /// <summary>The live ETA or late risk of an En Route order changed (no timeline entry unless late risk first turned on).</summary>
    EtaUpdated = 9,
}

public enum TechnicianNotificationKind
{
    /// <summary>"New work order": the dispatch was sent to this technician.</summary>
    DispatchSent = 0,
    /// <summary>"Work order reassigned to [name]" for the technician who lost it.</summary>
    ReassignedAway = 1,
    /// <summary>"Work order assigned from [name]" for the technician who took it over.</summary>
    AssignedFrom = 2,
    /// <summary>The visit's time changed while this technician kept it.</summary>
    Rescheduled = 3,
    /// <summary>Taken off the technician without a replacement (unassigned or cancelled).</summary>
    Withdrawn = 4,
    /// <summary>On site longer than the estimate (for the technician and the office).</summary>
    OverrunAlert = 5,
}

/// <summary>
/// Something a technician should be told about. Delivery (push, SMS, e-mail, in-app) is a later concern; the work order
/// only says who should hear what.
/// </summary>
/// <param name="OtherTechnicianId">For reassignments: the technician it went to (<see cref="TechnicianNotificationKind.ReassignedAway"/>)
/// or came from (<see cref="TechnicianNotificationKind.AssignedFrom"/>).</param>
[GenerateSerializer, Immutable, Alias("Dispatch.TechnicianNotification")]
public sealed record TechnicianNotification(
    [property: Id(0)] TechnicianNotificationKind Kind,
    [property: Id(1)] string TechnicianId,
    [property: Id(2)] string TechnicianName,
    [property: Id(3)] string WorkOrderId,
    [property: Id(4)] string Message,
    [property: Id(5)] string? OtherTechnicianId = null,
    [property: Id(6)] string? OtherTechnicianName = null);

/// <summary>
/// One accepted change to a work order, published after it was stored: the new snapshot, who made the change and the
/// notifications it implies. Every path that changes a work order publishes exactly one (dispatch, reassignment,
/// status, notes, a scheduled dispatch firing, an overrun alert).
/// </summary>
[GenerateSerializer, Immutable, Alias("Dispatch.WorkOrderChanged")]
public sealed record WorkOrderChanged
{
    [Id(0)] public required string Tenant { get; init; }
    [Id(1)] public required string WorkOrderId { get; init; }
    [Id(2)] public required WorkOrderChangeKind Kind { get; init; }
    /// <summary><see cref="WorkOrder.Version"/> after the change; a subscriber can drop anything not newer than what it saw.</summary>
    [Id(3)] public required long Version { get; init; }
    [Id(4)] public required DateTimeOffset At { get; init; }
    [Id(5)] public required Actor Actor { get; init; }
    [Id(6)] public required WorkOrder WorkOrder { get; init; }
    [Id(7)] public ImmutableArray<TechnicianNotification> Notifications { get => field.IsDefault ? [] : field; init; } = [];
}
