using System.Collections.Immutable;
using Dispatch.Domain.Common;
using Dispatch.Domain.Identity;
using Dispatch.Domain.Scheduling;
using Dispatch.Domain.Tracking;
using Dispatch.Domain.WorkOrders;
using Dispatch.Grains.Events;
using Dispatch.Grains.ReadModel;
using Dispatch.Grains.Technicians;
using Microsoft.Extensions.Logging;

namespace Dispatch.Grains.WorkOrders;

public enum TechnicianEffectKind
{
    /// <summary>Release the order's time unless the technician holds the order now.</summary>
    Release = 0,
    /// <summary>End the booking at <see cref="PendingTechnicianEffect.At"/> unless the technician holds the order now.</summary>
    Finish = 1,
}

/// <summary>
/// A change to a technician's calendar the work order owes but has not confirmed: written with the work order's state
/// before (or together with) the change that needs it, applied right after, and replayed on activation if the silo
/// died in between. Every effect is conditional on the current assignment, so replaying one late is harmless.
/// </summary>
[GenerateSerializer, Immutable, Alias("Dispatch.PendingTechnicianEffect")]
public sealed record PendingTechnicianEffect(
    [property: Id(0)] string TechnicianId,
    [property: Id(1)] TechnicianEffectKind Kind,
    [property: Id(2)] DateTimeOffset At);

[GenerateSerializer, Alias("Dispatch.WorkOrderGrainState")]
public sealed class WorkOrderGrainState : IOwesWorkOrderListRow
{
    [Id(0)] public WorkOrder? Order { get; set; }
    [Id(1)] public List<PendingTechnicianEffect> Pending { get; set; } = [];

    [NonSerialized] private WorkOrderListItem? _listRowToWrite;

    /// <inheritdoc/>
    /// <remarks>Not stored: the field is not serialized, and the JSON older rows were written in never had it.</remarks>
    [Newtonsoft.Json.JsonIgnore]
    public WorkOrderListItem? ListRowToWrite { get => _listRowToWrite; set => _listRowToWrite = value; }
}

/// <summary>
/// Thin shell around <see cref="WorkOrderRules"/> and <see cref="DispatchRules"/>: checks tenant and existence, reserves
/// and releases technicians' time on their grains, persists, and only then acknowledges, projects to the read model and
/// publishes the change. A refused rule or a failed write leaves the stored value as it was.
/// </summary>
/// <remarks>
/// <para>Calls go one way only: work order to technician. Technician grains never call work orders, so the two can
/// wait on each other without deadlock. A technician's location grain does call <see cref="ReportEta"/>, but from a task
/// of its own, never inside a turn (such as <c>SetActivity</c>) that a work order may be awaiting.</para>
/// <para>Scheduled dispatch and the overrun alert: the due time is part of the stored work order. On activation and after
/// every change a one-shot grain timer is armed for it (if within <see cref="TimerHorizon"/>), and a reminder is
/// registered as the durable wake-up that brings the grain back after idling or a restart. A reminder that fell due while
/// the silo was down fires a period late, so a starting silo also asks the read model which orders are due and wakes
/// them at once (<see cref="WakeUpSweeper"/>); the re-armed timer then fires immediately.</para>
/// </remarks>
public sealed class WorkOrderGrain(
    [PersistentState(WorkOrderGrain.StateName)] IPersistentState<WorkOrderGrainState> state,
    TimeProvider clock,
    IWorkOrderReadModelStore readModel,
    WorkOrderEventPublisher events,
    ILogger<WorkOrderGrain> logger) : Grain, IWorkOrderGrain, IRemindable
{
    /// <summary>The state's name in storage; distinct per grain type because Orleans keys stored rows by state name and grain key.</summary>
    public const string StateName = "workOrder";

    public const string WakeUpReminder = "wake-up";

    /// <summary>Due times further away than this are left to the reminder, so idle orders are not kept in memory.</summary>
    public static readonly TimeSpan TimerHorizon = TimeSpan.FromHours(1);

    private IGrainTimer? _timer;
    private DateTimeOffset? _timerFor;
    private DateTimeOffset? _reminderFor;

    private (string Tenant, string Id) Key => TenantKey.Parse(this.GetPrimaryKeyString());

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Pending.Count > 0 && state.State.Order is { } order)
        {
            // The silo died between a change and its effect on technicians' calendars: finish the job now.
            await ApplyEffectsAsync(order, [.. state.State.Pending], Actor.System(order.Tenant));
            if (state.State.Pending.Count == 0) await state.WriteStateAsync(cancellationToken);
        }

        ArmTimer();
    }

    public async Task<WorkOrder> Create(NewWorkOrder input, Actor actor)
    {
        var (tenant, id) = Key;
        GrainGuards.EnsureSameTenant(tenant, actor);
        if (state.State.Order is not null)
        {
            throw new DomainException(ErrorCodes.AlreadyExists, $"Work order '{id}' already exists.");
        }

        return await CommitAsync(WorkOrderRules.Create(tenant, id, input, actor, clock.GetUtcNow()), WorkOrderChangeKind.Created, actor, []);
    }

    public Task<WorkOrder?> Get() => Task.FromResult(state.State.Order);

    public async Task<WorkOrder> AddNote(string note, Actor actor) =>
        await CommitAsync(WorkOrderRules.AddNote(Existing(actor), note, actor, clock.GetUtcNow()), WorkOrderChangeKind.NoteAdded, actor, []);

    public async Task<DispatchResult> Dispatch(DispatchRequest request, Actor actor)
    {
        ArgumentNullException.ThrowIfNull(request);
        var order = Existing(actor);
        var now = clock.GetUtcNow();
        var plan = DispatchRules.PlanDispatch(order, request, actor, now);

        var reserved = await ReserveAsync(order, plan, plan.TechnicianIds, actor, restore: null);
        if (!reserved.Succeeded)
        {
            return new DispatchResult(DispatchOutcome.Conflicts, order, reserved.Conflicts);
        }

        var assigned = plan.TechnicianIds.Select(id => reserved.Assigned[id]).ToImmutableArray();
        var (next, notifications) = DispatchRules.ApplyDispatch(order, plan, assigned, reserved.Overridden, actor, now);
        try
        {
            next = await CommitAsync(next, plan.SendNow ? WorkOrderChangeKind.Dispatched : WorkOrderChangeKind.DispatchScheduled, actor, notifications);
        }
        catch
        {
            await RollBackAsync(order, reserved, restore: null, actor);
            throw;
        }

        return new DispatchResult(plan.SendNow ? DispatchOutcome.Dispatched : DispatchOutcome.Scheduled, next, reserved.Overridden);
    }

    public async Task<DispatchResult> Reassign(ReassignRequest request, Actor actor)
    {
        ArgumentNullException.ThrowIfNull(request);
        var order = Existing(actor);
        var now = clock.GetUtcNow();
        var plan = DispatchRules.PlanReassign(order, request, actor, now);
        var current = order.Assignment!;
        var visit = order.Visit!;

        // Reserve for newcomers, and again for those who stay if their time or role changes; keep what they held, to put
        // it back should the reassignment fail.
        var toReserve = plan.TechnicianIds
            .Where(id => !current.Includes(id) || plan.BookedWindow != visit.BookedWindow || KindOf(current, id) != plan.KindFor(id))
            .ToList();
        var restore = current.Technicians
            .Where(t => toReserve.Contains(t.TechnicianId))
            .ToDictionary(t => t.TechnicianId, t => new Booking(order.Id, visit.BookedWindow, order.Site.Location, KindOf(current, t.TechnicianId)));
        var reserved = await ReserveAsync(order, plan, toReserve, actor, restore);
        if (!reserved.Succeeded)
        {
            return new DispatchResult(DispatchOutcome.Conflicts, order, reserved.Conflicts);
        }

        var assigned = plan.TechnicianIds
            .Select(id => reserved.Assigned.TryGetValue(id, out var t)
                ? t
                : current.Technicians.Single(c => c.TechnicianId == id) with { Role = plan.KindFor(id) == BookingKind.Primary ? AssignmentRole.Primary : AssignmentRole.Supporting })
            .ToImmutableArray();
        var (next, notifications) = DispatchRules.ApplyReassign(order, plan, assigned, reserved.Overridden, request.Reason, actor, now);
        var released = current.GetTechnicianIds().Where(id => !plan.TechnicianIds.Contains(id))
            .Select(id => new PendingTechnicianEffect(id, TechnicianEffectKind.Release, now)).ToList();
        try
        {
            next = await CommitAsync(next, WorkOrderChangeKind.Reassigned, actor, notifications, released);
        }
        catch
        {
            await RollBackAsync(order, reserved, restore, actor);
            throw;
        }

        await ApplyEffectsAsync(next, released, actor);
        await TellTrackingAsync(order, next);
        return new DispatchResult(DispatchOutcome.Reassigned, next, reserved.Overridden);
    }

    public async Task<WorkOrder> Unassign(string? reason, Actor actor)
    {
        var order = Existing(actor);
        var now = clock.GetUtcNow();
        var (next, notifications) = DispatchRules.Unassign(order, reason, actor, now);
        var released = order.Assignment!.GetTechnicianIds().Select(id => new PendingTechnicianEffect(id, TechnicianEffectKind.Release, now)).ToList();
        next = await CommitAsync(next, WorkOrderChangeKind.Unassigned, actor, notifications, released);
        await ApplyEffectsAsync(next, released, actor);
        await TellTrackingAsync(order, next);
        return next;
    }

    public async Task<WorkOrder> ChangeStatus(StatusChange change, Actor actor)
    {
        ArgumentNullException.ThrowIfNull(change);
        var order = Existing(actor);
        var now = clock.GetUtcNow();
        var (next, notifications) = DispatchRules.ChangeStatus(order, change, actor, now);

        ReservationBatch? resumed = null;
        if (order.Status == WorkOrderStatus.AwaitingParts && next.Status == WorkOrderStatus.OnSite && order.Assignment is { } assignment)
        {
            // The parts arrived while the technicians are still there: they hold the order again from now. They are on
            // site, so whatever else their calendars say is overridden.
            var window = TimeWindow.FromDuration(now, DispatchRules.CurrentEstimate(order));
            var primary = assignment.GetPrimary().TechnicianId;
            var plan = new DispatchPlan(assignment.GetTechnicianIds(), primary, now, true, window, window, DispatchRules.CurrentEstimate(order),
                null, OverrideConflicts: true, OverrideCapacity: true, "Parts arrived while on site");
            resumed = await ReserveAsync(order, plan, plan.TechnicianIds, actor, restore: null);
            if (!resumed.Succeeded)
            {
                throw new DomainException(ErrorCodes.ScheduleConflict, "The technicians' calendars could not take the work back.");
            }

            next = next with { Visit = next.Visit is { } v ? v with { BookedWindow = window } : null };
        }

        var effects = new List<PendingTechnicianEffect>();
        if (DispatchRules.HoldsReservations(order) && !DispatchRules.HoldsReservations(next))
        {
            var kind = next.Status is WorkOrderStatus.Complete or WorkOrderStatus.AwaitingParts ? TechnicianEffectKind.Finish : TechnicianEffectKind.Release;
            effects.AddRange(order.Assignment!.GetTechnicianIds().Select(id => new PendingTechnicianEffect(id, kind, now)));
        }

        try
        {
            next = await CommitAsync(next, WorkOrderChangeKind.StatusChanged, actor, notifications, effects);
        }
        catch
        {
            if (resumed is not null) await RollBackAsync(order, resumed, restore: null, actor);
            throw;
        }

        await ApplyEffectsAsync(next, effects, actor);
        await TellTrackingAsync(order, next);
        return next;
    }

    /// <summary>
    /// Tracking sets each device's reporting interval from what its technician is doing (every few seconds en route near
    /// the site, once a minute on site), and the primary's location grain estimates this order's ETA while en route. Told
    /// only about technicians whose activity this change altered: a status change, a reassignment or an unassignment of an
    /// order under way. Best effort: the change is already stored and acknowledged either way.
    /// </summary>
    private async Task TellTrackingAsync(WorkOrder before, WorkOrder after)
    {
        var was = WorkOrderEtaRules.TechnicianActivities(before);
        var now = WorkOrderEtaRules.TechnicianActivities(after);
        var changes = now.Where(n => !was.TryGetValue(n.Key, out var w) || w != n.Value)
            .Concat(was.Where(w => !now.ContainsKey(w.Key)).Select(w => KeyValuePair.Create(w.Key, (TechnicianActivity.Idle, (TravelDestination?)null))))
            .ToList();
        if (changes.Count == 0)
        {
            return;
        }

        var system = Actor.System(after.Tenant);
        try
        {
            await Task.WhenAll(changes.Select(c =>
                GrainFactory.GetGrain<Tracking.ITechnicianLocationGrain>(TenantKey.Compose(after.Tenant, c.Key)).SetActivity(c.Value.Item1, c.Value.Item2, system)));
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not tell tracking that work order {WorkOrderId} is now {Status}.", after.Id, after.Status);
        }
    }

    public async Task<bool> ReportEta(string technicianId, ArrivalEstimate estimate)
    {
        ArgumentNullException.ThrowIfNull(estimate);
        if (state.State.Order is not { } order)
        {
            return false;
        }

        var outcome = WorkOrderEtaRules.Apply(order, technicianId, estimate, clock.GetUtcNow());
        if (outcome.Order is { } next)
        {
            await CommitAsync(next, WorkOrderChangeKind.EtaUpdated, Actor.System(order.Tenant), []);
        }

        return outcome.KeepReporting;
    }

    public async Task WakeUp()
    {
        await OnWakeUpAsync();
    }

    public async Task Reproject()
    {
        if (state.State.Order is { } order) await ProjectAsync(WorkOrderListItem.From(order));
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != WakeUpReminder) return;
        await OnWakeUpAsync();
        if (state.State.Order is not { } order || DispatchRules.NextWakeUp(order) is null)
        {
            // Nothing left to wake up for: the reminder has done its job.
            if (await this.GetReminder(WakeUpReminder) is { } reminder) await this.UnregisterReminder(reminder);
            _reminderFor = null;
        }
    }

    private async Task OnWakeUpAsync()
    {
        _timer?.Dispose();
        _timer = null;
        _timerFor = null;
        if (state.State.Order is not { } order)
        {
            return;
        }

        var now = clock.GetUtcNow();
        var system = Actor.System(order.Tenant);
        if (DispatchRules.IsDispatchPending(order) && order.Visit!.SendAt <= now + DispatchRules.SendNowTolerance)
        {
            var (sent, notifications) = DispatchRules.Send(order, system, now);
            order = await CommitAsync(sent, WorkOrderChangeKind.Dispatched, system, notifications);
        }

        if (DispatchRules.RaiseOverrunAlert(order, now) is var (alerted, alerts))
        {
            order = await CommitAsync(alerted, WorkOrderChangeKind.OverrunAlert, system, alerts);
        }

        ArmTimer();
    }

    private WorkOrder Existing(Actor actor)
    {
        var (tenant, id) = Key;
        GrainGuards.EnsureSameTenant(tenant, actor);
        return state.State.Order ?? throw DomainException.NotFound("Work order", id);
    }

    private static BookingKind KindOf(Assignment assignment, string technicianId) =>
        assignment.Technicians.Single(t => t.TechnicianId == technicianId).Role == AssignmentRole.Primary ? BookingKind.Primary : BookingKind.Supporting;

    private ITechnicianGrain Technician(string id) => GrainFactory.GetGrain<ITechnicianGrain>(TenantKey.Compose(Key.Tenant, id));

    /// <summary>What reserving a set of technicians came to.</summary>
    private sealed record ReservationBatch(
        bool Succeeded,
        IReadOnlyDictionary<string, AssignedTechnician> Assigned,
        ImmutableArray<TechnicianConflicts> Overridden,
        ImmutableArray<TechnicianConflicts> Conflicts,
        IReadOnlyList<string> ReservedIds);

    /// <summary>
    /// Reserves on every technician in parallel. All or nothing: if any refuses or conflicts, those that reserved are
    /// released (or given back their previous booking, from <paramref name="restore"/>) before answering. The technicians
    /// about to gain the order are first written down as pending releases, so a silo dying mid-way cannot leave a
    /// booking behind that no work order accounts for.
    /// </summary>
    private async Task<ReservationBatch> ReserveAsync(WorkOrder order, DispatchPlan plan, IReadOnlyList<string> technicianIds, Actor actor,
        IReadOnlyDictionary<string, Booking>? restore)
    {
        if (technicianIds.Count == 0)
        {
            return new ReservationBatch(true, new Dictionary<string, AssignedTechnician>(), [], [], []);
        }

        var newcomers = technicianIds.Where(id => restore is null || !restore.ContainsKey(id)).ToList();
        if (newcomers.Count > 0)
        {
            await WritePendingAsync(newcomers.Select(id => new PendingTechnicianEffect(id, TechnicianEffectKind.Release, plan.SendAt)));
        }

        var attempts = await Task.WhenAll(technicianIds.Select(async id =>
        {
            var request = new ReservationRequest
            {
                WorkOrderId = order.Id,
                Window = plan.BookedWindow,
                Site = order.Site.Location,
                Kind = plan.KindFor(id),
                OverrideConflicts = plan.OverrideConflicts,
                OverrideCapacity = plan.OverrideCapacity,
            };
            try
            {
                return (Id: id, Outcome: (ReservationOutcome?)await Technician(id).Reserve(request, actor), Error: (Exception?)null);
            }
            catch (Exception ex)
            {
                return (Id: id, Outcome: null, Error: ex);
            }
        }));

        var reservedIds = attempts.Where(a => a.Outcome?.IsReserved == true).Select(a => a.Id).ToList();
        var overridden = attempts
            .Where(a => a.Outcome is { IsReserved: true, Conflicts.IsEmpty: false })
            .Select(a => new TechnicianConflicts(a.Id, a.Outcome!.TechnicianName, a.Outcome.Conflicts))
            .ToImmutableArray();
        if (reservedIds.Count == attempts.Length)
        {
            var assigned = attempts.ToDictionary(a => a.Id, a => new AssignedTechnician(a.Id, a.Outcome!.TechnicianName,
                plan.KindFor(a.Id) == BookingKind.Primary ? AssignmentRole.Primary : AssignmentRole.Supporting, a.Outcome.UserId));
            return new ReservationBatch(true, assigned, overridden, [], reservedIds);
        }

        var failed = new ReservationBatch(false, new Dictionary<string, AssignedTechnician>(), overridden, [], reservedIds);
        await RollBackAsync(order, failed, restore, actor);
        // A definite "no" reserved nothing, so there is nothing to undo later; an unanswered call stays pending.
        ForgetPending(attempts.Where(a => a.Outcome is { IsReserved: false } || a.Error is DomainException).Select(a => a.Id).ToHashSet());

        if (attempts.FirstOrDefault(a => a.Error is not null).Error is { } error)
        {
            throw error is DomainException ? error : new DomainException(ErrorCodes.ScheduleConflict, $"A technician's calendar could not be reached: {error.Message}");
        }

        if (attempts.FirstOrDefault(a => a.Outcome?.Status == ReservationStatus.Refused) is { Outcome: { } refused })
        {
            throw new DomainException(refused.ErrorCode ?? ErrorCodes.Forbidden, refused.Message ?? "The technician cannot take this work order.",
                new Dictionary<string, string>
                {
                    ["technicianId"] = refused.TechnicianId,
                    ["conflicts"] = string.Join("; ", refused.Conflicts.Select(c => c.Description)),
                });
        }

        var conflicts = attempts
            .Where(a => a.Outcome is { Conflicts.IsEmpty: false })
            .Select(a => new TechnicianConflicts(a.Id, a.Outcome!.TechnicianName, a.Outcome.Conflicts))
            .ToImmutableArray();
        return failed with { Conflicts = conflicts };
    }

    /// <summary>Undoes the reservations of a batch: releases newcomers, gives those who stayed their previous booking back.</summary>
    private async Task RollBackAsync(WorkOrder order, ReservationBatch batch, IReadOnlyDictionary<string, Booking>? restore, Actor actor)
    {
        var undone = await Task.WhenAll(batch.ReservedIds.Select(async id =>
        {
            try
            {
                if (restore is not null && restore.TryGetValue(id, out var previous))
                {
                    await Technician(id).Reserve(new ReservationRequest
                    {
                        WorkOrderId = order.Id,
                        Window = previous.Window,
                        Site = previous.Site,
                        Kind = previous.Kind,
                        OverrideConflicts = true,
                        OverrideCapacity = true,
                    }, actor);
                }
                else
                {
                    await Technician(id).Release(order.Id, actor);
                }

                return id;
            }
            catch (DomainException ex) when (ex.Code == ErrorCodes.NotFound)
            {
                return id; // no such technician: nothing to undo
            }
            catch (Exception ex)
            {
                // Stays in the pending list: replayed on the next activation.
                logger.LogWarning(ex, "Could not undo the reservation of {WorkOrder} on technician {Technician}.", order.Id, id);
                return null;
            }
        }));
        ForgetPending(undone.OfType<string>().ToHashSet());
    }

    /// <summary>Applies technician effects right after the change that required them; what fails stays pending for the next activation.</summary>
    private async Task ApplyEffectsAsync(WorkOrder order, IReadOnlyList<PendingTechnicianEffect> effects, Actor actor)
    {
        if (effects.Count == 0) return;
        var done = await Task.WhenAll(effects.Select(async effect =>
        {
            var holds = DispatchRules.HoldsReservations(order) && order.Assignment!.Includes(effect.TechnicianId);
            try
            {
                if (!holds)
                {
                    if (effect.Kind == TechnicianEffectKind.Finish) await Technician(effect.TechnicianId).Finish(order.Id, effect.At, actor);
                    else await Technician(effect.TechnicianId).Release(order.Id, actor);
                }

                return effect.TechnicianId;
            }
            catch (DomainException ex) when (ex.Code == ErrorCodes.NotFound)
            {
                return effect.TechnicianId; // no such technician: nothing to change
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Could not update technician {Technician}'s calendar for {WorkOrder}; will retry on the next activation.",
                    effect.TechnicianId, order.Id);
                return null;
            }
        }));
        ForgetPending(done.OfType<string>().ToHashSet());
    }

    private void ForgetPending(IReadOnlySet<string> technicianIds) =>
        // In memory only: the next write drops them from storage; until then a replay would be a harmless no-op.
        state.State.Pending.RemoveAll(p => technicianIds.Contains(p.TechnicianId));

    private async Task WritePendingAsync(IEnumerable<PendingTechnicianEffect> effects)
    {
        var previous = state.State;
        var pending = previous.Pending.ToList();
        foreach (var effect in effects)
        {
            pending.RemoveAll(p => p.TechnicianId == effect.TechnicianId);
            pending.Add(effect);
        }

        state.State = new WorkOrderGrainState { Order = previous.Order, Pending = pending };
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State = previous;
            DeactivateOnIdle();
            throw;
        }
    }

    /// <summary>
    /// Stores the new value (with any technician effects it owes) and its list row, then publishes the change. Only a
    /// stored change is projected or published; a failed write restores the previous value and deactivates so the next
    /// call reads the truth from storage.
    /// </summary>
    /// <remarks>
    /// On the embedded file the list row is written in the same savepoint as the state (one commit to wait for, and the
    /// two never disagree); elsewhere storage leaves it owed and it is written here right after.
    /// </remarks>
    private async Task<WorkOrder> CommitAsync(WorkOrder next, WorkOrderChangeKind kind, Actor actor,
        ImmutableArray<TechnicianNotification> notifications, IReadOnlyList<PendingTechnicianEffect>? effects = null)
    {
        next = WorkOrderEtaRules.Normalize(next);
        var previous = state.State;
        var holding = DispatchRules.HoldsReservations(next) ? next.Assignment!.GetTechnicianIds().ToHashSet() : [];
        var pending = previous.Pending.Where(p => !holding.Contains(p.TechnicianId)).ToList();
        foreach (var effect in effects ?? [])
        {
            pending.RemoveAll(p => p.TechnicianId == effect.TechnicianId);
            pending.Add(effect);
        }

        state.State = new WorkOrderGrainState { Order = next, Pending = pending, ListRowToWrite = WorkOrderListItem.From(next) };
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State = previous;
            DeactivateOnIdle();
            throw;
        }

        if (state.State.ListRowToWrite is { } owed)
        {
            state.State.ListRowToWrite = null;
            await ProjectAsync(owed);
        }

        events.Publish(new WorkOrderChanged
        {
            Tenant = next.Tenant,
            WorkOrderId = next.Id,
            Kind = kind,
            Version = next.Version,
            At = next.UpdatedAt,
            Actor = actor,
            WorkOrder = next,
            Notifications = notifications,
        });
        ArmTimer();
        await EnsureReminderAsync(next);
        return next;
    }

    private async Task ProjectAsync(WorkOrderListItem row)
    {
        try
        {
            await readModel.UpsertAsync(row);
        }
        catch (Exception ex)
        {
            // The change is stored; the list catches up with the next change of this order or a rebuild.
            logger.LogWarning(ex, "Could not write work order {WorkOrder} v{Version} to the read model.", row.Id, row.Version);
        }
    }

    private void ArmTimer()
    {
        var wake = state.State.Order is { } order ? DispatchRules.NextWakeUp(order) : null;
        if (wake == _timerFor && (_timer is not null || wake is null)) return;
        _timer?.Dispose();
        _timer = null;
        _timerFor = null;
        if (wake is not { } at) return;
        var due = at - clock.GetUtcNow();
        if (due > TimerHorizon) return;
        _timer = this.RegisterGrainTimer(OnWakeUpAsync, new GrainTimerCreationOptions(due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan)
        {
            KeepAlive = true,
        });
        _timerFor = at;
    }

    private async Task EnsureReminderAsync(WorkOrder order)
    {
        if (DispatchRules.NextWakeUp(order) is not { } wake || wake == _reminderFor) return;
        var due = wake - clock.GetUtcNow();
        try
        {
            // Period: Orleans' minimum. The reminder unregisters itself once nothing is left to wake up for.
            await this.RegisterOrUpdateReminder(WakeUpReminder, due > TimeSpan.Zero ? due : TimeSpan.Zero, TimeSpan.FromMinutes(1));
            _reminderFor = wake;
        }
        catch (Exception ex)
        {
            // The timer still fires while this activation lives; the start-up sweep covers restarts.
            logger.LogWarning(ex, "Could not register the wake-up reminder of work order {WorkOrder}.", order.Id);
        }
    }
}
