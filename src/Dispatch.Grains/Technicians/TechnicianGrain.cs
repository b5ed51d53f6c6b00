using System.Collections.Immutable;
using Dispatch.Domain.Common;
using Dispatch.Domain.Identity;
using Dispatch.Domain.Matching;
using Dispatch.Domain.Scheduling;
using Dispatch.Domain.Technicians;
using Microsoft.Extensions.Logging;

namespace Dispatch.Grains.Technicians;

/// <summary>
/// Stored with the grain-storage JSON serializer, so plain settable properties and lists of the domain's immutable
/// records (which it reads through their constructors). The calendar is rebuilt from these on activation.
/// </summary>
[GenerateSerializer, Alias("Dispatch.TechnicianGrainState")]
public sealed class TechnicianGrainState
{
    [Id(0)] public Technician? Technician { get; set; }
    [Id(1)] public List<Booking> Bookings { get; set; } = [];
    [Id(2)] public List<AvailabilityBlock> Blocks { get; set; } = [];
    /// <summary>Work orders reserved and not finished.</summary>
    [Id(3)] public List<string> ActiveWorkOrders { get; set; } = [];
    [Id(4)] public TechnicianPosition? Location { get; set; }
    /// <summary>Orders updates to the best-match index: it keeps the highest it saw.</summary>
    [Id(5)] public long Version { get; set; }

    public TechnicianGrainState Copy() => new()
    {
        Technician = Technician,
        Bookings = [.. Bookings],
        Blocks = [.. Blocks],
        ActiveWorkOrders = [.. ActiveWorkOrders],
        Location = Location,
        Version = Version,
    };

    public TechnicianSchedule Schedule() => TechnicianRules.Schedule(Technician!, Bookings, Blocks);

    public TechnicianSummary? Summarize(DateTimeOffset now) =>
        Technician is null ? null : TechnicianRules.Summarize(Technician, Schedule(), ActiveWorkOrders.Count, Location, now);
}

public sealed class TechnicianGrain(
    [PersistentState(TechnicianGrain.StateName)] IPersistentState<TechnicianGrainState> state,
    TimeProvider clock,
    ScheduleConflictChecker checker,
    TechnicianIndexPublisher index,
    ILogger<TechnicianGrain> logger) : Grain, ITechnicianGrain
{
    /// <summary>The state's name in storage; distinct per grain type because Orleans keys stored rows by state name and grain key.</summary>
    public const string StateName = "technician";

    /// <summary>Location fixes are written to storage at most this often (the index gets every one).</summary>
    public static readonly TimeSpan LocationPersistInterval = TimeSpan.FromMinutes(1);

    private TechnicianSchedule? _schedule;
    private DateTimeOffset _locationPersistedAt;
    private bool _locationDirty;

    private (string Tenant, string Id) Key => TenantKey.Parse(this.GetPrimaryKeyString());

    private TechnicianSchedule Schedule => _schedule ??= state.State.Schedule();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Whoever holds the index hears about every technician that comes to life (after a restart in memory mode too).
        if (state.State.Technician is not null) Announce();
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_locationDirty && state.State.Technician is not null)
        {
            try
            {
                await state.WriteStateAsync(cancellationToken);
            }
            catch (Exception ex)
            {
                logger.LogDebug(ex, "Could not persist the last location of {Technician} on deactivation.", this.GetPrimaryKeyString());
            }
        }
    }

    public async Task<Technician> Create(NewTechnician input, Actor actor)
    {
        var (tenant, id) = Key;
        GrainGuards.EnsureSameTenant(tenant, actor);
        GrainGuards.EnsureOffice(actor, "create technicians");
        if (state.State.Technician is not null)
        {
            throw new DomainException(ErrorCodes.AlreadyExists, $"Technician '{id}' already exists.");
        }

        var technician = TechnicianRules.Create(tenant, id, input, clock.GetUtcNow()) with { UpdatedBy = actor.UserId };
        await Commit(s => s.Technician = technician);
        return technician;
    }

    public Task<Technician?> Get() => Task.FromResult(state.State.Technician);

    public Task<Technician> SetActive(bool active, Actor actor) =>
        UpdateProfile(actor, t => TechnicianRules.SetActive(t, active, clock.GetUtcNow()));

    public Task<Technician> Update(TechnicianUpdate update, Actor actor) =>
        UpdateProfile(actor, t => TechnicianRules.Update(t, update, clock.GetUtcNow()));

    public Task<Technician> SetWorkingHours(ImmutableArray<WorkingShift> shifts, Actor actor) =>
        UpdateProfile(actor, t => TechnicianRules.SetWorkingHours(t, shifts, clock.GetUtcNow()));

    public Task<Technician> SetCapacity(TechnicianCapacity capacity, Actor actor) =>
        UpdateProfile(actor, t => TechnicianRules.SetCapacity(t, capacity, clock.GetUtcNow()));

    public async Task<AvailabilityChange> AddAvailabilityBlock(AvailabilityBlock block, Actor actor)
    {
        Existing(actor);
        GrainGuards.EnsureOffice(actor, "change technicians' availability");
        TechnicianRules.ValidateBlock(block);
        await Commit(s =>
        {
            s.Blocks.RemoveAll(b => b.Id == block.Id);
            s.Blocks.Add(block);
        });
        var affected = block.BlocksWork ? Schedule.BookingsOverlapping(block.Window).ToImmutableArray() : [];
        return new AvailabilityChange(View(null), affected);
    }

    public async Task<TechnicianScheduleView> RemoveAvailabilityBlock(string blockId, Actor actor)
    {
        Existing(actor);
        GrainGuards.EnsureOffice(actor, "change technicians' availability");
        if (state.State.Blocks.Any(b => b.Id == blockId))
        {
            await Commit(s => s.Blocks.RemoveAll(b => b.Id == blockId));
        }

        return View(null);
    }

    public async Task ReportLocation(TechnicianPosition fix, Actor actor)
    {
        var technician = Existing(actor);
        var allowed = actor.IsInRole(Roles.Device) || actor.IsInRole(Roles.Admin) || actor.IsInRole(Roles.Dispatcher) || actor.IsInRole(Roles.System)
            || (actor.IsInRole(Roles.Technician) && technician.UserId is not null && technician.UserId == actor.UserId);
        if (!allowed)
        {
            throw new DomainException(ErrorCodes.Forbidden, "Only devices, the technician and the office may report this technician's location.");
        }

        if (state.State.Location is { } current && current.At >= fix.At) return; // late or duplicate fix

        var now = clock.GetUtcNow();
        if (now - _locationPersistedAt >= LocationPersistInterval)
        {
            await Commit(s => s.Location = fix);
            _locationPersistedAt = now;
            _locationDirty = false;
            return;
        }

        // Between writes the fix lives in memory; it is written with the next change, the next minute, or on deactivation.
        state.State.Location = fix;
        state.State.Version = NextVersion();
        _locationDirty = true;
        Announce();
    }

    public Task<TechnicianScheduleView> GetSchedule(TimeWindow? range = null)
    {
        if (state.State.Technician is null) throw DomainException.NotFound("Technician", Key.Id);
        return Task.FromResult(View(range));
    }

    public Task<TechnicianSummary?> GetSummary() => Task.FromResult(Summarize());

    public Task<ImmutableArray<ScheduleConflict>> CheckAvailability(ReservationRequest request)
    {
        if (state.State.Technician is null) throw DomainException.NotFound("Technician", Key.Id);
        var booking = new Booking(request.WorkOrderId, request.Window, request.Site, request.Kind);
        return Task.FromResult(checker.Check(ScheduleFor(request.WorkOrderId), booking, state.State.ActiveWorkOrders.Count));
    }

    public async Task<ReservationOutcome> Reserve(ReservationRequest request, Actor actor)
    {
        var technician = Existing(actor);
        var now = clock.GetUtcNow();

        // The same booking relabelled (a new primary among the same technicians): it is already this work order's time.
        if (Schedule.Find(request.WorkOrderId) is { } held && held.Window == request.Window && state.State.ActiveWorkOrders.Contains(request.WorkOrderId))
        {
            if (held.Kind != request.Kind || held.Site != request.Site)
            {
                var relabelled = Schedule.Reserve(new Booking(request.WorkOrderId, request.Window, request.Site, request.Kind));
                await Commit(s => s.Bookings = [.. relabelled.Bookings]);
            }

            return new ReservationOutcome { Status = ReservationStatus.Reserved, TechnicianId = technician.Id, TechnicianName = technician.Name, UserId = technician.UserId };
        }

        var (schedule, outcome) = TechnicianRules.Reserve(technician, ScheduleFor(request.WorkOrderId), state.State.ActiveWorkOrders.Count, request, checker);
        if (!outcome.IsReserved) return outcome;

        var cutoff = now - TechnicianRules.BookingRetention;
        await Commit(s =>
        {
            s.Bookings = [.. schedule.Bookings.Where(b => b.Window.End >= cutoff || s.ActiveWorkOrders.Contains(b.WorkOrderId))];
            if (!s.ActiveWorkOrders.Contains(request.WorkOrderId)) s.ActiveWorkOrders.Add(request.WorkOrderId);
        });
        return outcome;
    }

    public async Task Release(string workOrderId, Actor actor)
    {
        Existing(actor);
        if (Schedule.Find(workOrderId) is null && !state.State.ActiveWorkOrders.Contains(workOrderId)) return;
        await Commit(s =>
        {
            s.Bookings.RemoveAll(b => b.WorkOrderId == workOrderId);
            s.ActiveWorkOrders.Remove(workOrderId);
        });
    }

    public async Task Finish(string workOrderId, DateTimeOffset at, Actor actor)
    {
        Existing(actor);
        var finished = TechnicianRules.Finish(Schedule, workOrderId, at);
        if (ReferenceEquals(finished, Schedule) && !state.State.ActiveWorkOrders.Contains(workOrderId)) return;
        await Commit(s =>
        {
            s.Bookings = [.. finished.Bookings];
            s.ActiveWorkOrders.Remove(workOrderId);
        });
    }

    /// <summary>
    /// The calendar a reservation for <paramref name="workOrderId"/> is checked against. A finished earlier visit of the
    /// same order (a return visit after Awaiting Parts) is left out: the new visit replaces it and must count as new work
    /// against the active-order limit, which the checker waives for orders it finds booked.
    /// </summary>
    private TechnicianSchedule ScheduleFor(string workOrderId) =>
        !state.State.ActiveWorkOrders.Contains(workOrderId) && Schedule.Find(workOrderId) is not null ? Schedule.Release(workOrderId) : Schedule;

    private async Task<Technician> UpdateProfile(Actor actor, Func<Technician, Technician> change)
    {
        var current = Existing(actor);
        GrainGuards.EnsureOffice(actor, "change technicians");
        var next = change(current);
        if (ReferenceEquals(next, current)) return current;
        next = next with { UpdatedBy = actor.UserId };
        await Commit(s => s.Technician = next);
        return next;
    }

    private Technician Existing(Actor actor)
    {
        var (tenant, id) = Key;
        GrainGuards.EnsureSameTenant(tenant, actor);
        return state.State.Technician ?? throw DomainException.NotFound("Technician", id);
    }

    /// <summary>
    /// Applies a change to a copy, writes it, and only then makes it the current state; a failed write leaves the previous
    /// state in place and deactivates, so the next call reloads from storage.
    /// </summary>
    private async Task Commit(Action<TechnicianGrainState> change)
    {
        var previous = state.State;
        var next = previous.Copy();
        change(next);
        next.Version = NextVersion();
        state.State = next;
        _schedule = null;
        try
        {
            await state.WriteStateAsync();
            _locationDirty = false;
        }
        catch
        {
            state.State = previous;
            _schedule = null;
            DeactivateOnIdle();
            throw;
        }

        Announce();
    }

    /// <summary>Monotonic per technician, and ahead of anything an earlier activation announced (it is time-based).</summary>
    private long NextVersion() => Math.Max(state.State.Version + 1, clock.GetUtcNow().UtcTicks);

    // From the cached schedule: the next reservation needs the same one, so a commit builds it once, not twice.
    private TechnicianSummary? Summarize() => state.State.Technician is { } technician
        ? TechnicianRules.Summarize(technician, Schedule, state.State.ActiveWorkOrders.Count, state.State.Location, clock.GetUtcNow())
        : null;

    private void Announce()
    {
        if (Summarize() is { } summary)
        {
            index.Publish(Key.Tenant, summary, state.State.Version);
        }
    }

    private TechnicianScheduleView View(TimeWindow? range)
    {
        var schedule = Schedule;
        var technician = state.State.Technician!;
        return new TechnicianScheduleView
        {
            TechnicianId = technician.Id,
            TimeZoneId = technician.TimeZoneId,
            WorkingHours = technician.WorkingHours,
            Capacity = technician.Capacity,
            Bookings = range is { } r ? [.. schedule.BookingsOverlapping(r)] : schedule.Bookings,
            AvailabilityBlocks = range is { } w ? [.. schedule.Blocks.Where(b => b.Window.Overlaps(w))] : schedule.Blocks,
            ActiveWorkOrderIds = [.. state.State.ActiveWorkOrders],
            Location = state.State.Location,
        };
    }
}
