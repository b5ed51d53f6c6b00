using Dispatch.Domain.Scheduling;
using Dispatch.Domain.Tests.Geo;
using static Dispatch.Domain.Tests.Scheduling.Fixtures;

namespace Dispatch.Domain.Tests.Scheduling;

public class AllConflictsTests
{
    /// <summary>A proposal that breaks every rule at once.</summary>
    private static (TechnicianSchedule Schedule, Booking Proposal) EverythingWrong()
    {
        var schedule = Schedule(
            capacity: new TechnicianCapacity(maxActiveWorkOrders: 2, maxBookedTimePerDay: TimeSpan.FromHours(4)),
            bookings:
            [
                Job("PREV", Window(Ny(3, 2, 8), Ny(3, 2, 10)), Yonkers),
                Job("OVERLAP", Window(Ny(3, 2, 14), Ny(3, 2, 15)), Depot),
                Job("NEXT", Window(Ny(3, 2, 18), Ny(3, 2, 19)), Yonkers),
            ],
            blocks: [new AvailabilityBlock("training", AvailabilityKind.Training, Window(Ny(3, 2, 12), Ny(3, 2, 13)))]);
        return (schedule, Job("NEW", Window(Ny(3, 2, 10, 5), Ny(3, 2, 17, 50)), Depot));
    }

    [Fact]
    public void Every_kind_of_conflict_is_reported_together()
    {
        var (schedule, proposal) = EverythingWrong();
        var kinds = Checker.Check(schedule, proposal, activeWorkOrders: 2).Select(c => c.Kind).ToHashSet();
        Assert.Equal(Enum.GetValues<ScheduleConflictKind>().ToHashSet(), kinds);
    }

    [Fact]
    public void Conflicts_come_in_time_order()
    {
        var (schedule, proposal) = EverythingWrong();
        var starts = Checker.Check(schedule, proposal, 2).Select(c => c.Window.Start).ToList();
        Assert.Equal(starts.Order(), starts);
    }

    [Fact]
    public void Conflicts_round_trip_through_orleans_serialization()
    {
        var (schedule, proposal) = EverythingWrong();
        var conflicts = Checker.Check(schedule, proposal, 2);
        Assert.Equal(conflicts, OrleansRoundTrip.Copy(conflicts).ToArray());
    }

    [Fact]
    public void TryReserve_books_a_proposal_that_fits()
    {
        var result = Checker.TryReserve(Schedule(), Job("NEW", Hours(Ny(3, 2, 9), 1)), 0);
        Assert.True(result.Reserved);
        Assert.Empty(result.Conflicts);
        Assert.NotNull(result.Schedule.Find("NEW"));
    }

    [Fact]
    public void TryReserve_refuses_a_conflicting_proposal_and_keeps_the_schedule()
    {
        var schedule = Schedule(bookings: [Job("A", Hours(Ny(3, 2, 9), 2))]);
        var result = Checker.TryReserve(schedule, Job("B", Hours(Ny(3, 2, 10), 1)), 1);
        Assert.False(result.Reserved);
        Assert.Same(schedule, result.Schedule);
        Assert.Single(result.Conflicts);
    }

    [Fact]
    public void TryReserve_with_override_books_anyway_and_still_lists_what_was_overridden()
    {
        var schedule = Schedule(bookings: [Job("A", Hours(Ny(3, 2, 9), 2))]);
        var result = Checker.TryReserve(schedule, Job("B", Hours(Ny(3, 2, 10), 1)), 1, overrideConflicts: true);
        Assert.True(result.Reserved);
        Assert.Equal(2, result.Schedule.Bookings.Length);
        Assert.Equal("A", Assert.Single(result.Conflicts).WorkOrderId);
    }

    [Fact]
    public void The_second_of_two_racing_reservations_for_one_slot_loses()
    {
        // The grain applies reservations one at a time; the loser sees the winner's booking.
        var slot = Hours(Ny(3, 2, 9), 2);
        var first = Checker.TryReserve(Schedule(), Job("WO-A", slot), 0);
        var second = Checker.TryReserve(first.Schedule, Job("WO-B", slot), 1);
        Assert.True(first.Reserved);
        Assert.False(second.Reserved);
        Assert.Equal("WO-A", Assert.Single(second.Schedule.Bookings).WorkOrderId);
    }

    [Fact]
    public void Checking_against_many_bookings_finds_exactly_the_overlapping_ones()
    {
        // Cross-check the indexed search against brute force on a dense, irregular calendar.
        var random = new Random(11);
        var bookings = Enumerable.Range(0, 400).Select(i =>
            Job($"WO-{i}", Hours(Ny(3, 2, 0).AddMinutes(random.Next(0, 60 * 24 * 30)), random.Next(1, 60) / 4.0))).ToList();
        var schedule = Schedule(WorkingHours.AroundTheClock(NewYork), bookings: bookings);
        for (var probe = 0; probe < 200; probe++)
        {
            var window = Hours(Ny(3, 2, 0).AddMinutes(random.Next(0, 60 * 24 * 30)), random.Next(1, 20) / 2.0);
            var expected = bookings.Where(b => b.Window.Overlaps(window)).Select(b => b.WorkOrderId).Order(StringComparer.Ordinal);
            var actual = Checker.Check(schedule, Job("PROBE", window), 0)
                .Where(c => c.Kind == ScheduleConflictKind.Overlap).Select(c => c.WorkOrderId!).Order(StringComparer.Ordinal);
            Assert.Equal(expected, actual);
        }
    }
}
