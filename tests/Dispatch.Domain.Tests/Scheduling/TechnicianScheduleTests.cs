using Dispatch.Domain.Scheduling;
using Dispatch.Domain.Tests.Geo;
using static Dispatch.Domain.Tests.Scheduling.Fixtures;

namespace Dispatch.Domain.Tests.Scheduling;

public class TechnicianScheduleTests
{
    [Fact]
    public void Reserve_returns_a_new_schedule_and_leaves_the_original_alone()
    {
        var empty = Schedule();
        var booked = empty.Reserve(Job("WO-1", Hours(Ny(3, 2, 9), 2)));
        Assert.Empty(empty.Bookings);
        Assert.Single(booked.Bookings);
    }

    [Fact]
    public void Bookings_are_kept_in_start_order()
    {
        var schedule = Schedule()
            .Reserve(Job("WO-3", Hours(Ny(3, 2, 14), 1)))
            .Reserve(Job("WO-1", Hours(Ny(3, 2, 9), 1)))
            .Reserve(Job("WO-2", Hours(Ny(3, 2, 11), 1)));
        Assert.Equal(["WO-1", "WO-2", "WO-3"], schedule.Bookings.Select(b => b.WorkOrderId));
    }

    [Fact]
    public void Reserving_a_booked_work_order_again_moves_it()
    {
        var schedule = Schedule()
            .Reserve(Job("WO-1", Hours(Ny(3, 2, 9), 1)))
            .Reserve(Job("WO-1", Hours(Ny(3, 3, 9), 1)));
        var booking = Assert.Single(schedule.Bookings);
        Assert.Equal(Ny(3, 3, 9), booking.Window.Start);
    }

    [Fact]
    public void Release_frees_the_work_order()
    {
        var schedule = Schedule().Reserve(Job("WO-1", Hours(Ny(3, 2, 9), 1))).Release("WO-1");
        Assert.Empty(schedule.Bookings);
        Assert.Null(schedule.Find("WO-1"));
    }

    [Fact]
    public void Releasing_an_unknown_work_order_returns_the_same_schedule()
    {
        var schedule = Schedule().Reserve(Job("WO-1", Hours(Ny(3, 2, 9), 1)));
        Assert.Same(schedule, schedule.Release("WO-404"));
    }

    [Fact]
    public void A_work_order_cannot_be_booked_twice_in_one_schedule() =>
        Assert.Throws<ArgumentException>("bookings", () => Schedule(bookings: [Job("WO-1", Hours(Ny(3, 2, 9), 1)), Job("WO-1", Hours(Ny(3, 2, 12), 1))]));

    [Fact]
    public void Schedules_with_the_same_content_are_equal()
    {
        var a = Schedule().Reserve(Job("WO-1", Hours(Ny(3, 2, 9), 1))).Reserve(Job("WO-2", Hours(Ny(3, 2, 11), 1)));
        var b = Schedule().Reserve(Job("WO-2", Hours(Ny(3, 2, 11), 1))).Reserve(Job("WO-1", Hours(Ny(3, 2, 9), 1)));
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
    }

    [Fact]
    public void Overlap_search_finds_a_long_booking_that_started_days_earlier()
    {
        var schedule = Schedule(bookings:
        [
            Job("LONG", Window(Ny(3, 2, 9), Ny(3, 6, 17))),
            Job("WO-2", Hours(Ny(3, 4, 9), 1)),
            Job("WO-3", Hours(Ny(3, 5, 9), 1)),
        ]);
        var found = schedule.BookingsOverlapping(Hours(Ny(3, 5, 14), 1));
        Assert.Equal(["LONG"], found.Select(b => b.WorkOrderId));
    }

    [Fact]
    public void Overlap_search_leaves_out_touching_bookings()
    {
        var schedule = Schedule(bookings: [Job("BEFORE", Hours(Ny(3, 2, 8), 1)), Job("AFTER", Hours(Ny(3, 2, 10), 1))]);
        Assert.Empty(schedule.BookingsOverlapping(Hours(Ny(3, 2, 9), 1)));
    }

    [Fact]
    public void Previous_booking_is_the_one_that_ends_last_before_the_instant()
    {
        var schedule = Schedule(bookings:
        [
            Job("LONG", Window(Ny(3, 2, 8), Ny(3, 2, 12))),
            Job("SHORT", Window(Ny(3, 2, 9), Ny(3, 2, 10))),
        ]);
        Assert.Equal("LONG", schedule.PreviousBooking(Ny(3, 2, 13))?.WorkOrderId);
        Assert.Equal("SHORT", schedule.PreviousBooking(Ny(3, 2, 11))?.WorkOrderId);
        Assert.Null(schedule.PreviousBooking(Ny(3, 2, 9)));
    }

    [Fact]
    public void Previous_and_next_booking_can_ignore_the_work_order_being_moved()
    {
        var schedule = Schedule(bookings: [Job("A", Hours(Ny(3, 2, 8), 1)), Job("B", Hours(Ny(3, 2, 10), 1)), Job("C", Hours(Ny(3, 2, 12), 1))]);
        Assert.Equal("A", schedule.PreviousBooking(Ny(3, 2, 11, 30), ignoreWorkOrderId: "B")?.WorkOrderId);
        Assert.Equal("C", schedule.NextBooking(Ny(3, 2, 9, 30), ignoreWorkOrderId: "B")?.WorkOrderId);
        Assert.Equal("B", schedule.NextBooking(Ny(3, 2, 9, 30))?.WorkOrderId);
    }

    [Fact]
    public void Blocks_can_be_added_replaced_and_removed()
    {
        var pto = new AvailabilityBlock("pto-1", AvailabilityKind.Pto, Window(Ny(3, 3, 0), Ny(3, 4, 0)), "Dentist");
        var schedule = Schedule().AddBlock(pto).AddBlock(pto with { });
        Assert.Single(schedule.Blocks);
        Assert.Empty(schedule.RemoveBlock("pto-1").Blocks);
    }

    [Fact]
    public void Pruning_drops_what_ended_before_the_cutoff()
    {
        var schedule = Schedule(
            bookings: [Job("OLD", Hours(Ny(3, 2, 9), 1)), Job("NEW", Hours(Ny(3, 4, 9), 1))],
            blocks: [new AvailabilityBlock("old", AvailabilityKind.Training, Hours(Ny(3, 2, 13), 1))]);
        var pruned = schedule.PruneBefore(Ny(3, 3, 0));
        Assert.Equal(["NEW"], pruned.Bookings.Select(b => b.WorkOrderId));
        Assert.Empty(pruned.Blocks);
    }

    [Fact]
    public void Booked_time_on_a_day_adds_up_its_bookings()
    {
        var schedule = Schedule(bookings: [Job("A", Hours(Ny(3, 2, 8), 2)), Job("B", Hours(Ny(3, 2, 13), 1.5)), Job("OTHER-DAY", Hours(Ny(3, 3, 8), 4))]);
        Assert.Equal(TimeSpan.FromHours(3.5), schedule.BookedTimeOn(new DateOnly(2026, 3, 2)));
    }

    [Fact]
    public void Booked_time_counts_only_the_worked_part_of_a_multi_day_job()
    {
        // Monday 15:00 to Wednesday 10:00 on 08:00–17:00 weekdays: 2 h Monday, 9 h Tuesday, 2 h Wednesday.
        var schedule = Schedule(bookings: [Job("MULTI", Window(Ny(3, 2, 15), Ny(3, 4, 10)))]);
        Assert.Equal(TimeSpan.FromHours(2), schedule.BookedTimeOn(new DateOnly(2026, 3, 2)));
        Assert.Equal(TimeSpan.FromHours(9), schedule.BookedTimeOn(new DateOnly(2026, 3, 3)));
        Assert.Equal(TimeSpan.FromHours(2), schedule.BookedTimeOn(new DateOnly(2026, 3, 4)));
    }

    [Fact]
    public void Round_trips_through_orleans_serialization()
    {
        var schedule = Schedule(
            capacity: new TechnicianCapacity(3, TimeSpan.FromHours(8)),
            bookings: [Job("A", Hours(Ny(3, 2, 8), 2), Depot), new Booking("B", Hours(Ny(3, 2, 13), 1), null, BookingKind.Hold)],
            blocks: [new AvailabilityBlock("pto", AvailabilityKind.Pto, Window(Ny(3, 5, 0), Ny(3, 7, 0)), "Family")]);
        var copy = OrleansRoundTrip.Copy(schedule);
        Assert.Equal(schedule, copy);
        // The derived overlap bound must survive deserialization too.
        Assert.Equal(["A"], copy.BookingsOverlapping(Hours(Ny(3, 2, 9), 1)).Select(b => b.WorkOrderId));
    }

    [Fact]
    public void An_empty_schedule_round_trips()
    {
        var copy = OrleansRoundTrip.Copy(Schedule());
        Assert.Empty(copy.Bookings);
        Assert.Empty(copy.Blocks);
        Assert.Equal(EightToFiveWeekdays, copy.WorkingHours);
    }
}
