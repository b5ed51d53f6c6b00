using Dispatch.Domain.Scheduling;
using static Dispatch.Domain.Tests.Scheduling.Fixtures;

namespace Dispatch.Domain.Tests.Scheduling;

public class WorkingHoursTests
{
    [Fact]
    public void Rejects_an_unknown_time_zone() =>
        Assert.Throws<TimeZoneNotFoundException>(() => WorkingHours.Weekdays("Nowhere/Special", new TimeOnly(8, 0), new TimeOnly(17, 0)));

    [Fact]
    public void Weekdays_has_one_shift_monday_to_friday()
    {
        var hours = EightToFiveWeekdays;
        Assert.Equal(5, hours.Shifts.Length);
        Assert.DoesNotContain(hours.Shifts, s => s.Day is DayOfWeek.Saturday or DayOfWeek.Sunday);
    }

    [Fact]
    public void A_day_shift_is_its_local_hours_in_utc()
    {
        var shifts = EightToFiveWeekdays.ShiftsOverlapping(Window(Ny(3, 2, 0), Ny(3, 3, 0)));
        Assert.Equal([Window(Utc(3, 2, 13), Utc(3, 2, 22))], shifts);
    }

    [Fact]
    public void A_shift_on_the_spring_forward_day_keeps_its_local_hours()
    {
        var shifts = EightToFiveEveryDay.ShiftsOverlapping(Window(Ny(3, 8, 0), Ny(3, 9, 0)));
        Assert.Equal([Window(Utc(3, 8, 12), Utc(3, 8, 21))], shifts); // 08:00–17:00 EDT
    }

    [Fact]
    public void A_shift_on_the_fall_back_day_keeps_its_local_hours()
    {
        var shifts = EightToFiveEveryDay.ShiftsOverlapping(Window(Ny(11, 1, 0), Ny(11, 2, 0)));
        Assert.Equal([Window(Utc(11, 1, 13), Utc(11, 1, 22))], shifts); // 08:00–17:00 EST
    }

    [Fact]
    public void An_overnight_shift_ends_the_next_morning()
    {
        var nights = new WorkingHours(NewYork, [new WorkingShift(DayOfWeek.Monday, new TimeOnly(22, 0), new TimeOnly(6, 0))]);
        var shifts = nights.ShiftsOverlapping(Window(Ny(3, 2, 0), Ny(3, 4, 0)));
        Assert.Equal([Window(Ny(3, 2, 22), Ny(3, 3, 6))], shifts);
        Assert.Equal(TimeSpan.FromHours(8), shifts[0].Duration);
    }

    [Fact]
    public void An_overnight_shift_across_spring_forward_is_an_hour_shorter()
    {
        var nights = new WorkingHours(NewYork, [new WorkingShift(DayOfWeek.Saturday, new TimeOnly(22, 0), new TimeOnly(6, 0))]);
        var shift = Assert.Single(nights.ShiftsOverlapping(Window(Ny(3, 7, 12), Ny(3, 8, 12))));
        Assert.Equal(Window(Utc(3, 8, 3), Utc(3, 8, 10)), shift);
        Assert.Equal(TimeSpan.FromHours(7), shift.Duration);
    }

    [Fact]
    public void An_overnight_shift_across_fall_back_is_an_hour_longer()
    {
        var nights = new WorkingHours(NewYork, [new WorkingShift(DayOfWeek.Saturday, new TimeOnly(22, 0), new TimeOnly(6, 0))]);
        var shift = Assert.Single(nights.ShiftsOverlapping(Window(Ny(10, 31, 12), Ny(11, 1, 12))));
        Assert.Equal(Window(Utc(11, 1, 2), Utc(11, 1, 11)), shift);
        Assert.Equal(TimeSpan.FromHours(9), shift.Duration);
    }

    [Fact]
    public void Yesterdays_overnight_shift_is_found_when_the_range_starts_after_midnight()
    {
        var nights = new WorkingHours(NewYork, [new WorkingShift(DayOfWeek.Monday, new TimeOnly(22, 0), new TimeOnly(6, 0))]);
        var shift = Assert.Single(nights.ShiftsOverlapping(Window(Ny(3, 3, 1), Ny(3, 3, 2))));
        Assert.Equal(Ny(3, 2, 22), shift.Start);
    }

    [Fact]
    public void Equal_start_and_end_is_a_24_hour_shift()
    {
        var shift = new WorkingShift(DayOfWeek.Monday, new TimeOnly(7, 0), new TimeOnly(7, 0));
        Assert.True(shift.EndsNextDay);
        Assert.Equal(TimeSpan.FromHours(24), shift.NominalLength);
    }

    [Fact]
    public void Working_hours_with_the_same_shifts_are_equal() =>
        Assert.Equal(EightToFiveWeekdays, EightToFiveWeekdays);

    [Fact]
    public void Working_hours_in_different_zones_differ() =>
        Assert.NotEqual(EightToFiveWeekdays, WorkingHours.Weekdays("America/Chicago", new TimeOnly(8, 0), new TimeOnly(17, 0)));
}
