using System.Globalization;

namespace Dispatch.Domain.Scheduling;

/// <summary>
/// A half-open span of time [Start, End), always stored in UTC. Half-open so that a job ending at 10:00 and the
/// next starting at 10:00 touch without overlapping, and a day can be cut into consecutive windows without
/// double-counting the instants where they meet.
/// </summary>
[GenerateSerializer, Immutable, Alias("Dispatch.TimeWindow")]
public readonly record struct TimeWindow
{
    public TimeWindow(DateTimeOffset start, DateTimeOffset end)
    {
        if (end <= start)
            throw new ArgumentException($"A time window must end after it starts ({start:O} .. {end:O}).", nameof(end));
        // Normalise the offset so stored and compared values look alike whatever offset the caller used.
        Start = start.ToUniversalTime();
        End = end.ToUniversalTime();
    }

    [Id(0)] public DateTimeOffset Start { get; }
    [Id(1)] public DateTimeOffset End { get; }

    public TimeSpan Duration => End - Start;

    public static TimeWindow FromDuration(DateTimeOffset start, TimeSpan duration) => new(start, start + duration);

    /// <summary>True when the windows share at least one instant; windows that merely touch do not.</summary>
    public bool Overlaps(TimeWindow other) => Start < other.End && other.Start < End;

    public bool Contains(DateTimeOffset instant) => instant >= Start && instant < End;

    public bool Contains(TimeWindow other) => other.Start >= Start && other.End <= End;

    public TimeWindow? Intersect(TimeWindow other)
    {
        var start = Start > other.Start ? Start : other.Start;
        var end = End < other.End ? End : other.End;
        return end > start ? new TimeWindow(start, end) : null;
    }

    public TimeSpan OverlapWith(TimeWindow other)
    {
        var start = Start > other.Start ? Start : other.Start;
        var end = End < other.End ? End : other.End;
        return end > start ? end - start : TimeSpan.Zero;
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"[{Start:yyyy-MM-dd'T'HH:mm:ss'Z'}, {End:yyyy-MM-dd'T'HH:mm:ss'Z'})");
}
