using Dispatch.Domain.Scheduling;
using static Dispatch.Domain.Tests.Scheduling.Fixtures;

namespace Dispatch.Domain.Tests.Scheduling;

public class TimeWindowTests
{
    [Fact]
    public void Rejects_an_end_before_the_start() =>
        Assert.Throws<ArgumentException>("end", () => new TimeWindow(Utc(3, 2, 10), Utc(3, 2, 9)));

    [Fact]
    public void Rejects_an_empty_window() =>
        Assert.Throws<ArgumentException>("end", () => new TimeWindow(Utc(3, 2, 10), Utc(3, 2, 10)));

    [Fact]
    public void Stores_instants_in_utc()
    {
        var window = new TimeWindow(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.FromHours(-5)), new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.FromHours(-5)));
        Assert.Equal(TimeSpan.Zero, window.Start.Offset);
        Assert.Equal(Utc(3, 2, 14), window.Start);
    }

    [Fact]
    public void Touching_windows_do_not_overlap()
    {
        var morning = Window(Utc(3, 2, 9), Utc(3, 2, 10));
        var next = Window(Utc(3, 2, 10), Utc(3, 2, 11));
        Assert.False(morning.Overlaps(next));
        Assert.False(next.Overlaps(morning));
        Assert.Null(morning.Intersect(next));
        Assert.Equal(TimeSpan.Zero, morning.OverlapWith(next));
    }

    [Fact]
    public void Partly_shared_windows_overlap_both_ways()
    {
        var a = Window(Utc(3, 2, 9), Utc(3, 2, 11));
        var b = Window(Utc(3, 2, 10), Utc(3, 2, 12));
        Assert.True(a.Overlaps(b));
        Assert.True(b.Overlaps(a));
        Assert.Equal(Window(Utc(3, 2, 10), Utc(3, 2, 11)), a.Intersect(b));
    }

    [Fact]
    public void A_window_inside_another_overlaps_it()
    {
        var day = Window(Utc(3, 2, 0), Utc(3, 3, 0));
        var hour = Window(Utc(3, 2, 10), Utc(3, 2, 11));
        Assert.True(day.Overlaps(hour));
        Assert.True(day.Contains(hour));
        Assert.False(hour.Contains(day));
    }

    [Fact]
    public void Start_is_inside_and_end_is_outside()
    {
        var window = Window(Utc(3, 2, 9), Utc(3, 2, 10));
        Assert.True(window.Contains(Utc(3, 2, 9)));
        Assert.False(window.Contains(Utc(3, 2, 10)));
    }

    [Fact]
    public void FromDuration_adds_the_duration() =>
        Assert.Equal(Utc(3, 2, 11, 30), TimeWindow.FromDuration(Utc(3, 2, 10), TimeSpan.FromMinutes(90)).End);
}
