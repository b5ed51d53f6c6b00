using System.Collections.Immutable;

namespace Dispatch.Domain.Scheduling;

/// <summary>
/// One recurring shift in local wall-clock time, starting on <see cref="Day"/>. An end at or before the start
/// means the shift runs past midnight into the next day (22:00–06:00); an end equal to the start is a full
/// 24-hour shift.
/// </summary>
[GenerateSerializer, Immutable, Alias("Dispatch.WorkingShift")]
public readonly record struct WorkingShift
{
    public WorkingShift(DayOfWeek day, TimeOnly start, TimeOnly end)
    {
        if (!Enum.IsDefined(day))
            throw new ArgumentOutOfRangeException(nameof(day), day, "Unknown day of week.");
        Day = day;
        Start = start;
        End = end;
    }

    [Id(0)] public DayOfWeek Day { get; }
    [Id(1)] public TimeOnly Start { get; }
    [Id(2)] public TimeOnly End { get; }

    public bool EndsNextDay => End <= Start;

    /// <summary>Nominal length on the wall clock; the real length differs by the DST shift on change days.</summary>
    public TimeSpan NominalLength => EndsNextDay ? TimeSpan.FromDays(1) - (Start - End) : End - Start;
}

/// <summary>A technician's regular weekly hours, in their own time zone.</summary>
/// <remarks>
/// Shifts are local wall-clock times, so a 08:00–17:00 shift is 08:00–17:00 local on the days clocks change
/// (an 8- or 10-hour span in UTC for overnight shifts across the change). No shifts at all means the technician
/// has no regular hours, and only on-call time counts as working time.
/// </remarks>
[GenerateSerializer, Immutable, Alias("Dispatch.WorkingHours")]
public sealed record WorkingHours
{
    [Id(0)] private readonly string _timeZoneId;
    [Id(1)] private readonly ImmutableArray<WorkingShift> _shifts;

    public WorkingHours(string timeZoneId, IEnumerable<WorkingShift> shifts)
    {
        ArgumentNullException.ThrowIfNull(shifts);
        LocalClock.Resolve(timeZoneId); // fail at the door, not in the middle of a conflict check
        _timeZoneId = timeZoneId;
        _shifts = [.. shifts.OrderBy(s => s.Day).ThenBy(s => s.Start)];
    }

    /// <summary>Monday to Friday, the same hours each day.</summary>
    public static WorkingHours Weekdays(string timeZoneId, TimeOnly start, TimeOnly end) =>
        new(timeZoneId, Enumerable.Range(1, 5).Select(d => new WorkingShift((DayOfWeek)d, start, end)));

    public static WorkingHours EveryDay(string timeZoneId, TimeOnly start, TimeOnly end) =>
        new(timeZoneId, Enum.GetValues<DayOfWeek>().Select(d => new WorkingShift(d, start, end)));

    /// <summary>Always working: for contractors without set hours, or to switch the working-hours rule off.</summary>
    public static WorkingHours AroundTheClock(string timeZoneId) => EveryDay(timeZoneId, TimeOnly.MinValue, TimeOnly.MinValue);

    public string TimeZoneId => _timeZoneId;

    public ImmutableArray<WorkingShift> Shifts => _shifts.IsDefault ? [] : _shifts;

    public TimeZoneInfo TimeZone => LocalClock.Resolve(_timeZoneId);

    /// <summary>
    /// Every shift occurrence overlapping <paramref name="range"/>, as UTC windows in start order (not merged,
    /// not clipped to the range).
    /// </summary>
    public List<TimeWindow> ShiftsOverlapping(TimeWindow range)
    {
        var result = new List<TimeWindow>();
        var shifts = Shifts;
        if (shifts.IsEmpty) return result;

        var zone = TimeZone;
        // Start a day early: yesterday's overnight shift may still be running when the range begins.
        var first = LocalClock.LocalDate(range.Start, zone).AddDays(-1);
        var last = LocalClock.LocalDate(range.End, zone);
        for (var date = first; date <= last; date = date.AddDays(1))
        {
            foreach (var shift in shifts)
            {
                if (shift.Day != date.DayOfWeek) continue;
                var start = LocalClock.ToInstant(date.ToDateTime(shift.Start), zone);
                var end = LocalClock.ToInstant((shift.EndsNextDay ? date.AddDays(1) : date).ToDateTime(shift.End), zone);
                // A shift lying wholly inside a spring-forward gap has no real instants left.
                if (end <= start) continue;
                var window = new TimeWindow(start, end);
                if (window.Overlaps(range)) result.Add(window);
            }
        }
        result.Sort(static (a, b) => a.Start.CompareTo(b.Start));
        return result;
    }

    public bool Equals(WorkingHours? other) =>
        other is not null && _timeZoneId == other._timeZoneId && Shifts.SequenceEqual(other.Shifts);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(_timeZoneId);
        foreach (var shift in Shifts) hash.Add(shift);
        return hash.ToHashCode();
    }
}
