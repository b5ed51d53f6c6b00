using Dispatch.Domain.Scheduling;
using static Dispatch.Domain.Tests.Scheduling.Fixtures;

namespace Dispatch.Domain.Tests.Scheduling;

public class WorkingHoursConflictTests
{
    [Fact]
    public void A_job_starting_before_the_shift_reports_the_early_part()
    {
        var conflict = Assert.Single(Checker.Check(Schedule(), Job("NEW", Window(Ny(3, 2, 7), Ny(3, 2, 9))), 0));
        Assert.Equal(ScheduleConflictKind.OutsideWorkingHours, conflict.Kind);
        Assert.Equal(Window(Ny(3, 2, 7), Ny(3, 2, 8)), conflict.Window);
    }

    [Fact]
    public void A_job_running_past_the_shift_reports_the_late_part()
    {
        var conflict = Assert.Single(Checker.Check(Schedule(), Job("NEW", Window(Ny(3, 2, 16), Ny(3, 2, 18, 30))), 0));
        Assert.Equal(ScheduleConflictKind.OutsideWorkingHours, conflict.Kind);
        Assert.Equal(Window(Ny(3, 2, 17), Ny(3, 2, 18, 30)), conflict.Window);
    }

    [Fact]
    public void A_job_on_a_day_off_is_outside_working_hours_entirely()
    {
        var saturday = Hours(Ny(3, 7, 10), 2);
        var conflict = Assert.Single(Checker.Check(Schedule(), Job("NEW", saturday), 0));
        Assert.Equal(ScheduleConflictKind.OutsideWorkingHours, conflict.Kind);
        Assert.Equal(saturday, conflict.Window);
    }

    [Fact]
    public void A_job_exactly_filling_the_shift_fits() =>
        Assert.Empty(Checker.Check(Schedule(), Job("NEW", Window(Ny(3, 2, 8), Ny(3, 2, 17))), 0));

    [Fact]
    public void Someone_with_no_shifts_is_always_off_the_clock() =>
        Assert.Single(Checker.Check(Schedule(new WorkingHours(NewYork, [])), Job("NEW", Hours(Ny(3, 2, 10), 1)), 0));

    [Fact]
    public void Around_the_clock_hours_accept_any_time() =>
        Assert.Empty(Checker.Check(Schedule(WorkingHours.AroundTheClock(NewYork)), Job("NEW", Window(Ny(3, 7, 23), Ny(3, 8, 4))), 0));

    [Fact]
    public void An_overnight_shift_accepts_a_job_after_midnight()
    {
        var nights = new WorkingHours(NewYork, [new WorkingShift(DayOfWeek.Monday, new TimeOnly(22, 0), new TimeOnly(6, 0))]);
        Assert.Empty(Checker.Check(Schedule(nights), Job("NEW", Window(Ny(3, 2, 23), Ny(3, 3, 3))), 0));
    }

    [Fact]
    public void An_overnight_shift_rejects_the_part_after_it_ends()
    {
        var nights = new WorkingHours(NewYork, [new WorkingShift(DayOfWeek.Monday, new TimeOnly(22, 0), new TimeOnly(6, 0))]);
        var conflict = Assert.Single(Checker.Check(Schedule(nights), Job("NEW", Window(Ny(3, 3, 5), Ny(3, 3, 7))), 0));
        Assert.Equal(Window(Ny(3, 3, 6), Ny(3, 3, 7)), conflict.Window);
    }

    [Fact]
    public void Back_to_back_shifts_form_one_stretch()
    {
        var hours = new WorkingHours(NewYork,
        [
            new WorkingShift(DayOfWeek.Monday, new TimeOnly(22, 0), new TimeOnly(6, 0)),
            new WorkingShift(DayOfWeek.Tuesday, new TimeOnly(6, 0), new TimeOnly(14, 0)),
        ]);
        Assert.Empty(Checker.Check(Schedule(hours), Job("NEW", Window(Ny(3, 3, 4), Ny(3, 3, 9))), 0));
    }

    [Fact]
    public void A_multi_day_job_pauses_overnight_without_conflict() =>
        Assert.Empty(Checker.Check(Schedule(), Job("MULTI", Window(Ny(3, 2, 9), Ny(3, 4, 17))), 0));

    [Fact]
    public void A_multi_day_job_pauses_over_the_weekend_without_conflict() =>
        Assert.Empty(Checker.Check(Schedule(), Job("MULTI", Window(Ny(3, 6, 14), Ny(3, 9, 11))), 0));

    [Fact]
    public void A_multi_day_job_must_still_start_on_the_clock()
    {
        var conflict = Assert.Single(Checker.Check(Schedule(), Job("MULTI", Window(Ny(3, 2, 6), Ny(3, 4, 17))), 0));
        Assert.Equal(Window(Ny(3, 2, 6), Ny(3, 2, 8)), conflict.Window);
    }

    [Fact]
    public void A_job_spanning_a_split_shift_break_pauses_for_the_break()
    {
        var split = new WorkingHours(NewYork,
        [
            new WorkingShift(DayOfWeek.Monday, new TimeOnly(8, 0), new TimeOnly(12, 0)),
            new WorkingShift(DayOfWeek.Monday, new TimeOnly(13, 0), new TimeOnly(17, 0)),
        ]);
        Assert.Empty(Checker.Check(Schedule(split), Job("NEW", Window(Ny(3, 2, 11), Ny(3, 2, 14))), 0));
        Assert.Single(Checker.Check(Schedule(split), Job("LUNCH", Window(Ny(3, 2, 12, 15), Ny(3, 2, 12, 45))), 0));
    }
}
