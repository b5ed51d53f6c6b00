using Dispatch.Domain.Scheduling;
using static Dispatch.Domain.Tests.Scheduling.Fixtures;

namespace Dispatch.Domain.Tests.Scheduling;

public class OverlapAndBlockConflictTests
{
    [Fact]
    public void A_free_slot_inside_working_hours_has_no_conflicts()
    {
        var schedule = Schedule(bookings: [Job("WO-1", Hours(Ny(3, 2, 8), 1))]);
        Assert.Empty(Checker.Check(schedule, Job("NEW", Hours(Ny(3, 2, 13), 2)), activeWorkOrders: 1));
    }

    [Fact]
    public void Bookings_touching_before_and_after_are_not_conflicts()
    {
        var schedule = Schedule(bookings: [Job("BEFORE", Window(Ny(3, 2, 8), Ny(3, 2, 10)), Depot), Job("AFTER", Window(Ny(3, 2, 12), Ny(3, 2, 14)), Depot)]);
        Assert.Empty(Checker.Check(schedule, Job("NEW", Window(Ny(3, 2, 10), Ny(3, 2, 12)), Depot), 2));
    }

    [Fact]
    public void Overlap_names_the_other_work_order_and_its_window()
    {
        var existing = Window(Ny(3, 2, 9), Ny(3, 2, 11));
        var schedule = Schedule(bookings: [Job("WO-1", existing)]);
        var conflict = Assert.Single(Checker.Check(schedule, Job("NEW", Window(Ny(3, 2, 10), Ny(3, 2, 12))), 1));
        Assert.Equal(ScheduleConflictKind.Overlap, conflict.Kind);
        Assert.Equal("WO-1", conflict.WorkOrderId);
        Assert.Equal(existing, conflict.Window);
        Assert.Contains("WO-1", conflict.Description);
        Assert.Contains("09:00–11:00", conflict.Description);
    }

    [Fact]
    public void Every_overlapping_booking_is_reported()
    {
        var schedule = Schedule(bookings: [Job("A", Hours(Ny(3, 2, 9), 1)), Job("B", Hours(Ny(3, 2, 11), 1)), Job("C", Hours(Ny(3, 2, 15), 1))]);
        var conflicts = Checker.Check(schedule, Job("NEW", Window(Ny(3, 2, 9, 30), Ny(3, 2, 11, 30))), 3);
        Assert.Equal(["A", "B"], conflicts.Where(c => c.Kind == ScheduleConflictKind.Overlap).Select(c => c.WorkOrderId));
    }

    [Fact]
    public void A_multi_day_job_conflicts_with_a_booking_on_its_third_day()
    {
        var schedule = Schedule(bookings: [Job("WEDNESDAY", Hours(Ny(3, 4, 14), 1))]);
        var proposal = Job("MULTI", Window(Ny(3, 2, 8), Ny(3, 4, 17)));
        var conflict = Assert.Single(Checker.Check(schedule, proposal, 1));
        Assert.Equal(ScheduleConflictKind.Overlap, conflict.Kind);
        Assert.Equal("WEDNESDAY", conflict.WorkOrderId);
    }

    [Fact]
    public void A_booking_conflicts_with_an_existing_multi_day_job_on_a_later_day()
    {
        var schedule = Schedule(bookings: [Job("MULTI", Window(Ny(3, 2, 8), Ny(3, 4, 17)))]);
        var conflict = Assert.Single(Checker.Check(schedule, Job("NEW", Hours(Ny(3, 4, 14), 1)), 1));
        Assert.Equal("MULTI", conflict.WorkOrderId);
    }

    [Fact]
    public void Moving_a_booked_work_order_does_not_conflict_with_its_old_slot()
    {
        var schedule = Schedule(bookings: [Job("WO-1", Hours(Ny(3, 2, 9), 2))]);
        Assert.Empty(Checker.Check(schedule, Job("WO-1", Hours(Ny(3, 2, 10), 2)), 1));
    }

    [Fact]
    public void Time_off_conflicts_and_carries_the_block()
    {
        var pto = new AvailabilityBlock("pto-7", AvailabilityKind.Pto, Window(Ny(3, 3, 0), Ny(3, 4, 0)), "Moving house");
        var conflict = Assert.Single(Checker.Check(Schedule(blocks: [pto]), Job("NEW", Hours(Ny(3, 3, 10), 1)), 0));
        Assert.Equal(ScheduleConflictKind.AvailabilityBlock, conflict.Kind);
        Assert.Equal(pto, conflict.Block);
        Assert.Equal(pto.Window, conflict.Window);
        Assert.Contains("Moving house", conflict.Description);
    }

    [Theory]
    [InlineData(AvailabilityKind.Pto)]
    [InlineData(AvailabilityKind.Training)]
    [InlineData(AvailabilityKind.Other)]
    public void Absence_blocks_conflict(AvailabilityKind kind)
    {
        var block = new AvailabilityBlock("b", kind, Hours(Ny(3, 2, 9), 3));
        Assert.Contains(Checker.Check(Schedule(blocks: [block]), Job("NEW", Hours(Ny(3, 2, 10), 1)), 0), c => c.Kind == ScheduleConflictKind.AvailabilityBlock);
    }

    [Fact]
    public void A_block_touching_the_job_is_not_a_conflict()
    {
        var training = new AvailabilityBlock("t", AvailabilityKind.Training, Window(Ny(3, 2, 8), Ny(3, 2, 12)));
        Assert.Empty(Checker.Check(Schedule(blocks: [training]), Job("NEW", Window(Ny(3, 2, 12), Ny(3, 2, 14))), 0));
    }

    [Fact]
    public void A_block_spanning_midnight_conflicts_with_early_work_next_day()
    {
        var nights = new WorkingHours(NewYork, [new WorkingShift(DayOfWeek.Monday, new TimeOnly(20, 0), new TimeOnly(8, 0))]);
        var block = new AvailabilityBlock("late-training", AvailabilityKind.Training, Window(Ny(3, 2, 22), Ny(3, 3, 2)));
        var conflicts = Checker.Check(Schedule(nights, blocks: [block]), Job("NEW", Window(Ny(3, 3, 1), Ny(3, 3, 3))), 0);
        var conflict = Assert.Single(conflicts);
        Assert.Equal(ScheduleConflictKind.AvailabilityBlock, conflict.Kind);
        Assert.Equal("late-training", conflict.Block?.Id);
    }

    [Fact]
    public void A_block_spanning_midnight_conflicts_with_late_work_the_evening_before()
    {
        var nights = new WorkingHours(NewYork, [new WorkingShift(DayOfWeek.Monday, new TimeOnly(20, 0), new TimeOnly(8, 0))]);
        var block = new AvailabilityBlock("late-training", AvailabilityKind.Training, Window(Ny(3, 2, 23), Ny(3, 3, 2)));
        Assert.Single(Checker.Check(Schedule(nights, blocks: [block]), Job("NEW", Window(Ny(3, 2, 21), Ny(3, 2, 23, 30))), 0));
    }

    [Fact]
    public void A_multi_day_block_conflicts_with_work_on_any_of_its_days()
    {
        var vacation = new AvailabilityBlock("vacation", AvailabilityKind.Pto, Window(Ny(3, 2, 0), Ny(3, 7, 0)));
        Assert.Single(Checker.Check(Schedule(blocks: [vacation]), Job("NEW", Hours(Ny(3, 6, 15), 1)), 0));
    }

    [Fact]
    public void On_call_time_is_availability_and_never_a_conflict()
    {
        var onCall = new AvailabilityBlock("on-call", AvailabilityKind.OnCall, Window(Ny(3, 2, 8), Ny(3, 3, 8)));
        Assert.Empty(Checker.Check(Schedule(blocks: [onCall]), Job("NEW", Hours(Ny(3, 2, 10), 1)), 0));
    }

    [Fact]
    public void On_call_time_counts_as_working_time_for_after_hours_jobs()
    {
        var onCall = new AvailabilityBlock("on-call", AvailabilityKind.OnCall, Window(Ny(3, 2, 17), Ny(3, 3, 8)));
        Assert.Empty(Checker.Check(Schedule(blocks: [onCall]), Job("EMERGENCY", Window(Ny(3, 2, 23), Ny(3, 3, 1))), 0));
    }
}
