using Dispatch.Domain.Geo;
using Dispatch.Domain.Tracking;

namespace Dispatch.Domain.Tests.Tracking;

public class LocationTrackTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 15, 0, 0, TimeSpan.Zero);

    private static LocationFix Fix(int seconds, double lat = 29.7, string source = "dev-1") => new()
    {
        Position = new GeoPoint(lat, -95.3),
        Timestamp = T0.AddSeconds(seconds),
        Source = source,
    };

    [Fact]
    public void Newest_fix_becomes_current_and_joins_the_trail()
    {
        var track = new LocationTrack(new TrailOptions());

        Assert.Equal(FixOutcome.Current, track.Apply(Fix(0), T0));
        Assert.Equal(FixOutcome.Current, track.Apply(Fix(5, 29.8), T0.AddSeconds(5)));

        Assert.Equal(29.8, track.Current!.Position.Latitude);
        Assert.Equal(2, track.Trail.Count);
    }

    [Fact]
    public void A_late_fix_fills_the_trail_in_order_but_never_moves_the_current_position_back()
    {
        var track = new LocationTrack(new TrailOptions());
        track.Apply(Fix(0), T0);
        track.Apply(Fix(10, 29.9), T0.AddSeconds(10));

        var outcome = track.Apply(Fix(5, 29.85), T0.AddSeconds(11));

        Assert.Equal(FixOutcome.TrailOnly, outcome);
        Assert.Equal(29.9, track.Current!.Position.Latitude);
        Assert.Equal([0, 5, 10], track.Trail.Select(f => (int)(f.Timestamp - T0).TotalSeconds));
    }

    [Fact]
    public void The_same_source_and_instant_twice_is_a_duplicate_and_changes_nothing()
    {
        var track = new LocationTrack(new TrailOptions());
        track.Apply(Fix(0), T0);
        track.Apply(Fix(10), T0);

        Assert.Equal(FixOutcome.Duplicate, track.Apply(Fix(10, 50), T0));
        Assert.Equal(FixOutcome.Duplicate, track.Apply(Fix(0, 50), T0));
        Assert.Equal(29.7, track.Current!.Position.Latitude);
        Assert.Equal(2, track.Trail.Count);
    }

    [Fact]
    public void Another_source_at_the_same_instant_is_not_a_duplicate()
    {
        var track = new LocationTrack(new TrailOptions());
        track.Apply(Fix(0), T0);

        Assert.Equal(FixOutcome.TrailOnly, track.Apply(Fix(0, source: "phone"), T0));
        Assert.Equal(2, track.Trail.Count);
    }

    [Fact]
    public void The_trail_is_bounded_by_count_and_age()
    {
        var track = new LocationTrack(new TrailOptions { MaxPoints = 3, Retention = TimeSpan.FromMinutes(10) });
        for (var s = 0; s < 5; s++)
            track.Apply(Fix(s * 60), T0.AddSeconds(s * 60));

        Assert.Equal([120, 180, 240], track.Trail.Select(f => (int)(f.Timestamp - T0).TotalSeconds));

        track.Prune(T0.AddMinutes(13.5));
        Assert.Single(track.Trail);
        Assert.Equal(FixOutcome.Expired, track.Apply(Fix(-3600), T0.AddMinutes(14)));
    }

    [Fact]
    public void An_old_offline_fix_still_becomes_the_last_known_position_when_nothing_newer_exists()
    {
        var track = new LocationTrack(new TrailOptions { Retention = TimeSpan.FromHours(1) });

        Assert.Equal(FixOutcome.Current, track.Apply(Fix(0), T0.AddDays(2)));
        Assert.NotNull(track.Current);
        Assert.Empty(track.Trail);
    }

    [Fact]
    public void Between_is_inclusive_and_caps_to_the_newest()
    {
        var track = new LocationTrack(new TrailOptions());
        for (var s = 0; s <= 50; s += 10)
            track.Apply(Fix(s), T0.AddSeconds(s));

        Assert.Equal([10, 20, 30], track.Between(T0.AddSeconds(10), T0.AddSeconds(30), 100).Select(f => (int)(f.Timestamp - T0).TotalSeconds));
        Assert.Equal([40, 50], track.Between(T0, T0.AddHours(1), 2).Select(f => (int)(f.Timestamp - T0).TotalSeconds));
        Assert.Empty(track.Between(T0.AddSeconds(11), T0.AddSeconds(19), 100));
    }

    [Fact]
    public void A_restored_track_keeps_its_current_position_and_persists_only_the_newest_points()
    {
        var options = new TrailOptions { PersistedPoints = 2 };
        var track = new LocationTrack(options);
        for (var s = 0; s < 5; s++)
            track.Apply(Fix(s), T0.AddSeconds(s));

        var restored = new LocationTrack(options, track.Current, track.PersistedTrail());

        Assert.Equal(track.Current, restored.Current);
        Assert.Equal([3, 4], restored.Trail.Select(f => (int)(f.Timestamp - T0).TotalSeconds));
        Assert.Equal(FixOutcome.Duplicate, restored.Apply(Fix(4), T0.AddSeconds(5)));
    }
}
