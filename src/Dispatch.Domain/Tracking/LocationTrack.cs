namespace Dispatch.Domain.Tracking;

/// <summary>What applying one fix did.</summary>
public enum FixOutcome
{
    /// <summary>Newest fix so far: it is the current position now (and in the trail).</summary>
    Current,

    /// <summary>Arrived out of order: kept in the trail, the current position did not move backwards.</summary>
    TrailOnly,

    /// <summary>The same source already reported this instant: nothing changed (retries are harmless).</summary>
    Duplicate,

    /// <summary>Valid, but older than the trail keeps and older than the current position: nothing to change.</summary>
    Expired,
}

/// <summary>How much history a technician's track keeps. Bound from <c>Dispatch:Tracking:Trail</c>.</summary>
public sealed class TrailOptions
{
    /// <summary>Most fixes kept in memory per technician (24 h at one fix a minute, or 2 h at one every 5 s).</summary>
    public int MaxPoints { get; set; } = 1440;

    /// <summary>Fixes older than this (by the server clock) leave the trail.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// How many of the newest trail fixes are written with the current position. The full in-memory trail would make
    /// every throttled write large; the current position is what must survive a restart.
    /// </summary>
    public int PersistedPoints { get; set; } = 100;
}

/// <summary>
/// One technician's current position and bounded trail, as pure rules: newest fix wins the current position, late fixes
/// only fill the trail, a repeated (source, timestamp) is a no-op, and the trail is bounded by count and age.
/// </summary>
public sealed class LocationTrack
{
    private readonly List<LocationFix> _trail; // ascending by timestamp
    private readonly TrailOptions _options;

    public LocationTrack(TrailOptions options, LocationFix? current = null, IEnumerable<LocationFix>? trail = null)
    {
        _options = options;
        _trail = trail?.OrderBy(f => f.Timestamp).ToList() ?? [];
        Current = current ?? (_trail.Count > 0 ? _trail[^1] : null);
    }

    public LocationFix? Current { get; private set; }

    public IReadOnlyList<LocationFix> Trail => _trail;

    public FixOutcome Apply(LocationFix fix, DateTimeOffset now)
    {
        if (Current is { } current && current.Timestamp == fix.Timestamp && current.Source == fix.Source)
            return FixOutcome.Duplicate;

        var index = InsertionIndex(fix.Timestamp);
        // Entries with an equal timestamp sit just before the insertion index.
        for (var i = index - 1; i >= 0 && _trail[i].Timestamp == fix.Timestamp; i--)
        {
            if (_trail[i].Source == fix.Source)
                return FixOutcome.Duplicate;
        }

        var isCurrent = Current is null || fix.Timestamp > Current.Timestamp;
        var tooOldForTrail = now - fix.Timestamp > _options.Retention || (_trail.Count >= _options.MaxPoints && index == 0);
        if (!isCurrent && tooOldForTrail)
            return FixOutcome.Expired;

        if (!tooOldForTrail)
            _trail.Insert(index, fix);
        if (isCurrent)
            Current = fix;
        Prune(now);
        return isCurrent ? FixOutcome.Current : FixOutcome.TrailOnly;
    }

    /// <summary>Fixes with <paramref name="from"/> ≤ timestamp ≤ <paramref name="to"/>, oldest first, at most <paramref name="max"/> (the newest ones).</summary>
    public IReadOnlyList<LocationFix> Between(DateTimeOffset from, DateTimeOffset to, int max)
    {
        var start = InsertionIndex(from, before: true);
        var end = InsertionIndex(to);
        if (end <= start)
            return [];
        var count = Math.Min(max, end - start);
        return _trail.GetRange(end - count, count);
    }

    /// <summary>The newest <see cref="TrailOptions.PersistedPoints"/> fixes: what is written with the current position.</summary>
    public IReadOnlyList<LocationFix> PersistedTrail()
    {
        var count = Math.Min(_options.PersistedPoints, _trail.Count);
        return _trail.GetRange(_trail.Count - count, count);
    }

    public void Prune(DateTimeOffset now)
    {
        var cutoff = now - _options.Retention;
        var remove = 0;
        while (remove < _trail.Count && (_trail.Count - remove > _options.MaxPoints || _trail[remove].Timestamp < cutoff))
            remove++;
        if (remove > 0)
            _trail.RemoveRange(0, remove);
    }

    /// <summary>First index whose timestamp is greater than (or, with <paramref name="before"/>, not less than) the given one.</summary>
    private int InsertionIndex(DateTimeOffset timestamp, bool before = false)
    {
        int lo = 0, hi = _trail.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            var t = _trail[mid].Timestamp;
            if (before ? t < timestamp : t <= timestamp)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo;
    }
}
