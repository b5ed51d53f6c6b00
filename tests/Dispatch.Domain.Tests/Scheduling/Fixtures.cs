using Dispatch.Domain.Geo;
using Dispatch.Domain.Scheduling;

namespace Dispatch.Domain.Tests.Scheduling;

/// <summary>
/// Times in America/New_York, the zone whose 2026 daylight-saving changes the tests exercise:
/// Sunday 8 March (02:00 EST jumps to 03:00 EDT) and Sunday 1 November (02:00 EDT falls back to 01:00 EST).
/// Monday 2 March 2026 is a plain week.
/// </summary>
internal static class Fixtures
{
    public const string NewYork = "America/New_York";
    public static readonly TimeZoneInfo NewYorkZone = LocalClock.Resolve(NewYork);

    public static readonly GeoPoint Depot = new(40.7128, -74.0060);
    /// <summary>About 20 km north of <see cref="Depot"/>: a 31-minute drive with the default estimator.</summary>
    public static readonly GeoPoint Yonkers = new(40.8931, -74.0060);

    /// <summary>A New York wall-clock reading as an instant.</summary>
    public static DateTimeOffset Ny(int month, int day, int hour, int minute = 0) =>
        LocalClock.ToInstant(new DateTime(2026, month, day, hour, minute, 0), NewYorkZone);

    public static DateTimeOffset Utc(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, TimeSpan.Zero);

    public static TimeWindow Window(DateTimeOffset start, DateTimeOffset end) => new(start, end);

    public static TimeWindow Hours(DateTimeOffset start, double hours) => TimeWindow.FromDuration(start, TimeSpan.FromHours(hours));

    public static Booking Job(string id, TimeWindow window, GeoPoint? site = null) => new(id, window, site);

    public static WorkingHours EightToFiveWeekdays => WorkingHours.Weekdays(NewYork, new TimeOnly(8, 0), new TimeOnly(17, 0));

    public static WorkingHours EightToFiveEveryDay => WorkingHours.EveryDay(NewYork, new TimeOnly(8, 0), new TimeOnly(17, 0));

    public static TechnicianSchedule Schedule(
        WorkingHours? hours = null,
        TechnicianCapacity? capacity = null,
        IEnumerable<Booking>? bookings = null,
        IEnumerable<AvailabilityBlock>? blocks = null) =>
        new(hours ?? EightToFiveWeekdays, capacity, bookings, blocks);

    public static readonly ScheduleConflictChecker Checker = new();
}
