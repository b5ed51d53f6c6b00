using Dispatch.Domain.Common;
using Dispatch.Domain.Identity;

namespace Dispatch.Domain.WorkOrders;

/// <summary>
/// The work-order lifecycle as one table: every allowed move, which command makes it and which roles may. Anything not
/// in the table is refused with <see cref="ErrorCodes.InvalidTransition"/> before state changes.
/// </summary>
public static class WorkOrderStatusMachine
{
    private static readonly string[] FieldAndOffice = [Roles.Technician, Roles.Dispatcher, Roles.Admin];
    private static readonly string[] OfficeOnly = [Roles.Dispatcher, Roles.Admin];
    // A scheduled dispatch is sent by the platform at its dispatch time, so System may dispatch.
    private static readonly string[] Dispatchers = [Roles.Dispatcher, Roles.Admin, Roles.System];

    public sealed record Transition(WorkOrderStatus From, WorkOrderStatus To, TransitionVia Via, IReadOnlyList<string> AllowedRoles);

    public static IReadOnlyList<Transition> Transitions { get; } =
    [
        new(WorkOrderStatus.Created, WorkOrderStatus.Dispatched, TransitionVia.Dispatch, Dispatchers),
        new(WorkOrderStatus.Created, WorkOrderStatus.Cancelled, TransitionVia.StatusUpdate, OfficeOnly),

        new(WorkOrderStatus.Dispatched, WorkOrderStatus.Acknowledged, TransitionVia.StatusUpdate, FieldAndOffice),
        // Technicians often tap "en route" without acknowledging first; the timeline still shows both times when they do.
        new(WorkOrderStatus.Dispatched, WorkOrderStatus.EnRoute, TransitionVia.StatusUpdate, FieldAndOffice),
        new(WorkOrderStatus.Dispatched, WorkOrderStatus.Created, TransitionVia.Unassign, OfficeOnly),
        new(WorkOrderStatus.Dispatched, WorkOrderStatus.Cancelled, TransitionVia.StatusUpdate, OfficeOnly),

        new(WorkOrderStatus.Acknowledged, WorkOrderStatus.EnRoute, TransitionVia.StatusUpdate, FieldAndOffice),
        new(WorkOrderStatus.Acknowledged, WorkOrderStatus.Created, TransitionVia.Unassign, OfficeOnly),
        new(WorkOrderStatus.Acknowledged, WorkOrderStatus.Cancelled, TransitionVia.StatusUpdate, OfficeOnly),

        new(WorkOrderStatus.EnRoute, WorkOrderStatus.OnSite, TransitionVia.StatusUpdate, FieldAndOffice),
        new(WorkOrderStatus.EnRoute, WorkOrderStatus.Created, TransitionVia.Unassign, OfficeOnly),
        new(WorkOrderStatus.EnRoute, WorkOrderStatus.Cancelled, TransitionVia.StatusUpdate, OfficeOnly),

        new(WorkOrderStatus.OnSite, WorkOrderStatus.Complete, TransitionVia.StatusUpdate, FieldAndOffice),
        new(WorkOrderStatus.OnSite, WorkOrderStatus.AwaitingParts, TransitionVia.StatusUpdate, FieldAndOffice),

        // Parts arrived while the technician is still there, or a return visit is dispatched later.
        new(WorkOrderStatus.AwaitingParts, WorkOrderStatus.OnSite, TransitionVia.StatusUpdate, FieldAndOffice),
        new(WorkOrderStatus.AwaitingParts, WorkOrderStatus.Dispatched, TransitionVia.Dispatch, Dispatchers),
        new(WorkOrderStatus.AwaitingParts, WorkOrderStatus.Cancelled, TransitionVia.StatusUpdate, OfficeOnly),

        new(WorkOrderStatus.Complete, WorkOrderStatus.ReadyForReturn, TransitionVia.StatusUpdate, FieldAndOffice),
        new(WorkOrderStatus.Complete, WorkOrderStatus.ClosedInvoiced, TransitionVia.StatusUpdate, OfficeOnly),

        new(WorkOrderStatus.ReadyForReturn, WorkOrderStatus.ClosedInvoiced, TransitionVia.StatusUpdate, OfficeOnly),
    ];

    private static readonly Dictionary<(WorkOrderStatus, WorkOrderStatus), Transition> ByMove =
        Transitions.ToDictionary(t => (t.From, t.To));

    /// <summary>No transition leaves these: the order is done with (the product's "closed/invoiced" grey-out).</summary>
    public static bool IsTerminal(WorkOrderStatus status) =>
        status is WorkOrderStatus.ClosedInvoiced or WorkOrderStatus.Cancelled;

    /// <summary>Statuses in which technicians hold a reservation on their schedules for this order.</summary>
    public static bool HoldsAssignment(WorkOrderStatus status) =>
        status is WorkOrderStatus.Dispatched or WorkOrderStatus.Acknowledged or WorkOrderStatus.EnRoute or WorkOrderStatus.OnSite;

    public static IEnumerable<WorkOrderStatus> NextStatuses(WorkOrderStatus from, TransitionVia via) =>
        Transitions.Where(t => t.From == from && t.Via == via).Select(t => t.To);

    /// <summary>Refuses a move that is not in the table, is made through the wrong command, or by a role that may not.</summary>
    public static Transition Ensure(WorkOrderStatus from, WorkOrderStatus to, TransitionVia via, Actor actor)
    {
        if (!ByMove.TryGetValue((from, to), out var transition) || transition.Via != via)
        {
            var allowed = string.Join(", ", NextStatuses(from, via));
            var hint = transition is not null
                ? $" It happens through {Describe(transition.Via)}, not {Describe(via)}."
                : allowed.Length > 0 ? $" Allowed from {from}: {allowed}." : $" {from} is final.";
            throw new DomainException(
                ErrorCodes.InvalidTransition,
                $"A work order cannot move from {from} to {to}.{hint}",
                new Dictionary<string, string> { ["from"] = from.ToString(), ["to"] = to.ToString() });
        }

        if (!transition.AllowedRoles.Any(actor.IsInRole))
        {
            throw new DomainException(
                ErrorCodes.Forbidden,
                $"Moving a work order from {from} to {to} needs one of the roles {string.Join(", ", transition.AllowedRoles)}.",
                new Dictionary<string, string> { ["from"] = from.ToString(), ["to"] = to.ToString() });
        }

        return transition;
    }

    private static string Describe(TransitionVia via) => via switch
    {
        TransitionVia.Dispatch => "a dispatch",
        TransitionVia.Unassign => "unassigning",
        _ => "a status update",
    };
}
