using Dispatch.Domain.Common;
using Dispatch.Domain.Geo;
using Dispatch.Domain.Scheduling;
using Dispatch.Domain.Technicians;

namespace Dispatch.Domain.Tests.Technicians;

public class TechnicianRulesTests
{
    private const string Chicago = "America/Chicago";
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 14, 0, 0, TimeSpan.Zero); // Monday 08:00 in Chicago
    private static readonly ScheduleConflictChecker Checker = new();

    private static Technician Tech() => TechnicianRules.Create("t1", "tech-1", new NewTechnician
    {
        Name = "Tom",
        TimeZoneId = Chicago,
        HomeBase = new GeoPoint(41.88, -87.63),
        UserId = "u-tom",
        Capacity = new TechnicianCapacity(maxActiveWorkOrders: 1),
    }, Now);

    private static ReservationRequest Job(string id, int startHour, int hours = 1) => new()
    {
        WorkOrderId = id,
        Window = TimeWindow.FromDuration(Now.AddHours(startHour), TimeSpan.FromHours(hours)),
    };

    [Fact]
    public void New_technicians_work_weekdays_eight_to_five_unless_told_otherwise()
    {
        var technician = Tech();
        Assert.Equal(5, technician.WorkingHours.Length);
        Assert.All(technician.WorkingHours, s => Assert.Equal((new TimeOnly(8, 0), new TimeOnly(17, 0)), (s.Start, s.End)));
    }

    [Fact]
    public void Overlapping_shifts_on_one_day_are_refused()
    {
        var error = Assert.Throws<DomainException>(() => TechnicianRules.SetWorkingHours(Tech(),
            [new WorkingShift(DayOfWeek.Monday, new TimeOnly(8, 0), new TimeOnly(12, 0)), new WorkingShift(DayOfWeek.Monday, new TimeOnly(11, 0), new TimeOnly(15, 0))], Now));
        Assert.Equal("workingHours", error.Details["field"]);
    }

    [Fact]
    public void Reserve_books_a_free_slot_and_reports_conflicts_without_booking()
    {
        var technician = Tech();
        var schedule = TechnicianRules.Schedule(technician, [], []);

        var (booked, first) = TechnicianRules.Reserve(technician, schedule, 0, Job("wo-1", 1), Checker);
        Assert.True(first.IsReserved);
        Assert.Equal("u-tom", first.UserId);

        var (unchanged, second) = TechnicianRules.Reserve(technician, booked, 0, Job("wo-2", 1), Checker);
        Assert.Equal(ReservationStatus.Conflicts, second.Status);
        Assert.Equal("wo-1", Assert.Single(second.Conflicts, c => c.Kind == ScheduleConflictKind.Overlap).WorkOrderId);
        Assert.Same(booked, unchanged);
    }

    [Fact]
    public void Guards_refuse_with_their_codes()
    {
        var technician = Tech();
        var schedule = TechnicianRules.Schedule(technician, [], []);

        Assert.Equal(ErrorCodes.TechnicianInactive,
            TechnicianRules.Reserve(TechnicianRules.SetActive(technician, false, Now), schedule, 0, Job("wo-1", 1), Checker).Outcome.ErrorCode);
        Assert.Equal(ErrorCodes.NotFieldTechnician,
            TechnicianRules.Reserve(TechnicianRules.Update(technician, new TechnicianUpdate { IsField = false }, Now), schedule, 0, Job("wo-1", 1), Checker).Outcome.ErrorCode);

        // At the active-order limit: refused, unless capacity is overridden.
        var atLimit = TechnicianRules.Reserve(technician, schedule, 1, Job("wo-1", 1), Checker).Outcome;
        Assert.Equal((ReservationStatus.Refused, ErrorCodes.AtCapacity), (atLimit.Status, atLimit.ErrorCode));
        var overridden = TechnicianRules.Reserve(technician, schedule, 1, Job("wo-1", 1) with { OverrideCapacity = true }, Checker).Outcome;
        Assert.True(overridden.IsReserved);
        Assert.Equal(ScheduleConflictKind.CapacityActiveOrders, Assert.Single(overridden.Conflicts).Kind);
    }

    [Fact]
    public void Schedule_conflicts_are_reported_before_capacity_so_the_dispatcher_sees_everything()
    {
        var technician = Tech();
        var schedule = TechnicianRules.Schedule(technician, [new Booking("wo-0", TimeWindow.FromDuration(Now.AddHours(1), TimeSpan.FromHours(1)))], []);

        var outcome = TechnicianRules.Reserve(technician, schedule, 1, Job("wo-1", 1), Checker).Outcome;

        Assert.Equal(ReservationStatus.Conflicts, outcome.Status);
        Assert.Contains(outcome.Conflicts, c => c.Kind == ScheduleConflictKind.Overlap);
        Assert.Contains(outcome.Conflicts, c => c.Kind == ScheduleConflictKind.CapacityActiveOrders);
    }

    [Fact]
    public void Finishing_early_frees_the_rest_of_the_slot()
    {
        var technician = Tech();
        var schedule = TechnicianRules.Schedule(technician, [new Booking("wo-1", TimeWindow.FromDuration(Now.AddHours(1), TimeSpan.FromHours(2)))], []);

        var finished = TechnicianRules.Finish(schedule, "wo-1", Now.AddHours(2));

        Assert.Equal(new TimeWindow(Now.AddHours(1), Now.AddHours(2)), finished.Find("wo-1")!.Window);
        Assert.Same(schedule, TechnicianRules.Finish(schedule, "wo-1", Now.AddHours(5)));
        Assert.Null(TechnicianRules.Finish(schedule, "wo-1", Now).Find("wo-1"));
    }

    [Fact]
    public void Summaries_carry_what_best_match_needs()
    {
        var technician = Tech();
        var schedule = TechnicianRules.Schedule(technician, [new Booking("wo-1", TimeWindow.FromDuration(Now.AddHours(1), TimeSpan.FromHours(2)))], []);
        var fix = new TechnicianPosition(new GeoPoint(41.9, -87.6), Now);

        var summary = TechnicianRules.Summarize(technician, schedule, 1, fix, Now);

        Assert.Equal((1, TimeSpan.FromHours(2), fix.Point, "u-tom"), (summary.ActiveWorkOrders, summary.BookedToday, summary.LastLocation!.Value, summary.UserId));
    }
}
