using System.Collections.Immutable;
using Dispatch.Domain.Geo;

namespace Dispatch.Domain.Scheduling;

/// <summary>
/// Decides whether a proposed booking fits a technician's schedule, reporting every conflict at once (on any
/// day the proposal touches, not only its first) so a dispatcher sees the whole picture before overriding.
/// </summary>
/// <remarks>
/// Rules, each its own conflict kind:
/// <list type="bullet">
/// <item>no overlap with another booking (touching is fine: windows are half-open);</item>
/// <item>no overlap with an availability block, except on-call time, which is availability;</item>
/// <item>start and end inside working time (shifts or on-call); off-duty pauses inside a multi-day job are fine;</item>
/// <item>the gap to the previous and next booking is at least the drive between their sites;</item>
/// <item>active work orders and booked time per local day stay within the technician's capacity.</item>
/// </list>
/// Re-booking a work order the schedule already holds is a move: its current booking is ignored.
/// </remarks>
public sealed class ScheduleConflictChecker
{
    public ScheduleConflictChecker(TravelEstimator? travel = null) => Travel = travel ?? TravelEstimator.Default;

    public TravelEstimator Travel { get; }

    /// <param name="activeWorkOrders">
    /// Work orders the technician holds now. The proposal adds one more unless the schedule already books it, so
    /// moving a work order the technician holds never trips the active-order limit (even one lowered since).
    /// </param>
    public ImmutableArray<ScheduleConflict> Check(TechnicianSchedule schedule, Booking proposal, int activeWorkOrders)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(proposal);
        ArgumentOutOfRangeException.ThrowIfNegative(activeWorkOrders);

        var zone = schedule.TimeZone;
        var window = proposal.Window;
        var movingId = proposal.WorkOrderId;
        var conflicts = new List<ScheduleConflict>();

        foreach (var other in schedule.BookingsOverlapping(window))
        {
            if (other.WorkOrderId == movingId) continue;
            conflicts.Add(new ScheduleConflict(
                ScheduleConflictKind.Overlap, other.Window,
                $"Overlaps work order {other.WorkOrderId} ({Describe.Window(other.Window, zone)})",
                WorkOrderId: other.WorkOrderId));
        }

        foreach (var block in schedule.Blocks)
        {
            if (!block.BlocksWork || !block.Window.Overlaps(window)) continue;
            var note = string.IsNullOrWhiteSpace(block.Note) ? "" : $": {block.Note}";
            conflicts.Add(new ScheduleConflict(
                ScheduleConflictKind.AvailabilityBlock, block.Window,
                $"{KindName(block.Kind)} {Describe.Window(block.Window, zone)}{note}",
                Block: block));
        }

        // Daily limits need working time for the whole of every day the proposal touches, and for the other
        // bookings on those days; fetch it once for all of them.
        var dailyLimit = schedule.Capacity.MaxBookedTimePerDay;
        List<(DateOnly Date, TimeWindow Day)>? days = null;
        List<Booking>? sameDayBookings = null;
        var coverageRange = window;
        if (dailyLimit is not null)
        {
            days = WorkingTime.LocalDays(window, zone);
            var allDays = new TimeWindow(days[0].Day.Start, days[^1].Day.End);
            sameDayBookings = schedule.BookingsOverlapping(allDays);
            sameDayBookings.RemoveAll(b => b.WorkOrderId == movingId);
            coverageRange = TechnicianSchedule.Span(allDays, sameDayBookings);
        }
        var coverage = WorkingTime.Coverage(schedule.WorkingHours, schedule.Blocks, coverageRange);

        foreach (var offDuty in WorkingTime.OffTheClock(window, coverage))
        {
            conflicts.Add(new ScheduleConflict(
                ScheduleConflictKind.OutsideWorkingHours, offDuty,
                $"Outside working hours {Describe.Window(offDuty, zone)}"));
        }

        if (proposal.Site is { } site)
        {
            if (schedule.PreviousBooking(window.Start, movingId) is { Site: { } previousSite } previous)
            {
                var needed = Travel.Estimate(previousSite, site);
                var gap = window.Start - previous.Window.End;
                if (gap < needed)
                    conflicts.Add(new ScheduleConflict(
                        ScheduleConflictKind.InsufficientTravelTimeFromPrevious, previous.Window,
                        $"Needs {Describe.Duration(needed)} to drive from work order {previous.WorkOrderId} (ends {Describe.Time(previous.Window.End, zone)}), only {Describe.Duration(gap)} between them",
                        WorkOrderId: previous.WorkOrderId, Needed: needed, Available: gap));
            }
            if (schedule.NextBooking(window.End, movingId) is { Site: { } nextSite } next)
            {
                var needed = Travel.Estimate(site, nextSite);
                var gap = next.Window.Start - window.End;
                if (gap < needed)
                    conflicts.Add(new ScheduleConflict(
                        ScheduleConflictKind.InsufficientTravelTimeToNext, next.Window,
                        $"Needs {Describe.Duration(needed)} to drive on to work order {next.WorkOrderId} (starts {Describe.Time(next.Window.Start, zone)}), only {Describe.Duration(gap)} between them",
                        WorkOrderId: next.WorkOrderId, Needed: needed, Available: gap));
            }
        }

        if (schedule.Capacity.MaxActiveWorkOrders is { } maxActive)
        {
            // Only look the work order up when it decides the outcome: the lookup is a scan of the calendar.
            if (activeWorkOrders >= maxActive && schedule.Find(movingId) is null)
                conflicts.Add(new ScheduleConflict(
                    ScheduleConflictKind.CapacityActiveOrders, window,
                    $"Already has {activeWorkOrders} active work order{(activeWorkOrders == 1 ? "" : "s")}; the limit is {maxActive}"));
        }

        if (dailyLimit is { } limit && days is not null && sameDayBookings is not null)
        {
            var proposedParts = WorkingTime.WorkedParts(window, coverage);
            var otherParts = sameDayBookings.Select(b => WorkingTime.WorkedParts(b.Window, coverage)).ToList();
            foreach (var (date, day) in days)
            {
                var proposed = Sum(proposedParts, day);
                if (proposed == TimeSpan.Zero) continue; // the job pauses all day (a weekend inside it)
                var booked = TimeSpan.Zero;
                foreach (var parts in otherParts) booked += Sum(parts, day);
                var total = booked + proposed;
                if (total > limit)
                    conflicts.Add(new ScheduleConflict(
                        ScheduleConflictKind.CapacityDailyHours, day,
                        $"Would be booked {Describe.Duration(total)} on {Describe.Day(date)}; the limit is {Describe.Duration(limit)}",
                        Needed: total, Available: limit));
            }
        }

        conflicts.Sort(static (a, b) =>
        {
            var byStart = a.Window.Start.CompareTo(b.Window.Start);
            return byStart != 0 ? byStart : a.Kind.CompareTo(b.Kind);
        });
        return [.. conflicts];
    }

    /// <summary>
    /// Books the proposal when it fits, or regardless when the dispatcher overrides. Meant to run inside the
    /// technician's grain, which makes check-and-book one atomic step.
    /// </summary>
    public ReservationResult TryReserve(TechnicianSchedule schedule, Booking proposal, int activeWorkOrders, bool overrideConflicts = false)
    {
        var conflicts = Check(schedule, proposal, activeWorkOrders);
        return conflicts.IsEmpty || overrideConflicts
            ? new ReservationResult(true, schedule.Reserve(proposal), conflicts)
            : new ReservationResult(false, schedule, conflicts);
    }

    private static TimeSpan Sum(List<TimeWindow> parts, TimeWindow day)
    {
        var total = TimeSpan.Zero;
        foreach (var part in parts) total += part.OverlapWith(day);
        return total;
    }

    private static string KindName(AvailabilityKind kind) => kind switch
    {
        AvailabilityKind.Pto => "Time off",
        AvailabilityKind.Training => "Training",
        AvailabilityKind.OnCall => "On call",
        _ => "Unavailable",
    };
}
