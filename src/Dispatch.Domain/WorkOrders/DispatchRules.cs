using System.Collections.Immutable;
using System.Globalization;
using Dispatch.Domain.Common;
using Dispatch.Domain.Identity;
using Dispatch.Domain.Scheduling;

namespace Dispatch.Domain.WorkOrders;

/// <summary>A validated dispatch or reassignment: everything the grain needs to reserve the technicians' time.</summary>
/// <param name="TechnicianIds">Distinct, primary first.</param>
/// <param name="SendNow">False for a dispatch to be sent later at <paramref name="SendAt"/>.</param>
public sealed record DispatchPlan(
    ImmutableArray<string> TechnicianIds,
    string PrimaryTechnicianId,
    DateTimeOffset SendAt,
    bool SendNow,
    TimeWindow ArrivalWindow,
    TimeWindow BookedWindow,
    TimeSpan EstimatedDuration,
    string? Notes,
    bool OverrideConflicts,
    bool OverrideCapacity,
    string? OverrideReason)
{
    public BookingKind KindFor(string technicianId) =>
        technicianId == PrimaryTechnicianId ? BookingKind.Primary : BookingKind.Supporting;
}

/// <summary>
/// Dispatch, reassignment, unassignment, technician progress and the overrun alert as pure functions over
/// <see cref="WorkOrder"/>. The grain reserves and releases the technicians' time around them.
/// </summary>
public static class DispatchRules
{
    public const int MaxTechnicians = 10;

    /// <summary>A dispatch time at most this far ahead counts as "now" (the form auto-fills the current time).</summary>
    public static readonly TimeSpan SendNowTolerance = TimeSpan.FromSeconds(1);

    /// <summary>A scheduled dispatch that is reserved but not yet sent.</summary>
    public static bool IsDispatchPending(WorkOrder order) =>
        order.Assignment is not null && order.Visit is { SentAt: null } &&
        order.Status is WorkOrderStatus.Created or WorkOrderStatus.AwaitingParts;

    /// <summary>Whether the assigned technicians' calendars hold time for this order now.</summary>
    public static bool HoldsReservations(WorkOrder order) =>
        order.Assignment is not null && (IsDispatchPending(order) || WorkOrderStatusMachine.HoldsAssignment(order.Status));

    /// <summary>The estimate that counts for the current visit.</summary>
    public static TimeSpan CurrentEstimate(WorkOrder order) => order.Visit?.EstimatedDuration ?? order.EstimatedDuration;

    /// <summary>The earliest time the grain must wake up for this order (a scheduled dispatch, an overrun alert), if any.</summary>
    public static DateTimeOffset? NextWakeUp(WorkOrder order)
    {
        DateTimeOffset? send = IsDispatchPending(order) ? order.Visit!.SendAt : null;
        var overrun = order.Status == WorkOrderStatus.OnSite && order.OverrunAlertedAt is null ? order.OverrunAlertDueAt : null;
        return (send, overrun) switch
        {
            ({ } a, { } b) => a < b ? a : b,
            ({ } a, null) => a,
            (null, { } b) => b,
            _ => null,
        };
    }

    public static DispatchPlan PlanDispatch(WorkOrder order, DispatchRequest request, Actor actor, DateTimeOffset now)
    {
        EnsureOffice(actor, "dispatch work orders");
        EnsureOpen(order);
        if (HoldsReservations(order))
        {
            throw new DomainException(ErrorCodes.AlreadyDispatched,
                IsDispatchPending(order)
                    ? $"Work order '{order.Id}' already has a dispatch scheduled for {Format(order.Visit!.SendAt)}; reassign or unassign it instead."
                    : $"Work order '{order.Id}' is already dispatched ({order.Status}); reassign it instead.",
                new Dictionary<string, string> { ["status"] = order.Status.ToString() });
        }

        WorkOrderStatusMachine.Ensure(order.Status, WorkOrderStatus.Dispatched, TransitionVia.Dispatch, actor);
        var (technicians, primary) = ValidateTechnicians(request.TechnicianIds, request.PrimaryTechnicianId);
        var duration = ValidateDuration(request.EstimatedDuration ?? order.EstimatedDuration);
        var sendNow = request.DispatchAt is not { } at || at <= now + SendNowTolerance;
        var sendAt = sendNow ? now : request.DispatchAt!.Value.ToUniversalTime();
        var arrival = request.ArrivalWindow ?? TimeWindow.FromDuration(sendAt, duration);
        ValidateArrival(arrival, now);
        if (sendAt >= arrival.End)
        {
            throw DomainException.Validation("dispatchAt", "The dispatch must be sent before the arrival window ends.");
        }

        ValidateOverride(request.OverrideConflicts, request.OverrideCapacity, request.OverrideReason);
        ValidateText(request.Notes, "notes");
        return new DispatchPlan(technicians, primary, sendAt, sendNow, arrival, ScheduledVisit.BookedWindowFor(arrival, duration), duration,
            request.Notes, request.OverrideConflicts, request.OverrideCapacity, request.OverrideReason?.Trim());
    }

    public static DispatchPlan PlanReassign(WorkOrder order, ReassignRequest request, Actor actor, DateTimeOffset now)
    {
        EnsureOffice(actor, "reassign work orders");
        EnsureOpen(order);
        if (!HoldsReservations(order) || order.Visit is not { } visit || order.Assignment is not { } current)
        {
            throw new DomainException(ErrorCodes.InvalidTransition,
                $"Work order '{order.Id}' is not dispatched ({order.Status}); dispatch it instead.",
                new Dictionary<string, string> { ["status"] = order.Status.ToString() });
        }

        var (technicians, primary) = ValidateTechnicians(request.TechnicianIds, request.PrimaryTechnicianId);
        var duration = ValidateDuration(request.EstimatedDuration ?? visit.EstimatedDuration);
        var arrival = request.ArrivalWindow ?? visit.ArrivalWindow;
        if (request.ArrivalWindow is not null) ValidateArrival(arrival, now);
        ValidateOverride(request.OverrideConflicts, request.OverrideCapacity, request.OverrideReason);
        ValidateText(request.Reason, "reason");

        var booked = ScheduledVisit.BookedWindowFor(arrival, duration);
        var sameTechnicians = current.GetTechnicianIds().ToHashSet().SetEquals(technicians) && current.GetPrimary().TechnicianId == primary;
        if (sameTechnicians && booked == visit.BookedWindow && arrival == visit.ArrivalWindow)
        {
            throw DomainException.Validation("technicianIds", "The reassignment changes nothing: same technicians, same primary, same time.");
        }

        return new DispatchPlan(technicians, primary, visit.SendAt, false, arrival, booked, duration, visit.Notes,
            request.OverrideConflicts, request.OverrideCapacity, request.OverrideReason?.Trim());
    }

    /// <summary>
    /// Records a dispatch whose reservations all succeeded: the assignment, the visit, any overrides, and either the
    /// send (status Dispatched) or, for a later dispatch time, the scheduled send.
    /// </summary>
    public static (WorkOrder Order, ImmutableArray<TechnicianNotification> Notifications) ApplyDispatch(
        WorkOrder order, DispatchPlan plan, ImmutableArray<AssignedTechnician> technicians, ImmutableArray<TechnicianConflicts> overridden,
        Actor actor, DateTimeOffset now)
    {
        var visit = new ScheduledVisit
        {
            Number = (order.Visit?.Number ?? 0) + 1,
            SendAt = plan.SendAt,
            ArrivalWindow = plan.ArrivalWindow,
            BookedWindow = plan.BookedWindow,
            EstimatedDuration = plan.EstimatedDuration,
            Notes = plan.Notes,
        };
        var next = order with
        {
            Assignment = new Assignment { Technicians = technicians },
            Visit = visit,
            AssignmentHistory = order.AssignmentHistory.Add(
                new AssignmentChange(now, actor.UserId, actor.DisplayName, AssignmentChangeKind.Assigned, [], technicians)),
        };
        next = RecordOverrides(next, plan, overridden, actor, now);
        if (plan.SendNow)
        {
            return Send(next, actor, now);
        }

        next = WorkOrderRules.Append(next, new TimelineEntry(now, actor.UserId, actor.DisplayName, TimelineEntryKind.DispatchScheduled,
            $"Dispatch to {Names(technicians)} scheduled for {Format(plan.SendAt)}; arrival {Format(plan.ArrivalWindow)}. The slot is reserved.",
            Note: plan.Notes));
        return (next, []);
    }

    /// <summary>Sends a reserved dispatch: status Dispatched, and every assigned technician is told.</summary>
    public static (WorkOrder Order, ImmutableArray<TechnicianNotification> Notifications) Send(WorkOrder order, Actor actor, DateTimeOffset now)
    {
        if (!IsDispatchPending(order))
        {
            throw new DomainException(ErrorCodes.InvalidTransition, $"Work order '{order.Id}' has no dispatch waiting to be sent.");
        }

        var assignment = order.Assignment!;
        var visit = order.Visit! with { SentAt = now };
        var sent = WorkOrderRules.Move(order with { Visit = visit }, WorkOrderStatus.Dispatched, TransitionVia.Dispatch, actor, now,
            TimelineEntryKind.Dispatched,
            $"Dispatched to {Names(assignment.Technicians)}; arrival {Format(visit.ArrivalWindow)}.", visit.Notes);
        var notifications = assignment.Technicians
            .Select(t => new TechnicianNotification(TechnicianNotificationKind.DispatchSent, t.TechnicianId, t.Name, order.Id,
                $"New work order {order.Id}: {order.Title}, {order.Site.Address}, arrival {Format(visit.ArrivalWindow)}."))
            .ToImmutableArray();
        return (sent, notifications);
    }

    /// <summary>
    /// Records a reassignment whose new reservations succeeded: history keeps the previous assignment, and the technicians
    /// who lost or gained the order are told (once the dispatch was sent; before that nobody had been told anything).
    /// </summary>
    public static (WorkOrder Order, ImmutableArray<TechnicianNotification> Notifications) ApplyReassign(
        WorkOrder order, DispatchPlan plan, ImmutableArray<AssignedTechnician> technicians, ImmutableArray<TechnicianConflicts> overridden,
        string? reason, Actor actor, DateTimeOffset now)
    {
        var before = order.Assignment!.Technicians;
        var visit = order.Visit! with { ArrivalWindow = plan.ArrivalWindow, BookedWindow = plan.BookedWindow, EstimatedDuration = plan.EstimatedDuration };
        var rescheduled = visit.BookedWindow != order.Visit!.BookedWindow || visit.ArrivalWindow != order.Visit.ArrivalWindow;
        var next = order with
        {
            Assignment = new Assignment { Technicians = technicians },
            Visit = visit,
            AssignmentHistory = order.AssignmentHistory.Add(
                new AssignmentChange(now, actor.UserId, actor.DisplayName, AssignmentChangeKind.Reassigned, before, technicians, reason)),
        };
        next = RecordOverrides(next, plan, overridden, actor, now);
        var summary = $"Reassigned from {Names(before)} to {Names(technicians)}" + (rescheduled ? $"; arrival now {Format(visit.ArrivalWindow)}." : ".");
        next = WorkOrderRules.Append(next, new TimelineEntry(now, actor.UserId, actor.DisplayName, TimelineEntryKind.Reassigned, summary, Note: reason));

        if (visit.SentAt is null) return (next, []);

        var oldPrimary = before.First(t => t.Role == AssignmentRole.Primary);
        var newPrimary = technicians.First(t => t.Role == AssignmentRole.Primary);
        var notifications = ImmutableArray.CreateBuilder<TechnicianNotification>();
        foreach (var lost in before.Where(b => !technicians.Any(t => t.TechnicianId == b.TechnicianId) ||
                                               (b.Role == AssignmentRole.Primary && newPrimary.TechnicianId != b.TechnicianId)))
        {
            notifications.Add(new TechnicianNotification(TechnicianNotificationKind.ReassignedAway, lost.TechnicianId, lost.Name, order.Id,
                $"Work order {order.Id} reassigned to {newPrimary.Name}.", newPrimary.TechnicianId, newPrimary.Name));
        }

        foreach (var gained in technicians.Where(t => !before.Any(b => b.TechnicianId == t.TechnicianId) ||
                                                      (t.Role == AssignmentRole.Primary && oldPrimary.TechnicianId != t.TechnicianId)))
        {
            notifications.Add(new TechnicianNotification(TechnicianNotificationKind.AssignedFrom, gained.TechnicianId, gained.Name, order.Id,
                $"Work order {order.Id} assigned from {oldPrimary.Name}.", oldPrimary.TechnicianId, oldPrimary.Name));
        }

        if (rescheduled)
        {
            foreach (var kept in technicians.Where(t => notifications.All(n => n.TechnicianId != t.TechnicianId)))
            {
                notifications.Add(new TechnicianNotification(TechnicianNotificationKind.Rescheduled, kept.TechnicianId, kept.Name, order.Id,
                    $"Work order {order.Id} moved to {Format(visit.ArrivalWindow)}."));
            }
        }

        return (next, notifications.ToImmutable());
    }

    /// <summary>Takes the order back to the unassigned queue (or drops a scheduled dispatch); the grain releases the time.</summary>
    public static (WorkOrder Order, ImmutableArray<TechnicianNotification> Notifications) Unassign(WorkOrder order, string? reason, Actor actor, DateTimeOffset now)
    {
        EnsureOffice(actor, "unassign work orders");
        EnsureOpen(order);
        if (!HoldsReservations(order))
        {
            throw new DomainException(ErrorCodes.InvalidTransition, $"Work order '{order.Id}' is not dispatched ({order.Status}).",
                new Dictionary<string, string> { ["status"] = order.Status.ToString() });
        }

        ValidateText(reason, "reason");
        var before = order.Assignment!.Technicians;
        var wasSent = order.Visit?.SentAt is not null;
        var next = order with
        {
            Assignment = null,
            Visit = null,
            OnSiteSince = null,
            OverrunAlertDueAt = null,
            AssignmentHistory = order.AssignmentHistory.Add(
                new AssignmentChange(now, actor.UserId, actor.DisplayName, AssignmentChangeKind.Unassigned, before, [], reason)),
        };
        var summary = $"Unassigned from {Names(before)}.";
        next = IsDispatchPending(order)
            ? WorkOrderRules.Append(next, new TimelineEntry(now, actor.UserId, actor.DisplayName, TimelineEntryKind.Unassigned,
                "Scheduled dispatch withdrawn; " + summary, Note: reason))
            : WorkOrderRules.Move(next, WorkOrderStatus.Created, TransitionVia.Unassign, actor, now, TimelineEntryKind.Unassigned, summary, reason);
        return (next, wasSent ? Withdrawn(order, before) : []);
    }

    /// <summary>
    /// A status update through the status machine, by the office or by one of the assigned technicians. On Site starts
    /// the overrun clock; Awaiting Parts records what the order waits for.
    /// </summary>
    public static (WorkOrder Order, ImmutableArray<TechnicianNotification> Notifications) ChangeStatus(
        WorkOrder order, StatusChange change, Actor actor, DateTimeOffset now)
    {
        WorkOrderRules.EnsureMayUpdate(order, actor);
        PartsOrder? parts = null;
        if (change.To == WorkOrderStatus.AwaitingParts)
        {
            parts = change.Parts ?? throw DomainException.Validation("parts", "Awaiting Parts needs the supplier (and, when known, tracking number and expected date).");
            if (string.IsNullOrWhiteSpace(parts.Supplier))
            {
                throw DomainException.Validation("parts.supplier", "Awaiting Parts needs the supplier.");
            }

            ValidateText(parts.Note, "parts.note");
        }

        var heldBefore = HoldsReservations(order);
        var moved = WorkOrderRules.ChangeStatus(order, change, actor, now);
        moved = change.To switch
        {
            WorkOrderStatus.OnSite => moved with
            {
                OnSiteSince = now,
                OverrunAlertDueAt = now + CurrentEstimate(order),
                OverrunAlertedAt = null,
            },
            WorkOrderStatus.AwaitingParts => moved with { Parts = parts! with { Supplier = parts.Supplier.Trim() }, OverrunAlertDueAt = null },
            _ => moved with { OverrunAlertDueAt = null },
        };
        if (parts is not null)
        {
            var detail = string.Join(", ", new[]
            {
                "supplier " + parts.Supplier.Trim(),
                parts.TrackingNumber is { Length: > 0 } tracking ? "tracking " + tracking : null,
                parts.ExpectedAt is { } expected ? "expected " + Format(expected) : null,
            }.Where(p => p is not null));
            moved = moved with { Timeline = moved.Timeline.SetItem(moved.Timeline.Count - 1, moved.Timeline[^1] with { Summary = moved.Timeline[^1].Summary + " Parts: " + detail + "." }) };
        }

        var notifications = change.To == WorkOrderStatus.Cancelled && heldBefore && order.Visit?.SentAt is not null
            ? Withdrawn(order, order.Assignment!.Technicians)
            : [];
        return (moved, notifications);
    }

    /// <summary>The overrun alert, once per on-site period, when on site for longer than the estimate; null when not due.</summary>
    public static (WorkOrder Order, ImmutableArray<TechnicianNotification> Notifications)? RaiseOverrunAlert(WorkOrder order, DateTimeOffset now)
    {
        if (order.Status != WorkOrderStatus.OnSite || order.OverrunAlertedAt is not null || order.OverrunAlertDueAt is not { } due || due > now)
        {
            return null;
        }

        var system = Actor.System(order.Tenant);
        var onSite = now - (order.OnSiteSince ?? due);
        var message = $"On site for {Describe.Duration(onSite)}, longer than the estimated {Describe.Duration(CurrentEstimate(order))}.";
        var next = WorkOrderRules.Append(order with { OverrunAlertedAt = now, OverrunAlertDueAt = null },
            new TimelineEntry(now, system.UserId, system.DisplayName, TimelineEntryKind.Alert, message));
        var notifications = (order.Assignment?.Technicians ?? [])
            .Select(t => new TechnicianNotification(TechnicianNotificationKind.OverrunAlert, t.TechnicianId, t.Name, order.Id,
                $"Work order {order.Id}: {message}"))
            .ToImmutableArray();
        return (next, notifications);
    }

    private static WorkOrder RecordOverrides(WorkOrder order, DispatchPlan plan, ImmutableArray<TechnicianConflicts> overridden, Actor actor, DateTimeOffset now)
    {
        var schedule = overridden.SelectMany(t => t.Conflicts.Where(c => !c.IsCapacity).Select(c => (t.TechnicianName, c))).ToList();
        var capacity = overridden.SelectMany(t => t.Conflicts.Where(c => c.IsCapacity).Select(c => (t.TechnicianName, c))).ToList();
        if (schedule.Count > 0)
        {
            order = WorkOrderRules.Append(order, new TimelineEntry(now, actor.UserId, actor.DisplayName, TimelineEntryKind.ConflictOverridden,
                $"Schedule conflict{(schedule.Count == 1 ? "" : "s")} overridden: {string.Join("; ", schedule.Select(x => $"{x.TechnicianName}: {x.c.Description}"))}.",
                Note: plan.OverrideReason));
        }

        if (capacity.Count > 0)
        {
            order = WorkOrderRules.Append(order, new TimelineEntry(now, actor.UserId, actor.DisplayName, TimelineEntryKind.CapacityOverridden,
                $"Capacity limit{(capacity.Count == 1 ? "" : "s")} overridden: {string.Join("; ", capacity.Select(x => $"{x.TechnicianName}: {x.c.Description}"))}.",
                Note: plan.OverrideReason));
        }

        return order;
    }

    private static ImmutableArray<TechnicianNotification> Withdrawn(WorkOrder order, ImmutableArray<AssignedTechnician> technicians) =>
        [.. technicians.Select(t => new TechnicianNotification(TechnicianNotificationKind.Withdrawn, t.TechnicianId, t.Name, order.Id,
            $"Work order {order.Id} is no longer assigned to you."))];

    internal static void EnsureOffice(Actor actor, string what)
    {
        if (!actor.IsInRole(Roles.Dispatcher) && !actor.IsInRole(Roles.Admin))
        {
            throw new DomainException(ErrorCodes.Forbidden, $"Only dispatchers and admins may {what}.");
        }
    }

    private static void EnsureOpen(WorkOrder order)
    {
        if (WorkOrderStatusMachine.IsTerminal(order.Status))
        {
            throw new DomainException(ErrorCodes.WorkOrderClosed, $"Work order '{order.Id}' is {order.Status} and can no longer be dispatched.",
                new Dictionary<string, string> { ["status"] = order.Status.ToString() });
        }
    }

    private static (ImmutableArray<string> Technicians, string Primary) ValidateTechnicians(ImmutableArray<string> ids, string? primary)
    {
        var list = ids.IsDefault ? [] : ids;
        if (list.IsEmpty)
        {
            throw DomainException.Validation("technicianIds", "Choose at least one technician.");
        }

        if (list.Length > MaxTechnicians)
        {
            throw DomainException.Validation("technicianIds", $"At most {MaxTechnicians} technicians on one work order.");
        }

        if (list.Any(id => !TenantKey.IsValidPart(id)))
        {
            throw DomainException.Validation("technicianIds", "Technician ids are 1-64 letters, digits, '-', '_' or '.'.");
        }

        if (list.Distinct(StringComparer.Ordinal).Count() != list.Length)
        {
            throw DomainException.Validation("technicianIds", "A technician is listed twice.");
        }

        var chosen = primary ?? list[0];
        if (!list.Contains(chosen))
        {
            throw DomainException.Validation("primaryTechnicianId", "The primary technician must be one of the technicians.");
        }

        return ([chosen, .. list.Where(id => id != chosen)], chosen);
    }

    private static TimeSpan ValidateDuration(TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero || duration > TimeSpan.FromDays(14))
        {
            throw DomainException.Validation("estimatedDuration", "The estimated duration must be more than zero and at most 14 days.");
        }

        return duration;
    }

    private static void ValidateArrival(TimeWindow arrival, DateTimeOffset now)
    {
        if (arrival.End <= now)
        {
            throw DomainException.Validation("arrivalWindow", "The arrival window has already ended.");
        }

        if (arrival.Duration > TimeSpan.FromDays(14))
        {
            throw DomainException.Validation("arrivalWindow", "The arrival window is at most 14 days long.");
        }
    }

    private static void ValidateOverride(bool conflicts, bool capacity, string? reason)
    {
        if ((conflicts || capacity) && string.IsNullOrWhiteSpace(reason))
        {
            throw DomainException.Validation("overrideReason", "Overriding conflicts or capacity needs a reason; it is recorded in the timeline.");
        }

        ValidateText(reason, "overrideReason");
    }

    private static void ValidateText(string? value, string field)
    {
        if (value is { Length: > WorkOrderRules.MaxTextLength })
        {
            throw DomainException.Validation(field, $"{field} is longer than {WorkOrderRules.MaxTextLength} characters.");
        }
    }

    private static string Names(ImmutableArray<AssignedTechnician> technicians) =>
        string.Join(", ", technicians.Select(t => t.Role == AssignmentRole.Primary && technicians.Length > 1 ? t.Name + " (primary)" : t.Name));

    internal static string Format(DateTimeOffset instant) =>
        instant.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private static string Format(TimeWindow window) =>
        window.Start.Date == window.End.Date
            ? string.Create(CultureInfo.InvariantCulture, $"{window.Start:yyyy-MM-dd HH:mm}–{window.End:HH:mm} UTC")
            : string.Create(CultureInfo.InvariantCulture, $"{window.Start:yyyy-MM-dd HH:mm} – {window.End:yyyy-MM-dd HH:mm} UTC");
}
