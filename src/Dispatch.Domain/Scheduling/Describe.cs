using System.Globalization;

namespace Dispatch.Domain.Scheduling;

/// <summary>Short, culture-invariant phrases for conflict descriptions and match reasons, in the technician's local time.</summary>
public static class Describe
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>"25 min", "1 h", "2 h 5 min"; anything under half a minute but above zero reads "&lt;1 min".</summary>
    public static string Duration(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero) return "-" + Duration(duration.Negate());
        var minutes = (long)Math.Round(duration.TotalMinutes, MidpointRounding.AwayFromZero);
        if (minutes == 0) return duration > TimeSpan.Zero ? "<1 min" : "0 min";
        var hours = minutes / 60;
        minutes %= 60;
        return (hours, minutes) switch
        {
            (0, _) => $"{minutes} min",
            (_, 0) => $"{hours} h",
            _ => $"{hours} h {minutes} min",
        };
    }

    /// <summary>"09:00" in the zone.</summary>
    public static string Time(DateTimeOffset instant, TimeZoneInfo zone) =>
        LocalClock.ToLocal(instant, zone).ToString("HH:mm", Invariant);

    /// <summary>"Mon 9 Mar 09:00" in the zone.</summary>
    public static string DayAndTime(DateTimeOffset instant, TimeZoneInfo zone) =>
        LocalClock.ToLocal(instant, zone).ToString("ddd d MMM HH:mm", Invariant);

    public static string Day(DateOnly date) => date.ToString("ddd d MMM", Invariant);

    /// <summary>"Mon 9 Mar 09:00–11:00", or "Mon 9 Mar 22:00 – Tue 10 Mar 02:00" across days.</summary>
    public static string Window(TimeWindow window, TimeZoneInfo zone)
    {
        var start = LocalClock.ToLocal(window.Start, zone);
        var end = LocalClock.ToLocal(window.End, zone);
        var sameDay = end.Date == start.Date || (end.TimeOfDay == TimeSpan.Zero && end.Date == start.Date.AddDays(1));
        return sameDay
            ? string.Create(Invariant, $"{start:ddd d MMM HH:mm}–{(end.TimeOfDay == TimeSpan.Zero ? "24:00" : end.ToString("HH:mm", Invariant))}")
            : string.Create(Invariant, $"{start:ddd d MMM HH:mm} – {end:ddd d MMM HH:mm}");
    }

    /// <summary>"10:00–12:00" when within one local day, else the long form of <see cref="Window"/>.</summary>
    public static string ShortWindow(TimeWindow window, TimeZoneInfo zone)
    {
        var start = LocalClock.ToLocal(window.Start, zone);
        var end = LocalClock.ToLocal(window.End, zone);
        if (end.Date == start.Date) return string.Create(Invariant, $"{start:HH:mm}–{end:HH:mm}");
        if (end.TimeOfDay == TimeSpan.Zero && end.Date == start.Date.AddDays(1)) return string.Create(Invariant, $"{start:HH:mm}–24:00");
        return Window(window, zone);
    }
}
