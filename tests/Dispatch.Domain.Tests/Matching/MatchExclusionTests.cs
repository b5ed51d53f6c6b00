using Dispatch.Domain.Matching;
using Dispatch.Domain.Scheduling;
using static Dispatch.Domain.Tests.Matching.MatchFixtures;

namespace Dispatch.Domain.Tests.Matching;

public class MatchExclusionTests
{
    private static MatchExclusion OnlyExclusion(MatchResult result)
    {
        Assert.False(result.IsEligible);
        return Assert.Single(result.Exclusions);
    }

    [Fact]
    public void A_qualified_free_technician_is_eligible()
    {
        var result = Scorer.Evaluate(Request("pump-repair"), Tech("T1"));
        Assert.True(result.IsEligible);
        Assert.Empty(result.Exclusions);
        Assert.InRange(result.Total, 0.01, 100);
    }

    [Fact]
    public void Inactive_technicians_are_excluded() =>
        Assert.Equal(MatchExclusionKind.Inactive, OnlyExclusion(Scorer.Evaluate(Request(), Tech("T1") with { IsActive = false })).Kind);

    [Fact]
    public void Technicians_without_the_field_role_are_excluded()
    {
        var exclusion = OnlyExclusion(Scorer.Evaluate(Request(), Tech("T1") with { IsField = false }));
        Assert.Equal(MatchExclusionKind.NotFieldTechnician, exclusion.Kind);
        Assert.Contains("Field role", exclusion.Reason);
    }

    [Fact]
    public void A_missing_skill_excludes_and_is_named()
    {
        var exclusion = OnlyExclusion(Scorer.Evaluate(Request("backflow-testing"), Tech("T1")));
        Assert.Equal(MatchExclusionKind.MissingSkill, exclusion.Kind);
        Assert.Equal("missing skill backflow-testing", exclusion.Reason);
    }

    [Fact]
    public void Skills_match_regardless_of_case() =>
        Assert.True(Scorer.Evaluate(Request("Pump-Repair"), Tech("T1", skills: "PUMP-REPAIR")).IsEligible);

    [Fact]
    public void Each_missing_skill_is_its_own_exclusion() =>
        Assert.Equal(2, Scorer.Evaluate(Request("welding", "electrical"), Tech("T1")).Exclusions.Count(e => e.Kind == MatchExclusionKind.MissingSkill));

    [Fact]
    public void A_missing_certification_excludes()
    {
        var request = Request() with { RequiredCertifications = ["confined-space"] };
        Assert.Equal(MatchExclusionKind.MissingCertification, OnlyExclusion(Scorer.Evaluate(request, Tech("T1"))).Kind);
    }

    [Fact]
    public void An_expired_certification_does_not_count()
    {
        var request = Request() with { RequiredCertifications = ["confined-space"] };
        var tech = Tech("T1") with { Certifications = [new Certification("confined-space", Local(1, 0))] };
        var exclusion = OnlyExclusion(Scorer.Evaluate(request, tech));
        Assert.Equal(MatchExclusionKind.ExpiredCertification, exclusion.Kind);
        Assert.Contains("expired 2026-03-01", exclusion.Reason);
    }

    [Fact]
    public void A_certification_lapsing_during_the_job_does_not_count()
    {
        var request = Request() with { RequiredCertifications = ["confined-space"] };
        var tech = Tech("T1") with { Certifications = [new Certification("confined-space", Local(2, 11))] };
        var exclusion = OnlyExclusion(Scorer.Evaluate(request, tech));
        Assert.Equal(MatchExclusionKind.ExpiredCertification, exclusion.Kind);
        Assert.Contains("before the job ends", exclusion.Reason);
    }

    [Fact]
    public void A_certification_valid_past_the_job_or_without_expiry_counts()
    {
        var request = Request() with { RequiredCertifications = ["confined-space", "backflow"] };
        var tech = Tech("T1") with
        {
            Certifications = [new Certification("Confined-Space", Local(2, 12)), new Certification("backflow")],
        };
        Assert.True(Scorer.Evaluate(request, tech).IsEligible);
    }

    [Fact]
    public void A_renewed_certification_counts_even_when_the_old_one_is_still_listed()
    {
        var request = Request() with { RequiredCertifications = ["confined-space"] };
        var tech = Tech("T1") with
        {
            Certifications = [new Certification("confined-space", Local(1, 0)), new Certification("confined-space", Local(2, 0).AddYears(1))],
        };
        Assert.True(Scorer.Evaluate(request, tech).IsEligible);
    }

    [Fact]
    public void A_schedule_conflict_in_the_window_excludes_with_its_description()
    {
        var tech = Tech("T1") with { Schedule = WeekdaySchedule(new Booking("WO-7", new TimeWindow(Local(2, 11), Local(2, 13)))) };
        var result = Scorer.Evaluate(Request(), tech);
        var exclusion = OnlyExclusion(result);
        Assert.Equal(MatchExclusionKind.ScheduleConflict, exclusion.Kind);
        Assert.Contains("WO-7", exclusion.Reason);
        Assert.Equal("WO-7", Assert.Single(result.Conflicts).WorkOrderId);
    }

    [Fact]
    public void Working_outside_hours_is_a_schedule_conflict()
    {
        var request = Request() with { Window = new TimeWindow(Local(2, 16), Local(2, 18)) };
        Assert.Equal(MatchExclusionKind.ScheduleConflict, OnlyExclusion(Scorer.Evaluate(request, Tech("T1"))).Kind);
    }

    [Fact]
    public void A_technician_at_the_active_order_limit_is_at_capacity()
    {
        var tech = Tech("T1") with { ActiveWorkOrders = 3, Schedule = WeekdaySchedule().WithCapacity(new TechnicianCapacity(maxActiveWorkOrders: 3)) };
        Assert.Equal(MatchExclusionKind.AtCapacity, OnlyExclusion(Scorer.Evaluate(Request(), tech)).Kind);
    }

    [Fact]
    public void A_technician_whose_day_is_full_is_at_capacity()
    {
        var schedule = WeekdaySchedule(new Booking("WO-1", new TimeWindow(Local(2, 12), Local(2, 17))))
            .WithCapacity(new TechnicianCapacity(maxBookedTimePerDay: TimeSpan.FromHours(6)));
        Assert.Equal(MatchExclusionKind.AtCapacity, OnlyExclusion(Scorer.Evaluate(Request(), Tech("T1") with { Schedule = schedule })).Kind);
    }

    [Fact]
    public void Every_exclusion_is_reported_not_just_the_first()
    {
        var tech = Tech("T1") with
        {
            IsActive = false,
            IsField = false,
            Schedule = WeekdaySchedule(new Booking("WO-7", JobWindow)),
        };
        var request = Request("welding") with { RequiredCertifications = ["confined-space"] };
        var kinds = Scorer.Evaluate(request, tech).Exclusions.Select(e => e.Kind).ToHashSet();
        Assert.Equal(
            [MatchExclusionKind.Inactive, MatchExclusionKind.NotFieldTechnician, MatchExclusionKind.MissingSkill, MatchExclusionKind.MissingCertification, MatchExclusionKind.ScheduleConflict],
            kinds.Order());
    }

    [Fact]
    public void Excluded_technicians_score_zero_and_say_why()
    {
        var result = Scorer.Evaluate(Request("welding"), Tech("T1") with { IsActive = false });
        Assert.Equal(0, result.Total);
        Assert.Equal("excluded: inactive; missing skill welding", result.Reason);
    }

    [Fact]
    public void TopN_leaves_out_excluded_technicians()
    {
        var candidates = new[]
        {
            Tech("OK"),
            Tech("INACTIVE") with { IsActive = false },
            Tech("UNSKILLED", skills: "welding"),
            Tech("BUSY") with { Schedule = WeekdaySchedule(new Booking("WO-7", JobWindow)) },
        };
        Assert.Equal(["OK"], Scorer.TopN(Request("pump-repair"), candidates, 10).Select(r => r.TechnicianId));
    }

    [Fact]
    public void With_conflicts_included_a_busy_technician_is_listed_with_no_availability()
    {
        var scorer = new MatchScorer(new MatchOptions { IncludeConflicted = true });
        var busy = Tech("BUSY") with { Schedule = WeekdaySchedule(new Booking("WO-7", JobWindow)) };
        var result = Assert.Single(scorer.TopN(Request(), [busy], 5));
        Assert.True(result.IsEligible);
        Assert.Equal(0, result.Scores.Availability);
        Assert.Single(result.Conflicts);
        Assert.Contains("1 conflict: Overlaps work order WO-7", result.Reason);
    }
}
