using Dispatch.Domain.Geo;
using Dispatch.Domain.Matching;
using Dispatch.Domain.Scheduling;

namespace Dispatch.Benchmarks;

/// <summary>
/// A reproducible fleet around Chicago for benchmarks: mixed skills, a few lapsed certifications, some
/// inactive staff, a handful of bookings on the dispatch day and live positions for about half.
/// </summary>
public static class SyntheticFleet
{
    public const string Chicago = "America/Chicago";
    public static readonly GeoPoint Downtown = new(41.8781, -87.6298);
    public static readonly TimeZoneInfo Zone = LocalClock.Resolve(Chicago);
    public static readonly DateTimeOffset Now = Local(2, 8);

    private static readonly string[] Skills = ["pump-repair", "welding", "electrical", "backflow", "well-drilling", "controls"];
    private static readonly WorkingHours Hours = WorkingHours.Weekdays(Chicago, new TimeOnly(7, 0), new TimeOnly(18, 0));

    public static DateTimeOffset Local(int day, int hour, int minute = 0) =>
        LocalClock.ToInstant(new DateTime(2026, 3, day, hour, minute, 0), Zone);

    public static MatchRequest Request() => new()
    {
        WorkOrderId = "WO-BENCH",
        Window = new TimeWindow(Local(2, 13), Local(2, 15)),
        Site = Downtown,
        RequiredSkills = ["pump-repair"],
        PreferredSkills = ["controls"],
        RequiredCertifications = ["backflow"],
        AsOf = Now,
    };

    /// <param name="spreadScale">
    /// How far the fleet spreads from downtown: 1 is the metro area (home bases within ±0.4°, jobs and positions anywhere
    /// within ±0.3°); above 1, a region that many times as wide, where each technician works near home (jobs and last
    /// position within ±0.15° of it), as regional technicians do.
    /// </param>
    public static List<TechnicianSummary> Technicians(int count, int seed = 42, double spreadScale = 1)
    {
        var random = new Random(seed);
        var regional = spreadScale > 1;
        var fleet = new List<TechnicianSummary>(count);
        for (var i = 0; i < count; i++)
        {
            // Regional: the home comes first and anchors the day's work. Metro: the original draw order, kept so figures
            // measured before this option existed still reproduce.
            var home = regional ? Near(random, 0.8 * spreadScale) : default;
            GeoPoint Work() => regional ? Around(random, home, 0.3) : Near(random, 0.6);
            var bookings = new List<Booking>();
            var start = Local(2, 7);
            for (var b = random.Next(0, 5); b > 0; b--)
            {
                start = start.AddMinutes(random.Next(15, 150));
                var end = start.AddMinutes(random.Next(30, 150));
                bookings.Add(new Booking($"WO-{i}-{b}", new TimeWindow(start, end), Work()));
                start = end;
            }
            var hasFix = random.Next(2) == 0;
            fleet.Add(new TechnicianSummary
            {
                Id = $"tech-{i:D6}",
                Name = $"Technician {i}",
                IsActive = random.Next(25) != 0,
                IsField = random.Next(25) != 0,
                Skills = [.. Skills.Where(_ => random.Next(2) == 0)],
                Certifications = random.Next(3) == 0 ? [] : [new Certification("backflow", Now.AddDays(random.Next(-60, 365)))],
                HomeBase = regional ? home : Near(random, 0.8),
                LastLocation = hasFix ? Work() : null,
                LastLocationAt = hasFix ? Now.AddMinutes(-random.Next(0, 60)) : null,
                ActiveWorkOrders = random.Next(0, 6),
                BookedToday = TimeSpan.FromMinutes(random.Next(0, 8 * 60)),
                Schedule = new TechnicianSchedule(Hours, new TechnicianCapacity(6, TimeSpan.FromHours(10)), bookings),
            });
        }
        return fleet;
    }

    /// <summary>
    /// A calendar of <paramref name="count"/> one-hour jobs, three per working day, with sites, and a proposal
    /// that lands in a free afternoon slot in the middle of it (so every rule is evaluated, none short-cuts).
    /// </summary>
    public static (TechnicianSchedule Schedule, Booking Proposal) BusyCalendar(int count, int seed = 7)
    {
        var random = new Random(seed);
        var bookings = new List<Booking>(count);
        var day = new DateOnly(2026, 1, 5);
        var middleDay = day;
        for (var i = 0; i < count; day = day.AddDays(1))
        {
            if (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) continue;
            if (i == count / 2) middleDay = day;
            foreach (var hour in new[] { 8, 10, 12 })
            {
                if (i == count) break;
                var start = LocalClock.ToInstant(day.ToDateTime(new TimeOnly(hour, 0)), Zone);
                bookings.Add(new Booking($"WO-{i++}", TimeWindow.FromDuration(start, TimeSpan.FromHours(1)), Near(random, 0.3)));
            }
        }
        var schedule = new TechnicianSchedule(Hours, new TechnicianCapacity(10, TimeSpan.FromHours(9)), bookings);
        var proposalStart = LocalClock.ToInstant(middleDay.ToDateTime(new TimeOnly(15, 0)), Zone);
        return (schedule, new Booking("WO-NEW", TimeWindow.FromDuration(proposalStart, TimeSpan.FromHours(2)), Downtown));
    }

    /// <summary>The benchmark request moved to <paramref name="count"/> job sites spread like the fleet, for a realistic mix.</summary>
    public static MatchRequest[] Requests(int count, double spreadScale = 1, int seed = 11)
    {
        var random = new Random(seed);
        var request = Request();
        return [.. Enumerable.Range(0, count).Select(i => request with { WorkOrderId = $"WO-Q{i}", Site = Near(random, 0.6 * spreadScale) })];
    }

    private static GeoPoint Around(Random random, GeoPoint center, double spreadDegrees) =>
        new(Math.Clamp(center.Latitude + (random.NextDouble() - 0.5) * spreadDegrees, -90, 90),
            Math.Clamp(center.Longitude + (random.NextDouble() - 0.5) * spreadDegrees, -180, 180));

    public static GeoPoint Near(Random random, double spreadDegrees) =>
        new(Downtown.Latitude + (random.NextDouble() - 0.5) * spreadDegrees, Downtown.Longitude + (random.NextDouble() - 0.5) * spreadDegrees);
}
