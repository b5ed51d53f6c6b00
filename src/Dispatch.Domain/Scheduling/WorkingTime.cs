namespace Dispatch.Domain.Scheduling;

/// <summary>
/// Which instants count as working time, and how much of a booking is actually worked.
/// </summary>
/// <remarks>
/// Working time is the technician's shifts plus any on-call windows. A booking holds its technician for its
/// whole window, but the off-duty stretches strictly inside it (nights and weekends of a multi-day job, a break
/// between split shifts) are pauses: the job simply continues next shift. So a booking must start and end on
/// the clock, and the time it adds to a day is its window minus those pauses.
/// </remarks>
internal static class WorkingTime
{
    /// <summary>Working time overlapping <paramref name="range"/>, merged into disjoint windows in start order.</summary>
    public static List<TimeWindow> Coverage(WorkingHours hours, IEnumerable<AvailabilityBlock> blocks, TimeWindow range)
    {
        var pieces = hours.ShiftsOverlapping(range);
        foreach (var block in blocks)
            if (block.Kind == AvailabilityKind.OnCall && block.Window.Overlaps(range)) pieces.Add(block.Window);
        pieces.Sort(static (a, b) => a.Start.CompareTo(b.Start));
        return Merge(pieces);
    }

    /// <summary>Merges overlapping and touching windows (a 22:00–06:00 shift followed by 06:00–14:00 is one stretch).</summary>
    public static List<TimeWindow> Merge(List<TimeWindow> sortedByStart)
    {
        var merged = new List<TimeWindow>(sortedByStart.Count);
        foreach (var window in sortedByStart)
        {
            if (merged.Count > 0 && window.Start <= merged[^1].End)
            {
                if (window.End > merged[^1].End) merged[^1] = new TimeWindow(merged[^1].Start, window.End);
            }
            else
            {
                merged.Add(window);
            }
        }
        return merged;
    }

    /// <summary>
    /// The parts of <paramref name="window"/> the technician works: the window minus the off-duty pauses between
    /// its first and last stretch of working time. A window with no working time at all is worked in full (it is
    /// wholly outside hours, which the conflict check reports separately).
    /// </summary>
    /// <param name="coverage">Working time from <see cref="Coverage"/>, covering at least the window's span.</param>
    public static List<TimeWindow> WorkedParts(TimeWindow window, List<TimeWindow> coverage)
    {
        var parts = new List<TimeWindow>();
        DateTimeOffset? firstCovered = null, lastCovered = null;
        foreach (var stretch in coverage)
        {
            if (stretch.Intersect(window) is not { } covered) continue;
            firstCovered ??= covered.Start;
            lastCovered = covered.End;
            parts.Add(covered);
        }
        if (firstCovered is null || lastCovered is null) return [window];
        if (firstCovered > window.Start) parts.Insert(0, new TimeWindow(window.Start, firstCovered.Value));
        if (lastCovered < window.End) parts.Add(new TimeWindow(lastCovered.Value, window.End));
        return parts;
    }

    /// <summary>
    /// The parts of <paramref name="window"/> that fall outside working time and are not pauses: before the first
    /// stretch of working time, after the last, or the whole window when it touches no working time.
    /// </summary>
    public static List<TimeWindow> OffTheClock(TimeWindow window, List<TimeWindow> coverage)
    {
        DateTimeOffset? firstCovered = null, lastCovered = null;
        foreach (var stretch in coverage)
        {
            if (stretch.Intersect(window) is not { } covered) continue;
            firstCovered ??= covered.Start;
            lastCovered = covered.End;
        }
        if (firstCovered is null || lastCovered is null) return [window];
        var result = new List<TimeWindow>(2);
        if (firstCovered > window.Start) result.Add(new TimeWindow(window.Start, firstCovered.Value));
        if (lastCovered < window.End) result.Add(new TimeWindow(lastCovered.Value, window.End));
        return result;
    }

    /// <summary>The local calendar days <paramref name="window"/> touches, as instant ranges.</summary>
    public static List<(DateOnly Date, TimeWindow Day)> LocalDays(TimeWindow window, TimeZoneInfo zone)
    {
        var days = new List<(DateOnly, TimeWindow)>();
        var first = LocalClock.LocalDate(window.Start, zone);
        // End is exclusive: a window ending exactly at midnight does not touch the next day.
        var last = LocalClock.LocalDate(window.End.AddTicks(-1), zone);
        for (var date = first; date <= last; date = date.AddDays(1))
            days.Add((date, LocalClock.Day(date, zone)));
        return days;
    }
}
