using System.Collections.Concurrent;

namespace Dispatch.Domain.Scheduling;

/// <summary>
/// Conversions between UTC instants and a technician's wall clock. Working hours are promises about the wall
/// clock ("08:00–17:00"), so they are stored as local times and turned into instants only for a given date,
/// which keeps them right across daylight-saving changes.
/// </summary>
public static class LocalClock
{
    private static readonly ConcurrentDictionary<string, TimeZoneInfo> Zones = new(StringComparer.Ordinal);

    /// <summary>Resolves an IANA (or Windows) time-zone id; throws <see cref="TimeZoneNotFoundException"/> for unknown ids.</summary>
    public static TimeZoneInfo Resolve(string timeZoneId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(timeZoneId);
        return Zones.GetOrAdd(timeZoneId, TimeZoneInfo.FindSystemTimeZoneById);
    }

    public static DateTime ToLocal(DateTimeOffset instant, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(instant, zone).DateTime;

    public static DateOnly LocalDate(DateTimeOffset instant, TimeZoneInfo zone) => DateOnly.FromDateTime(ToLocal(instant, zone));

    /// <summary>
    /// The instant a wall-clock reading denotes, resolved leniently like java.time and NodaTime's lenient resolver:
    /// a reading skipped by a spring-forward gap moves forward by the length of the gap (02:30 becomes 03:30), and a
    /// reading that occurs twice at a fall-back takes its earlier occurrence. Lenient because a shift that starts at
    /// 02:30 on the night clocks change still happens; it must not vanish or throw.
    /// </summary>
    public static DateTimeOffset ToInstant(DateTime localTime, TimeZoneInfo zone)
    {
        var local = DateTime.SpecifyKind(localTime, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(local))
        {
            // The offset in force before the gap is the smaller one around it (clocks jumped forward).
            var before = zone.GetUtcOffset(local.AddDays(-1));
            var after = zone.GetUtcOffset(local.AddDays(1));
            return new DateTimeOffset(local - (before < after ? before : after), TimeSpan.Zero);
        }
        if (zone.IsAmbiguousTime(local))
        {
            var offsets = zone.GetAmbiguousTimeOffsets(local);
            return new DateTimeOffset(local - offsets.Max(), TimeSpan.Zero);
        }
        return new DateTimeOffset(local - zone.GetUtcOffset(local), TimeSpan.Zero);
    }

    /// <summary>The local calendar day as an instant range; 23 or 25 hours long on daylight-saving days.</summary>
    public static TimeWindow Day(DateOnly date, TimeZoneInfo zone) =>
        new(ToInstant(date.ToDateTime(TimeOnly.MinValue), zone), ToInstant(date.AddDays(1).ToDateTime(TimeOnly.MinValue), zone));
}
