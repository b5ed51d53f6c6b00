using Dispatch.Domain.Scheduling;
using static Dispatch.Domain.Tests.Scheduling.Fixtures;

namespace Dispatch.Domain.Tests.Scheduling;

/// <summary>Working hours are wall-clock promises: they must hold on the days New York changes its clocks.</summary>
public class DaylightSavingConflictTests
{
    private static readonly WorkingHours Saturday22To06 =
        new(NewYork, [new WorkingShift(DayOfWeek.Saturday, new TimeOnly(22, 0), new TimeOnly(6, 0))]);

    [Fact]
    public void A_full_local_day_shift_fits_on_spring_forward_day() =>
        Assert.Empty(Checker.Check(Schedule(EightToFiveEveryDay), Job("NEW", Window(Ny(3, 8, 8), Ny(3, 8, 17))), 0));

    [Fact]
    public void A_full_local_day_shift_fits_on_fall_back_day() =>
        Assert.Empty(Checker.Check(Schedule(EightToFiveEveryDay), Job("NEW", Window(Ny(11, 1, 8), Ny(11, 1, 17))), 0));

    [Fact]
    public void Starting_before_eight_local_on_spring_forward_day_is_flagged_by_local_time()
    {
        // 11:30 UTC is 07:30 EDT: before the shift, although it would be 06:30 on yesterday's offset.
        var conflict = Assert.Single(Checker.Check(Schedule(EightToFiveEveryDay), Job("NEW", Window(Utc(3, 8, 11, 30), Utc(3, 8, 13))), 0));
        Assert.Equal(Window(Utc(3, 8, 11, 30), Utc(3, 8, 12)), conflict.Window);
    }

    [Fact]
    public void Running_past_five_local_on_fall_back_day_is_flagged_by_local_time()
    {
        // 22:00 UTC is 17:00 EST; on yesterday's offset it would have been 18:00.
        var conflict = Assert.Single(Checker.Check(Schedule(EightToFiveEveryDay), Job("NEW", Window(Utc(11, 1, 20), Utc(11, 1, 22, 30))), 0));
        Assert.Equal(Window(Utc(11, 1, 22), Utc(11, 1, 22, 30)), conflict.Window);
    }

    [Fact]
    public void An_overnight_job_across_spring_forward_fits_the_seven_hour_shift() =>
        Assert.Empty(Checker.Check(Schedule(Saturday22To06), Job("NEW", Window(Ny(3, 7, 22), Ny(3, 8, 6))), 0));

    [Fact]
    public void Seven_and_a_half_real_hours_from_22_00_overrun_the_shortened_night()
    {
        // 22:00 EST + 7.5 h = 06:30 EDT.
        var conflict = Assert.Single(Checker.Check(Schedule(Saturday22To06), Job("NEW", Hours(Ny(3, 7, 22), 7.5)), 0));
        Assert.Equal(ScheduleConflictKind.OutsideWorkingHours, conflict.Kind);
        Assert.Equal(TimeSpan.FromMinutes(30), conflict.Window.Duration);
    }

    [Fact]
    public void Nine_real_hours_fit_the_lengthened_night_across_fall_back() =>
        Assert.Empty(Checker.Check(Schedule(Saturday22To06), Job("NEW", Hours(Ny(10, 31, 22), 9)), 0));

    [Fact]
    public void Overlaps_across_the_change_compare_instants_not_wall_clocks()
    {
        // 01:30 EDT and 01:30 EST are an hour apart: a job at the first does not collide with one at the second.
        var first = Window(Utc(11, 1, 5, 30), Utc(11, 1, 6, 15));
        var second = Window(Utc(11, 1, 6, 30), Utc(11, 1, 7));
        var schedule = Schedule(WorkingHours.AroundTheClock(NewYork), bookings: [Job("FIRST", first)]);
        Assert.Empty(Checker.Check(schedule, Job("SECOND", second), 1));
    }

    [Fact]
    public void Daily_limit_on_the_short_day_counts_real_hours()
    {
        // 23-hour day; an around-the-clock technician with a 22 h limit books 00:00–24:00 local: 23 real hours.
        var schedule = Schedule(WorkingHours.AroundTheClock(NewYork), new TechnicianCapacity(maxBookedTimePerDay: TimeSpan.FromHours(22)));
        var conflict = Assert.Single(Checker.Check(schedule, Job("NEW", LocalClock.Day(new DateOnly(2026, 3, 8), NewYorkZone)), 0));
        Assert.Equal(ScheduleConflictKind.CapacityDailyHours, conflict.Kind);
        Assert.Equal(TimeSpan.FromHours(23), conflict.Needed);
    }
}
