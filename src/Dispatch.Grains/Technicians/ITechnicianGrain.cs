using System.Collections.Immutable;
using Orleans.Concurrency;
using Dispatch.Domain.Identity;
using Dispatch.Domain.Matching;
using Dispatch.Domain.Scheduling;
using Dispatch.Domain.Technicians;

namespace Dispatch.Grains.Technicians;

/// <summary>
/// One technician: profile, working hours, capacity, absences, current location and the calendar of bookings. The
/// calendar's serialization point: a reservation is checked and booked in one turn, so two dispatchers racing for
/// overlapping time cannot both win without an override. Key: "{tenant}/{technicianId}".
/// </summary>
/// <remarks>
/// Profile and calendar edits need the Dispatcher or Admin role. <see cref="Reserve"/>, <see cref="Release"/> and
/// <see cref="Finish"/> are called by work-order grains on behalf of an already authorized command; the API layer calls
/// the work-order grain, not these.
/// </remarks>
[Alias("Dispatch.ITechnicianGrain")]
public interface ITechnicianGrain : IGrainWithStringKey
{
    [Alias("Create")]
    Task<Technician> Create(NewTechnician input, Actor actor);

    [ReadOnly, Alias("Get")]
    Task<Technician?> Get();

    [Alias("SetActive")]
    Task<Technician> SetActive(bool active, Actor actor);

    /// <summary>Edits the profile (name, contact, Field role, skills, certifications, home base, time zone, user id).</summary>
    [Alias("Update")]
    Task<Technician> Update(TechnicianUpdate update, Actor actor);

    [Alias("SetWorkingHours")]
    Task<Technician> SetWorkingHours(ImmutableArray<WorkingShift> shifts, Actor actor);

    [Alias("SetCapacity")]
    Task<Technician> SetCapacity(TechnicianCapacity capacity, Actor actor);

    /// <summary>Adds or replaces (same id) a PTO, training, on-call or other block; lists the bookings it now conflicts with.</summary>
    [Alias("AddAvailabilityBlock")]
    Task<AvailabilityChange> AddAvailabilityBlock(AvailabilityBlock block, Actor actor);

    [Alias("RemoveAvailabilityBlock")]
    Task<TechnicianScheduleView> RemoveAvailabilityBlock(string blockId, Actor actor);

    /// <summary>
    /// A position fix from tracking. Kept in memory and pushed to the best-match index at once; written to storage at
    /// most once a minute. Allowed for devices, the technician themself, the office and the platform.
    /// </summary>
    [Alias("ReportLocation")]
    Task ReportLocation(TechnicianPosition fix, Actor actor);

    /// <summary>The calendar; with a range, only bookings and blocks overlapping it.</summary>
    [ReadOnly, Alias("GetSchedule")]
    Task<TechnicianScheduleView> GetSchedule(TimeWindow? range = null);

    /// <summary>What best match knows about the technician, live (used to confirm index suggestions).</summary>
    [ReadOnly, Alias("GetSummary")]
    Task<TechnicianSummary?> GetSummary();

    /// <summary>Every conflict a proposed booking would have, without booking anything.</summary>
    [ReadOnly, Alias("CheckAvailability")]
    Task<ImmutableArray<ScheduleConflict>> CheckAvailability(ReservationRequest request);

    /// <summary>Checks and books in one step (see <see cref="TechnicianRules.Reserve"/>). Re-reserving a work order moves it.</summary>
    [Alias("Reserve")]
    Task<ReservationOutcome> Reserve(ReservationRequest request, Actor actor);

    /// <summary>Frees the work order's time; releasing what is not booked changes nothing.</summary>
    [Alias("Release")]
    Task Release(string workOrderId, Actor actor);

    /// <summary>The work is done (or paused for parts): the booking ends at <paramref name="at"/> and no longer counts as active.</summary>
    [Alias("Finish")]
    Task Finish(string workOrderId, DateTimeOffset at, Actor actor);
}
