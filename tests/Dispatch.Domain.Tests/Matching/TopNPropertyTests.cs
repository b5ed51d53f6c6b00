using Dispatch.Domain.Geo;
using Dispatch.Domain.Matching;
using Dispatch.Domain.Scheduling;
using static Dispatch.Domain.Tests.Matching.MatchFixtures;

namespace Dispatch.Domain.Tests.Matching;

/// <summary>
/// TopN prunes candidates with score bounds and a heap; whatever it skips, it must return exactly what
/// scoring everyone and sorting would. Checked on a messy random fleet with fixed seeds.
/// </summary>
public class TopNPropertyTests
{
    private static readonly string[] SkillPool = ["pump-repair", "welding", "electrical", "backflow", "well-drilling"];

    private static List<TechnicianSummary> RandomFleet(int seed, int size)
    {
        var random = new Random(seed);
        var hours = WorkingHours.Weekdays(Chicago, new TimeOnly(7, 0), new TimeOnly(18, 0));
        var fleet = new List<TechnicianSummary>(size);
        for (var i = 0; i < size; i++)
        {
            var bookings = new List<Booking>();
            var start = Local(2, 7);
            for (var b = 0; b < random.Next(0, 4); b++)
            {
                start = start.AddMinutes(random.Next(0, 240));
                var end = start.AddMinutes(random.Next(30, 180));
                bookings.Add(new Booking($"WO-{i}-{b}", new TimeWindow(start, end), RandomPoint(random)));
                start = end;
            }
            var capacity = random.Next(4) == 0 ? new TechnicianCapacity(random.Next(1, 6), TimeSpan.FromHours(random.Next(4, 10))) : null;
            fleet.Add(new TechnicianSummary
            {
                // Few distinct scores would make ties common: reuse ids' ordering as the tie-break under test.
                Id = $"T{random.Next(0, size * 10):D6}-{i}",
                Name = $"Tech {i}",
                IsActive = random.Next(20) != 0,
                IsField = random.Next(20) != 0,
                Skills = [.. SkillPool.Where(_ => random.Next(3) != 0)],
                Certifications = random.Next(2) == 0 ? [] : [new Certification("backflow", Now.AddDays(random.Next(-30, 30)))],
                HomeBase = RandomPoint(random),
                LastLocation = random.Next(2) == 0 ? RandomPoint(random) : null,
                LastLocationAt = Now.AddMinutes(-random.Next(0, 60)),
                ActiveWorkOrders = random.Next(0, 6),
                // Quantised so that equal totals, and hence the tie-break, actually occur.
                BookedToday = TimeSpan.FromHours(random.Next(0, 9)),
                Schedule = new TechnicianSchedule(hours, capacity, bookings),
            });
        }
        return fleet;
    }

    private static GeoPoint RandomPoint(Random random) =>
        new(Downtown.Latitude + (random.NextDouble() - 0.5) * 0.8, Downtown.Longitude + (random.NextDouble() - 0.5) * 0.8);

    private static IEnumerable<MatchResult> FullSort(MatchScorer scorer, MatchRequest request, IEnumerable<TechnicianSummary> fleet) =>
        fleet.Select(t => scorer.Evaluate(request, t))
            .Where(r => r.IsEligible)
            .OrderByDescending(r => r.Total)
            .ThenBy(r => r.TechnicianId, StringComparer.Ordinal);

    public static TheoryData<int, int, bool> Cases => new()
    {
        { 1, 1, false }, { 2, 10, false }, { 3, 50, false }, { 4, 10, true }, { 5, 3000, false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void TopN_equals_scoring_everyone_and_sorting(int seed, int count, bool includeConflicted)
    {
        var fleet = RandomFleet(seed, 1500);
        var scorer = new MatchScorer(new MatchOptions { IncludeConflicted = includeConflicted });
        var requests = new[]
        {
            Request("pump-repair"),
            Request() with { Window = new TimeWindow(Local(2, 13), Local(2, 15)) },
            Request("welding") with { PreferredSkills = ["electrical"], RequiredCertifications = ["backflow"] },
            Request() with { Site = null },
        };
        foreach (var request in requests)
        {
            var expected = FullSort(scorer, request, fleet).Take(count).Select(r => (r.TechnicianId, r.Total)).ToList();
            var actual = scorer.TopN(request, fleet, count).Select(r => (r.TechnicianId, r.Total)).ToList();
            Assert.True(expected.Count >= Math.Min(count, 5), $"only {expected.Count} eligible: the case proves little");
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void Ties_really_occur_in_the_random_fleet_so_the_tie_break_is_exercised()
    {
        var fleet = RandomFleet(2, 1500);
        var totals = fleet.Select(t => Scorer.Evaluate(Request() with { Site = null }, t)).Where(r => r.IsEligible).Select(r => r.Total).ToList();
        Assert.True(totals.Count > totals.Distinct().Count());
    }

    [Fact]
    public void TopN_results_are_the_same_as_evaluating_the_winners()
    {
        var fleet = RandomFleet(9, 500);
        foreach (var result in Scorer.TopN(Request("pump-repair"), fleet, 10))
        {
            var evaluated = Scorer.Evaluate(Request("pump-repair"), fleet.Single(t => t.Id == result.TechnicianId));
            Assert.Equal(evaluated.Total, result.Total);
            Assert.Equal(evaluated.Reason, result.Reason);
        }
    }
}
