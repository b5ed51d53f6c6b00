using Dispatch.Domain.Geo;
using Dispatch.Domain.Matching;
using Dispatch.Domain.Scheduling;

namespace Dispatch.Domain.Tests.Matching;

/// <summary>A Chicago fleet on Monday 2 March 2026; the job is downtown from 10:00 to 12:00 local.</summary>
internal static class MatchFixtures
{
    public const string Chicago = "America/Chicago";
    public static readonly TimeZoneInfo ChicagoZone = LocalClock.Resolve(Chicago);

    public static readonly GeoPoint Downtown = new(41.8781, -87.6298);

    /// <summary>A point <paramref name="km"/> kilometres due north of downtown.</summary>
    public static GeoPoint NorthOfDowntown(double km) => new(Downtown.Latitude + km / 111.195, Downtown.Longitude);

    public static DateTimeOffset Local(int day, int hour, int minute = 0) =>
        LocalClock.ToInstant(new DateTime(2026, 3, day, hour, minute, 0), ChicagoZone);

    public static readonly TimeWindow JobWindow = new(Local(2, 10), Local(2, 12));
    public static readonly DateTimeOffset Now = Local(2, 8);

    public static MatchRequest Request(params string[] requiredSkills) => new()
    {
        WorkOrderId = "WO-100",
        Window = JobWindow,
        Site = Downtown,
        RequiredSkills = [.. requiredSkills],
        AsOf = Now,
    };

    public static TechnicianSchedule WeekdaySchedule(params Booking[] bookings) =>
        new(WorkingHours.Weekdays(Chicago, new TimeOnly(8, 0), new TimeOnly(17, 0)), bookings: bookings);

    public static TechnicianSummary Tech(string id, double kmFromDowntown = 5, params string[] skills) => new()
    {
        Id = id,
        Name = $"Tech {id}",
        Skills = skills.Length == 0 ? ["pump-repair"] : [.. skills],
        HomeBase = NorthOfDowntown(kmFromDowntown),
        Schedule = WeekdaySchedule(),
    };

    public static readonly MatchScorer Scorer = new();
}
