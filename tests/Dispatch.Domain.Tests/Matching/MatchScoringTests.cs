using Dispatch.Domain.Geo;
using Dispatch.Domain.Matching;
using Dispatch.Domain.Scheduling;
using static Dispatch.Domain.Tests.Matching.MatchFixtures;

namespace Dispatch.Domain.Tests.Matching;

public class MatchScoringTests
{
    private static string[] Ranking(MatchRequest request, params TechnicianSummary[] candidates) =>
        [.. Scorer.TopN(request, candidates, candidates.Length).Select(r => r.TechnicianId)];

    [Fact]
    public void Nearer_technicians_rank_higher() =>
        Assert.Equal(["NEAR", "MID", "FAR"], Ranking(Request(), Tech("FAR", 40), Tech("NEAR", 2), Tech("MID", 15)));

    [Fact]
    public void Less_loaded_technicians_rank_higher() =>
        Assert.Equal(["IDLE", "SOME", "LOADED"], Ranking(Request(),
            Tech("LOADED") with { ActiveWorkOrders = 4, BookedToday = TimeSpan.FromHours(6) },
            Tech("IDLE"),
            Tech("SOME") with { ActiveWorkOrders = 1 }));

    [Fact]
    public void Preferred_skills_raise_the_score()
    {
        var request = Request("pump-repair") with { PreferredSkills = ["welding"] };
        Assert.Equal(["WELDER", "PLAIN"], Ranking(request, Tech("PLAIN"), Tech("WELDER", skills: ["pump-repair", "welding"])));
    }

    [Fact]
    public void Room_to_overrun_ranks_above_a_tight_fit()
    {
        var tight = Tech("TIGHT") with { Schedule = WeekdaySchedule(new Booking("NEXT", new TimeWindow(Local(2, 12), Local(2, 13)), Downtown)) };
        Assert.Equal(["ROOMY", "TIGHT"], Ranking(Request(), tight, Tech("ROOMY")));
    }

    [Fact]
    public void Equal_scores_are_ordered_by_technician_id() =>
        Assert.Equal(["A", "B", "C"], Ranking(Request(), Tech("C"), Tech("A"), Tech("B")));

    [Fact]
    public void Every_component_is_between_zero_and_one_and_the_total_weighs_them()
    {
        var result = Scorer.Evaluate(Request("pump-repair"), Tech("T1") with { ActiveWorkOrders = 2 });
        var s = result.Scores;
        Assert.All(new[] { s.Travel, s.Availability, s.Skills, s.Workload }, v => Assert.InRange(v, 0, 1));
        var w = MatchWeights.Default;
        var expected = 100 * (w.Travel * s.Travel + w.Availability * s.Availability + w.Skills * s.Skills + w.Workload * s.Workload)
            / (w.Travel + w.Availability + w.Skills + w.Workload);
        Assert.Equal(expected, result.Total, precision: 9);
    }

    [Fact]
    public void Travel_score_is_one_half_at_the_half_score_drive()
    {
        // 30 min at 50 km/h with road factor 1.3 is 19.23 km in a straight line.
        var result = Scorer.Evaluate(Request(), Tech("T1", kmFromDowntown: 50.0 * 0.5 / 1.3));
        Assert.Equal(TimeSpan.FromMinutes(30), result.TravelTime);
        Assert.Equal(0.5, result.Scores.Travel, precision: 3);
    }

    [Fact]
    public void Weights_change_the_ranking()
    {
        var nearButBusy = Tech("NEAR", 1) with { ActiveWorkOrders = 4, BookedToday = TimeSpan.FromHours(7) };
        var farButIdle = Tech("FAR", 30);
        var travelOnly = new MatchScorer(new MatchOptions { Weights = new MatchWeights(travel: 1, availability: 0, skills: 0, workload: 0) });
        var workloadOnly = new MatchScorer(new MatchOptions { Weights = new MatchWeights(travel: 0, availability: 0, skills: 0, workload: 1) });
        Assert.Equal("NEAR", travelOnly.TopN(Request(), [nearButBusy, farButIdle], 1)[0].TechnicianId);
        Assert.Equal("FAR", workloadOnly.TopN(Request(), [nearButBusy, farButIdle], 1)[0].TechnicianId);
    }

    [Fact]
    public void The_reason_reads_like_a_dispatcher_would_say_it()
    {
        var tech = Tech("T1", kmFromDowntown: 5) with
        {
            LastLocation = NorthOfDowntown(7.4),
            LastLocationAt = Now.AddMinutes(-2),
            ActiveWorkOrders = 2,
        };
        var result = Scorer.Evaluate(Request("pump-repair"), tech);
        Assert.Equal("12 min away, free 08:00–17:00, has pump-repair, 2 active orders", result.Reason);
    }

    [Fact]
    public void The_reason_shows_the_free_time_between_bookings_in_local_time()
    {
        var tech = Tech("T1") with
        {
            Schedule = WeekdaySchedule(
                new Booking("EARLY", new TimeWindow(Local(2, 8), Local(2, 9, 30)), Downtown),
                new Booking("LATE", new TimeWindow(Local(2, 14), Local(2, 15)), Downtown)),
        };
        var result = Scorer.Evaluate(Request(), tech);
        Assert.Equal(new TimeWindow(Local(2, 9, 30), Local(2, 14)), result.FreeTime);
        Assert.Contains("free 09:30–14:00", result.Reason);
        Assert.Contains("from previous job", result.Reason);
    }

    [Fact]
    public void An_unknown_site_makes_travel_neutral()
    {
        var request = Request() with { Site = null };
        var result = Scorer.Evaluate(request, Tech("T1", 80));
        Assert.Equal(0.5, result.Scores.Travel);
        Assert.Null(result.TravelTime);
        Assert.Equal(TravelOrigin.Unknown, result.TravelOrigin);
        Assert.StartsWith("travel time unknown", result.Reason);
        Assert.Equal(["A", "B"], Ranking(request, Tech("B", 1), Tech("A", 80)));
    }

    [Fact]
    public void Rejects_a_negative_count() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Scorer.TopN(Request(), [Tech("T1")], -1));

    [Fact]
    public void A_count_of_zero_returns_nothing_and_more_than_available_returns_all()
    {
        Assert.Empty(Scorer.TopN(Request(), [Tech("T1")], 0));
        Assert.Equal(2, Scorer.TopN(Request(), [Tech("T1"), Tech("T2")], 50).Count);
    }

    [Theory]
    [InlineData(-1, 0, 0, 0)]
    [InlineData(0, 0, 0, 0)]
    [InlineData(double.NaN, 1, 1, 1)]
    public void Rejects_unusable_weights(double travel, double availability, double skills, double workload) =>
        Assert.ThrowsAny<ArgumentException>(() => new MatchWeights(travel, availability, skills, workload));

    [Fact]
    public void Rejects_unusable_options() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new MatchScorer(new MatchOptions { TravelTimeForHalfScore = TimeSpan.Zero }));

    [Fact]
    public void Moving_a_work_order_does_not_count_its_current_booking_against_the_technician()
    {
        var current = Tech("T1") with
        {
            ActiveWorkOrders = 3,
            Schedule = WeekdaySchedule(new Booking("WO-100", JobWindow, Downtown)).WithCapacity(new TechnicianCapacity(maxActiveWorkOrders: 3)),
        };
        Assert.True(Scorer.Evaluate(Request(), current).IsEligible);
        Assert.Single(Scorer.TopN(Request(), [current], 1));
    }

    [Fact]
    public void Results_round_trip_through_orleans_serialization()
    {
        var result = Scorer.Evaluate(Request("pump-repair"), Tech("T1") with { ActiveWorkOrders = 1 });
        var copy = Geo.OrleansRoundTrip.Copy(result);
        Assert.Equal(result.Reason, copy.Reason);
        Assert.Equal(result.Total, copy.Total);
        Assert.Equal(result.Scores, copy.Scores);
        Assert.Equal(result.FreeTime, copy.FreeTime);
    }

    [Fact]
    public void Summaries_and_requests_round_trip_through_orleans_serialization()
    {
        var tech = Tech("T1") with
        {
            Certifications = [new Certification("backflow", Local(9, 0))],
            LastLocation = new GeoPoint(41.9, -87.7),
            LastLocationAt = Now,
            BookedToday = TimeSpan.FromHours(2),
        };
        var copy = Geo.OrleansRoundTrip.Copy(tech);
        Assert.Equal(tech.Skills, copy.Skills);
        Assert.Equal(tech.Certifications, copy.Certifications);
        Assert.Equal(tech.Schedule, copy.Schedule);
        Assert.Equal(tech.LastLocationAt, copy.LastLocationAt);
        var request = Request("pump-repair") with { PreferredSkills = ["welding"], RequiredCertifications = ["backflow"] };
        var requestCopy = Geo.OrleansRoundTrip.Copy(request);
        Assert.Equal(request.RequiredSkills, requestCopy.RequiredSkills);
        Assert.Equal(request.Window, requestCopy.Window);
        Assert.Equal(request.Site, requestCopy.Site);
    }
}
