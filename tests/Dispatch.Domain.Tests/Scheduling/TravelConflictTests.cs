using Dispatch.Domain.Geo;
using Dispatch.Domain.Scheduling;
using static Dispatch.Domain.Tests.Scheduling.Fixtures;

namespace Dispatch.Domain.Tests.Scheduling;

public class TravelConflictTests
{
    private static readonly TimeSpan DepotToYonkers = TravelEstimator.Default.Estimate(Depot, Yonkers);

    [Fact]
    public void The_fixture_sites_are_about_half_an_hour_apart() =>
        Assert.InRange(DepotToYonkers, TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(32));

    [Fact]
    public void Too_little_time_after_the_previous_job_is_a_conflict()
    {
        var previous = Window(Ny(3, 2, 8), Ny(3, 2, 10));
        var schedule = Schedule(bookings: [Job("PREV", previous, Depot)]);
        var conflict = Assert.Single(Checker.Check(schedule, Job("NEW", Hours(Ny(3, 2, 10, 10), 1), Yonkers), 1));
        Assert.Equal(ScheduleConflictKind.InsufficientTravelTimeFromPrevious, conflict.Kind);
        Assert.Equal("PREV", conflict.WorkOrderId);
        Assert.Equal(previous, conflict.Window);
        Assert.Equal(DepotToYonkers, conflict.Needed);
        Assert.Equal(TimeSpan.FromMinutes(10), conflict.Available);
    }

    [Fact]
    public void Enough_time_after_the_previous_job_is_fine()
    {
        var schedule = Schedule(bookings: [Job("PREV", Window(Ny(3, 2, 8), Ny(3, 2, 10)), Depot)]);
        Assert.Empty(Checker.Check(schedule, Job("NEW", Hours(Ny(3, 2, 10, 35), 1), Yonkers), 1));
    }

    [Fact]
    public void Too_little_time_before_the_next_job_is_a_conflict()
    {
        var next = Window(Ny(3, 2, 14), Ny(3, 2, 15));
        var schedule = Schedule(bookings: [Job("NEXT", next, Yonkers)]);
        var conflict = Assert.Single(Checker.Check(schedule, Job("NEW", Window(Ny(3, 2, 12), Ny(3, 2, 13, 45)), Depot), 1));
        Assert.Equal(ScheduleConflictKind.InsufficientTravelTimeToNext, conflict.Kind);
        Assert.Equal("NEXT", conflict.WorkOrderId);
        Assert.Equal(next, conflict.Window);
        Assert.Equal(TimeSpan.FromMinutes(15), conflict.Available);
    }

    [Fact]
    public void Enough_time_before_the_next_job_is_fine()
    {
        var schedule = Schedule(bookings: [Job("NEXT", Window(Ny(3, 2, 14), Ny(3, 2, 15)), Yonkers)]);
        Assert.Empty(Checker.Check(schedule, Job("NEW", Window(Ny(3, 2, 12), Ny(3, 2, 13, 25)), Depot), 1));
    }

    [Fact]
    public void Both_neighbours_are_checked_and_both_reported()
    {
        var schedule = Schedule(bookings: [Job("PREV", Window(Ny(3, 2, 8), Ny(3, 2, 10)), Yonkers), Job("NEXT", Window(Ny(3, 2, 12), Ny(3, 2, 13)), Yonkers)]);
        var conflicts = Checker.Check(schedule, Job("NEW", Window(Ny(3, 2, 10), Ny(3, 2, 12)), Depot), 2);
        Assert.Equal(
            [ScheduleConflictKind.InsufficientTravelTimeFromPrevious, ScheduleConflictKind.InsufficientTravelTimeToNext],
            conflicts.Select(c => c.Kind));
    }

    [Fact]
    public void Back_to_back_jobs_at_the_same_site_need_no_travel()
    {
        var schedule = Schedule(bookings: [Job("PREV", Window(Ny(3, 2, 8), Ny(3, 2, 10)), Depot)]);
        Assert.Empty(Checker.Check(schedule, Job("NEW", Hours(Ny(3, 2, 10), 1), Depot), 1));
    }

    [Fact]
    public void Unknown_sites_impose_no_travel_constraint()
    {
        var schedule = Schedule(bookings: [Job("PREV", Window(Ny(3, 2, 8), Ny(3, 2, 10)), site: null)]);
        Assert.Empty(Checker.Check(schedule, Job("NEW", Hours(Ny(3, 2, 10), 1), Yonkers), 1));
        var knownNeighbour = Schedule(bookings: [Job("PREV", Window(Ny(3, 2, 8), Ny(3, 2, 10)), Depot)]);
        Assert.Empty(Checker.Check(knownNeighbour, Job("NEW", Hours(Ny(3, 2, 10), 1), site: null), 1));
    }

    [Fact]
    public void Only_the_nearest_neighbour_on_each_side_matters()
    {
        // An earlier job far away does not matter when a later one at the same site sits in between.
        var schedule = Schedule(bookings: [Job("FAR", Window(Ny(3, 2, 8), Ny(3, 2, 9)), Yonkers), Job("NEAR", Window(Ny(3, 2, 9), Ny(3, 2, 10)), Depot)]);
        Assert.Empty(Checker.Check(schedule, Job("NEW", Hours(Ny(3, 2, 10), 1), Depot), 2));
    }

    [Fact]
    public void Moving_a_job_ignores_its_own_old_slot_as_a_neighbour()
    {
        var schedule = Schedule(bookings: [Job("WO-1", Window(Ny(3, 2, 8), Ny(3, 2, 10)), Yonkers)]);
        Assert.Empty(Checker.Check(schedule, Job("WO-1", Hours(Ny(3, 2, 10), 1), Depot), 1));
    }

    [Fact]
    public void A_slower_estimator_needs_a_wider_gap()
    {
        var slow = new ScheduleConflictChecker(new TravelEstimator(roadFactor: 1.3, averageSpeedKmh: 20));
        var schedule = Schedule(bookings: [Job("PREV", Window(Ny(3, 2, 8), Ny(3, 2, 10)), Depot)]);
        var proposal = Job("NEW", Hours(Ny(3, 2, 10, 35), 1), Yonkers);
        Assert.Empty(Checker.Check(schedule, proposal, 1));
        Assert.Single(slow.Check(schedule, proposal, 1));
    }

    [Fact]
    public void The_previous_job_can_be_on_an_earlier_day()
    {
        var nights = WorkingHours.AroundTheClock(NewYork);
        var schedule = Schedule(nights, bookings: [Job("LATE", Window(Ny(3, 2, 22), Ny(3, 2, 23, 50)), Depot)]);
        var conflict = Assert.Single(Checker.Check(schedule, Job("NEW", Hours(Ny(3, 3, 0, 5), 1), Yonkers), 1));
        Assert.Equal("LATE", conflict.WorkOrderId);
    }
}
