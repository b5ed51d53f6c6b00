using Dispatch.Domain.Scheduling;
using static Dispatch.Domain.Tests.Scheduling.Fixtures;

namespace Dispatch.Domain.Tests.Scheduling;

public class LocalClockTests
{
    [Fact]
    public void Ordinary_local_time_maps_with_the_offset_in_force()
    {
        Assert.Equal(Utc(3, 2, 13), LocalClock.ToInstant(new DateTime(2026, 3, 2, 8, 0, 0), NewYorkZone)); // EST
        Assert.Equal(Utc(3, 9, 12), LocalClock.ToInstant(new DateTime(2026, 3, 9, 8, 0, 0), NewYorkZone)); // EDT
    }

    [Fact]
    public void A_time_skipped_by_spring_forward_moves_forward_by_the_gap() =>
        // 02:30 does not exist on 8 March; it becomes 03:30 EDT.
        Assert.Equal(Utc(3, 8, 7, 30), LocalClock.ToInstant(new DateTime(2026, 3, 8, 2, 30, 0), NewYorkZone));

    [Fact]
    public void A_time_repeated_by_fall_back_takes_its_first_occurrence() =>
        // 01:30 happens twice on 1 November; the first is 01:30 EDT.
        Assert.Equal(Utc(11, 1, 5, 30), LocalClock.ToInstant(new DateTime(2026, 11, 1, 1, 30, 0), NewYorkZone));

    [Fact]
    public void Spring_forward_day_is_23_hours_and_fall_back_day_25() 
    {
        Assert.Equal(TimeSpan.FromHours(23), LocalClock.Day(new DateOnly(2026, 3, 8), NewYorkZone).Duration);
        Assert.Equal(TimeSpan.FromHours(25), LocalClock.Day(new DateOnly(2026, 11, 1), NewYorkZone).Duration);
        Assert.Equal(TimeSpan.FromHours(24), LocalClock.Day(new DateOnly(2026, 3, 9), NewYorkZone).Duration);
    }

    [Fact]
    public void Unknown_time_zone_ids_are_rejected() =>
        Assert.Throws<TimeZoneNotFoundException>(() => LocalClock.Resolve("Mars/Olympus_Mons"));

    [Fact]
    public void Local_date_follows_the_zone_not_utc() =>
        // 03:00 UTC on 3 March is still the evening of 2 March in New York.
        Assert.Equal(new DateOnly(2026, 3, 2), LocalClock.LocalDate(Utc(3, 3, 3), NewYorkZone));
}
