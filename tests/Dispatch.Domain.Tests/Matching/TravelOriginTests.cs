using Dispatch.Domain.Matching;
using Dispatch.Domain.Scheduling;
using static Dispatch.Domain.Tests.Matching.MatchFixtures;

namespace Dispatch.Domain.Tests.Matching;

public class TravelOriginTests
{
    private static readonly Booking MorningJobUpNorth = new("WO-MORNING", new TimeWindow(Local(2, 8), Local(2, 9)), NorthOfDowntown(20));

    [Fact]
    public void A_fresh_fix_is_where_the_technician_starts()
    {
        var tech = Tech("T1", 30) with { LastLocation = NorthOfDowntown(1), LastLocationAt = Now.AddMinutes(-5) };
        var result = Scorer.Evaluate(Request(), tech);
        Assert.Equal(TravelOrigin.CurrentLocation, result.TravelOrigin);
        Assert.True(result.TravelTime < TimeSpan.FromMinutes(3));
    }

    [Fact]
    public void A_stale_fix_falls_back_to_the_previous_jobs_site()
    {
        var tech = Tech("T1", 30) with
        {
            LastLocation = NorthOfDowntown(1),
            LastLocationAt = Now.AddHours(-2),
            Schedule = WeekdaySchedule(MorningJobUpNorth),
        };
        var result = Scorer.Evaluate(Request(), tech);
        Assert.Equal(TravelOrigin.PreviousJob, result.TravelOrigin);
        Assert.Equal(Scorer.Checker.Travel.Estimate(NorthOfDowntown(20), Downtown), result.TravelTime);
    }

    [Fact]
    public void A_stale_fix_and_no_previous_job_fall_back_to_home_base()
    {
        var tech = Tech("T1", 30) with { LastLocation = NorthOfDowntown(1), LastLocationAt = Now.AddHours(-2) };
        var result = Scorer.Evaluate(Request(), tech);
        Assert.Equal(TravelOrigin.HomeBase, result.TravelOrigin);
        Assert.Equal(Scorer.Checker.Travel.Estimate(NorthOfDowntown(30), Downtown), result.TravelTime);
        Assert.Contains("from home base", result.Reason);
    }

    [Fact]
    public void No_fix_at_all_falls_back_to_home_base() =>
        Assert.Equal(TravelOrigin.HomeBase, Scorer.Evaluate(Request(), Tech("T1")).TravelOrigin);

    [Fact]
    public void A_fresh_fix_loses_to_a_job_that_ends_after_it()
    {
        // Located downtown at 08:00, but booked up north until 09:00: that is where the 10:00 drive starts.
        var tech = Tech("T1") with
        {
            LastLocation = Downtown,
            LastLocationAt = Now,
            Schedule = WeekdaySchedule(MorningJobUpNorth),
        };
        Assert.Equal(TravelOrigin.PreviousJob, Scorer.Evaluate(Request(), tech).TravelOrigin);
    }

    [Fact]
    public void A_fresh_fix_beats_a_job_that_ended_before_it()
    {
        var tech = Tech("T1") with
        {
            LastLocation = Downtown,
            LastLocationAt = Local(2, 9, 30),
            Schedule = WeekdaySchedule(MorningJobUpNorth),
        };
        var request = Request() with { AsOf = Local(2, 9, 35) };
        Assert.Equal(TravelOrigin.CurrentLocation, Scorer.Evaluate(request, tech).TravelOrigin);
    }

    [Fact]
    public void A_previous_job_long_before_the_window_is_not_where_the_technician_is()
    {
        var lastWeek = new Booking("WO-OLD", new TimeWindow(Local(1, 8).AddDays(-5), Local(1, 9).AddDays(-5)), NorthOfDowntown(20));
        var tech = Tech("T1") with { Schedule = WeekdaySchedule(lastWeek) };
        Assert.Equal(TravelOrigin.HomeBase, Scorer.Evaluate(Request(), tech).TravelOrigin);
    }

    [Fact]
    public void Freshness_is_configurable()
    {
        var tech = Tech("T1", 30) with { LastLocation = Downtown, LastLocationAt = Now.AddMinutes(-40) };
        Assert.Equal(TravelOrigin.HomeBase, Scorer.Evaluate(Request(), tech).TravelOrigin);
        var patient = new MatchScorer(new MatchOptions { LocationFreshness = TimeSpan.FromHours(1) });
        Assert.Equal(TravelOrigin.CurrentLocation, patient.Evaluate(Request(), tech).TravelOrigin);
    }

    [Fact]
    public void A_previous_job_without_a_site_falls_back_to_home_base()
    {
        var siteless = new Booking("WO-PHONE", new TimeWindow(Local(2, 8), Local(2, 9)), site: null);
        Assert.Equal(TravelOrigin.HomeBase, Scorer.Evaluate(Request(), Tech("T1") with { Schedule = WeekdaySchedule(siteless) }).TravelOrigin);
    }
}
