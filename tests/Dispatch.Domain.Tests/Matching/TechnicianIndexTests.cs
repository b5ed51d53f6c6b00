using Dispatch.Domain.Geo;
using Dispatch.Domain.Matching;
using Dispatch.Domain.Scheduling;
using static Dispatch.Domain.Tests.Matching.MatchFixtures;

namespace Dispatch.Domain.Tests.Matching;

/// <summary>
/// The geographic index must return exactly what ranking the whole fleet would, while looking at fewer technicians.
/// </summary>
public class TechnicianIndexTests
{
    private static readonly string[] SkillPool = ["pump-repair", "welding", "electrical", "backflow"];

    private static List<TechnicianSummary> Fleet(int seed, int size, double spreadDegrees)
    {
        var random = new Random(seed);
        var hours = WorkingHours.Weekdays(Chicago, new TimeOnly(7, 0), new TimeOnly(18, 0));
        GeoPoint Near() => new(Downtown.Latitude + (random.NextDouble() - 0.5) * spreadDegrees, Downtown.Longitude + (random.NextDouble() - 0.5) * spreadDegrees);
        var fleet = new List<TechnicianSummary>(size);
        for (var i = 0; i < size; i++)
        {
            var bookings = new List<Booking>();
            var start = Local(2, 7);
            for (var b = 0; b < random.Next(0, 4); b++)
            {
                start = start.AddMinutes(random.Next(0, 200));
                var end = start.AddMinutes(random.Next(30, 150));
                bookings.Add(new Booking($"WO-{i}-{b}", new TimeWindow(start, end), Near()));
                start = end;
            }
            var hasFix = random.Next(2) == 0;
            fleet.Add(new TechnicianSummary
            {
                Id = $"T{random.Next(0, size * 10):D6}-{i}",
                Name = $"Tech {i}",
                IsActive = random.Next(20) != 0,
                IsField = random.Next(20) != 0,
                Skills = [.. SkillPool.Where(_ => random.Next(3) != 0)],
                // Some hold the certificate for good, some until before or after the job ends, some twice (renewed).
                Certifications = random.Next(4) switch
                {
                    0 => [],
                    1 => [new Certification("backflow")],
                    2 => [new Certification("BACKFLOW", JobWindow.End.AddMinutes(random.Next(-90, 90)))],
                    _ => [new Certification("backflow", Now.AddDays(-3)), new Certification("backflow", JobWindow.End.AddDays(random.Next(-1, 2)))],
                },
                HomeBase = random.Next(40) == 0 ? null : Near(),
                LastLocation = hasFix ? Near() : null,
                LastLocationAt = hasFix ? Now.AddMinutes(-random.Next(0, 40)) : null,
                ActiveWorkOrders = random.Next(0, 4),
                Schedule = new TechnicianSchedule(hours, random.Next(4) == 0 ? new TechnicianCapacity(random.Next(1, 4)) : null, bookings),
            });
        }
        return fleet;
    }

    [Theory]
    [InlineData(1, 300, 0.6, 5)]
    [InlineData(2, 500, 2.0, 10)]
    [InlineData(3, 200, 0.2, 1)]
    [InlineData(4, 400, 6.0, 20)]
    public void Suggest_matches_ranking_the_whole_fleet(int seed, int size, double spread, int count)
    {
        var fleet = Fleet(seed, size, spread);
        var index = new TechnicianIndex(scorer: Scorer);
        foreach (var technician in fleet) index.Upsert(technician, 1);
        var requests = new[]
        {
            Request("pump-repair") with { PreferredSkills = ["welding"] },
            Request("Pump-Repair", "electrical") with { RequiredCertifications = ["Backflow"] },
            Request() with { RequiredCertifications = ["backflow"], Site = NorthOfDowntown(spread * 30) },
            Request("no-such-skill"),
            Request("welding") with { Site = null },
        };

        foreach (var request in requests)
        {
            var expected = Scorer.TopN(request, fleet, count);
            var actual = index.Suggest(request, count);

            Assert.Equal(expected.Select(r => (r.TechnicianId, r.Total)), actual.Ranked.Select(r => (r.TechnicianId, r.Total)));
            Assert.True(actual.Considered <= fleet.Count);
            // Everything explained as excluded really is excluded, for the reasons the scorer gives.
            Assert.All(actual.Excluded, r => Assert.False(r.IsEligible));
        }
    }

    [Fact]
    public void An_unlocated_technician_with_a_fresh_fix_is_not_pruned()
    {
        var index = new TechnicianIndex(scorer: Scorer);
        for (var i = 0; i < 30; i++) index.Upsert(Tech($"far-{i:D2}", 40 + i), 1);
        index.Upsert(Tech("roaming", 0) with { HomeBase = null, LastLocation = Downtown, LastLocationAt = Now }, 1);

        var result = index.Suggest(Request("pump-repair"), 3);

        Assert.Equal("roaming", result.Ranked[0].TechnicianId);
        Assert.Equal(TravelOrigin.CurrentLocation, result.Ranked[0].TravelOrigin);
    }

    [Fact]
    public void A_wide_fleet_is_not_scanned_in_full()
    {
        var fleet = Fleet(7, 2000, 8.0);
        var index = new TechnicianIndex(scorer: Scorer);
        foreach (var technician in fleet) index.Upsert(technician, 1);

        var result = index.Suggest(Request("pump-repair"), 5);

        Assert.Equal(5, result.Ranked.Length);
        Assert.NotNull(result.SearchRadiusKm);
        Assert.True(result.Considered < fleet.Count / 2, $"considered {result.Considered} of {fleet.Count}");
    }

    [Fact]
    public void Exclusions_are_explained_nearest_first()
    {
        var index = new TechnicianIndex(scorer: Scorer);
        index.Upsert(Tech("near-welder", 1, "welding"), 1);
        index.Upsert(Tech("inactive", 2) with { IsActive = false }, 1);
        index.Upsert(Tech("good", 3), 1);

        var result = index.Suggest(Request("pump-repair"), 3);

        Assert.Equal("good", Assert.Single(result.Ranked).TechnicianId);
        Assert.Equal(["near-welder", "inactive"], result.Excluded.Select(r => r.TechnicianId));
        Assert.Equal(MatchExclusionKind.MissingSkill, result.Excluded[0].Exclusions.Single().Kind);
        Assert.Equal(MatchExclusionKind.Inactive, result.Excluded[1].Exclusions.Single().Kind);
        Assert.StartsWith("excluded:", result.Excluded[1].Reason);
    }

    [Fact]
    public void Upserts_keep_the_index_current_and_ignore_stale_versions()
    {
        var index = new TechnicianIndex(scorer: Scorer);
        index.Upsert(Tech("a", 10), 1);
        index.Upsert(Tech("b", 20), 1);
        Assert.Equal("a", index.Suggest(Request("pump-repair"), 1).Ranked.Single().TechnicianId);

        // "a" moves far away: "b" is now nearest. An older update arriving late changes nothing.
        Assert.True(index.Upsert(Tech("a", 80), 2));
        Assert.False(index.Upsert(Tech("a", 1), 1));
        Assert.Equal("b", index.Suggest(Request("pump-repair"), 1).Ranked.Single().TechnicianId);

        Assert.True(index.Remove("b"));
        Assert.Equal("a", index.Suggest(Request("pump-repair"), 1).Ranked.Single().TechnicianId);
        Assert.Equal(1, index.Count);
    }

    [Fact]
    public void Technicians_without_a_home_base_are_still_considered()
    {
        var index = new TechnicianIndex(scorer: Scorer);
        index.Upsert(Tech("nowhere", 1) with { HomeBase = null }, 1);

        var result = index.Suggest(Request("pump-repair"), 1);

        var only = Assert.Single(result.Ranked);
        Assert.Equal((TravelOrigin.Unknown, (TimeSpan?)null), (only.TravelOrigin, only.TravelTime));
    }

    [Fact]
    public void The_picker_lists_everyone_green_first()
    {
        var index = new TechnicianIndex(scorer: Scorer);
        var busy = Tech("busy", 1) with { Schedule = WeekdaySchedule(new Booking("WO-other", JobWindow, Downtown)) };
        index.Upsert(busy, 1);
        index.Upsert(Tech("free", 5), 1);

        var rows = index.EvaluateAll(Request("pump-repair"));

        Assert.Equal(["free", "busy"], rows.Select(r => r.Technician.Id));
        Assert.True(rows[0].Fit.IsEligible);
        Assert.Equal("WO-other", Assert.Single(rows[1].Fit.Conflicts).WorkOrderId);
    }
}
