using Dispatch.Domain.Scheduling;
using static Dispatch.Domain.Tests.Scheduling.Fixtures;

namespace Dispatch.Domain.Tests.Scheduling;

public class CapacityConflictTests
{
    private static readonly TechnicianCapacity ThreeOrders = new(maxActiveWorkOrders: 3);
    private static readonly TechnicianCapacity EightHours = new(maxBookedTimePerDay: TimeSpan.FromHours(8));

    [Fact]
    public void Below_the_active_order_limit_is_fine() =>
        Assert.Empty(Checker.Check(Schedule(capacity: ThreeOrders), Job("NEW", Hours(Ny(3, 2, 9), 1)), activeWorkOrders: 2));

    [Fact]
    public void At_the_active_order_limit_is_a_conflict()
    {
        var proposal = Job("NEW", Hours(Ny(3, 2, 9), 1));
        var conflict = Assert.Single(Checker.Check(Schedule(capacity: ThreeOrders), proposal, activeWorkOrders: 3));
        Assert.Equal(ScheduleConflictKind.CapacityActiveOrders, conflict.Kind);
        Assert.Equal(proposal.Window, conflict.Window);
        Assert.Contains("limit is 3", conflict.Description);
    }

    [Fact]
    public void Moving_an_already_booked_order_does_not_count_it_twice()
    {
        var schedule = Schedule(capacity: ThreeOrders, bookings: [Job("WO-1", Hours(Ny(3, 2, 9), 1))]);
        Assert.Empty(Checker.Check(schedule, Job("WO-1", Hours(Ny(3, 2, 13), 1)), activeWorkOrders: 3));
    }

    [Fact]
    public void Moving_a_held_order_is_allowed_even_above_a_since_lowered_limit()
    {
        var schedule = Schedule(capacity: ThreeOrders, bookings: [Job("WO-1", Hours(Ny(3, 2, 9), 1))]);
        Assert.Empty(Checker.Check(schedule, Job("WO-1", Hours(Ny(3, 2, 13), 1)), activeWorkOrders: 5));
        Assert.Single(Checker.Check(schedule, Job("WO-2", Hours(Ny(3, 2, 13), 1)), activeWorkOrders: 5));
    }

    [Fact]
    public void Rejects_a_negative_active_order_count() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Checker.Check(Schedule(), Job("NEW", Hours(Ny(3, 2, 9), 1)), -1));

    [Fact]
    public void Exceeding_the_daily_limit_reports_the_local_day_and_the_totals()
    {
        var schedule = Schedule(capacity: EightHours, bookings: [Job("A", Hours(Ny(3, 2, 8), 3)), Job("B", Hours(Ny(3, 2, 11), 3))]);
        var conflict = Assert.Single(Checker.Check(schedule, Job("NEW", Hours(Ny(3, 2, 14), 3)), 2));
        Assert.Equal(ScheduleConflictKind.CapacityDailyHours, conflict.Kind);
        Assert.Equal(LocalClock.Day(new DateOnly(2026, 3, 2), NewYorkZone), conflict.Window);
        Assert.Equal(TimeSpan.FromHours(9), conflict.Needed);
        Assert.Equal(TimeSpan.FromHours(8), conflict.Available);
    }

    [Fact]
    public void Reaching_the_daily_limit_exactly_is_fine()
    {
        var schedule = Schedule(capacity: EightHours, bookings: [Job("A", Hours(Ny(3, 2, 8), 5))]);
        Assert.Empty(Checker.Check(schedule, Job("NEW", Hours(Ny(3, 2, 13), 3)), 1));
    }

    [Fact]
    public void Bookings_on_other_days_do_not_count_toward_the_limit()
    {
        var schedule = Schedule(capacity: EightHours, bookings: [Job("MONDAY", Hours(Ny(3, 2, 8), 8))]);
        Assert.Empty(Checker.Check(schedule, Job("TUESDAY", Hours(Ny(3, 3, 8), 8)), 1));
    }

    [Fact]
    public void A_multi_day_job_is_checked_against_each_day_it_works()
    {
        // Monday 13:00 to Wednesday 12:00 works 4 h Monday, 9 h Tuesday and 4 h Wednesday, where 5 h are
        // already booked: Tuesday and Wednesday go over 8 h, Monday does not.
        var schedule = Schedule(capacity: EightHours, bookings: [Job("WED", Hours(Ny(3, 4, 12), 5))]);
        var conflicts = Checker.Check(schedule, Job("MULTI", Window(Ny(3, 2, 13), Ny(3, 4, 12))), 1);
        Assert.All(conflicts, c => Assert.Equal(ScheduleConflictKind.CapacityDailyHours, c.Kind));
        Assert.Equal(
            [LocalClock.Day(new DateOnly(2026, 3, 3), NewYorkZone), LocalClock.Day(new DateOnly(2026, 3, 4), NewYorkZone)],
            conflicts.Select(c => c.Window));
        Assert.All(conflicts, c => Assert.Equal(TimeSpan.FromHours(9), c.Needed));
    }

    [Fact]
    public void Night_pauses_of_a_multi_day_job_do_not_count_as_booked_time()
    {
        // 15:00 Monday to 10:00 Wednesday works 2 h, 9 h and 2 h; with a 9 h limit nothing is exceeded.
        var schedule = Schedule(capacity: new TechnicianCapacity(maxBookedTimePerDay: TimeSpan.FromHours(9)));
        Assert.Empty(Checker.Check(schedule, Job("MULTI", Window(Ny(3, 2, 15), Ny(3, 4, 10))), 0));
    }

    [Fact]
    public void An_existing_multi_day_job_counts_its_worked_share_of_the_day()
    {
        // The existing job works 09:00–17:00 on Tuesday (8 h); one more hour breaks an 8 h limit.
        var schedule = Schedule(capacity: EightHours, bookings: [Job("MULTI", Window(Ny(3, 2, 15), Ny(3, 4, 10)))]);
        var conflicts = Checker.Check(schedule, Job("NEW", Hours(Ny(3, 3, 12), 1)), 1);
        Assert.Contains(conflicts, c => c.Kind == ScheduleConflictKind.CapacityDailyHours && c.Needed == TimeSpan.FromHours(10));
    }

    [Fact]
    public void An_overnight_shift_splits_booked_time_at_local_midnight()
    {
        var nights = new WorkingHours(NewYork, [new WorkingShift(DayOfWeek.Monday, new TimeOnly(20, 0), new TimeOnly(8, 0))]);
        var schedule = Schedule(nights, new TechnicianCapacity(maxBookedTimePerDay: TimeSpan.FromHours(5)));
        // 20:00–02:00: 4 h on Monday, 2 h on Tuesday; neither day is over 5 h although the job is 6 h.
        Assert.Empty(Checker.Check(schedule, Job("NEW", Window(Ny(3, 2, 20), Ny(3, 3, 2))), 0));
    }
}
