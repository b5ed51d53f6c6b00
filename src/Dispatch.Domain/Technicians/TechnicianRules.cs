using System.Collections.Immutable;
using Dispatch.Domain.Common;
using Dispatch.Domain.Geo;
using Dispatch.Domain.Matching;
using Dispatch.Domain.Scheduling;

namespace Dispatch.Domain.Technicians;

public static class TechnicianRules
{
    public const int MaxNameLength = 200;

    /// <summary>Bookings that ended longer ago than this are dropped from the calendar, so a technician's state stays small.</summary>
    public static readonly TimeSpan BookingRetention = TimeSpan.FromDays(30);

    /// <summary>Regular hours when none are given: Monday to Friday, 08:00-17:00 local.</summary>
    public static ImmutableArray<WorkingShift> DefaultWorkingHours { get; } =
        [.. Enumerable.Range(1, 5).Select(d => new WorkingShift((DayOfWeek)d, new TimeOnly(8, 0), new TimeOnly(17, 0)))];

    public static Technician Create(string tenant, string id, NewTechnician input, DateTimeOffset now)
    {
        ValidateName(input.Name);
        ValidateTimeZone(input.TimeZoneId);
        var skills = NormalizeSkills(input.Skills.IsDefault ? [] : input.Skills);
        var certifications = ValidateCertifications(input.Certifications.IsDefault ? [] : input.Certifications);

        return new Technician
        {
            Id = id,
            Tenant = tenant,
            Name = input.Name.Trim(),
            Phone = input.Phone,
            Email = input.Email,
            IsField = input.IsField,
            Active = true,
            Skills = skills,
            Certifications = certifications,
            HomeBase = input.HomeBase,
            TimeZoneId = input.TimeZoneId,
            UserId = input.UserId,
            WorkingHours = ValidateShifts(input.WorkingHours ?? DefaultWorkingHours),
            Capacity = input.Capacity ?? TechnicianCapacity.Unlimited,
            CreatedAt = now,
            UpdatedAt = now,
            Version = 1,
        };
    }

    public static Technician SetActive(Technician technician, bool active, DateTimeOffset now) =>
        technician.Active == active ? technician : Touch(technician with { Active = active }, now);

    public static Technician Update(Technician technician, TechnicianUpdate update, DateTimeOffset now)
    {
        if (update.Name is { } name) ValidateName(name);
        if (update.TimeZoneId is { } zone) ValidateTimeZone(zone);
        var next = technician with
        {
            Name = update.Name?.Trim() ?? technician.Name,
            Phone = update.Phone ?? technician.Phone,
            Email = update.Email ?? technician.Email,
            IsField = update.IsField ?? technician.IsField,
            Skills = update.Skills is { } skills ? NormalizeSkills(skills.IsDefault ? [] : skills) : technician.Skills,
            Certifications = update.Certifications is { } certifications
                ? ValidateCertifications(certifications.IsDefault ? [] : certifications)
                : technician.Certifications,
            HomeBase = update.HomeBase ?? technician.HomeBase,
            TimeZoneId = update.TimeZoneId ?? technician.TimeZoneId,
            UserId = update.UserId ?? technician.UserId,
        };
        return Touch(next, now);
    }

    public static Technician SetWorkingHours(Technician technician, ImmutableArray<WorkingShift> shifts, DateTimeOffset now) =>
        Touch(technician with { WorkingHours = ValidateShifts(shifts.IsDefault ? [] : shifts) }, now);

    public static Technician SetCapacity(Technician technician, TechnicianCapacity capacity, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(capacity);
        return Touch(technician with { Capacity = capacity }, now);
    }

    /// <summary>The technician's calendar: profile hours and capacity plus the bookings and blocks the grain keeps.</summary>
    public static TechnicianSchedule Schedule(Technician technician, IEnumerable<Booking> bookings, IEnumerable<AvailabilityBlock> blocks) =>
        new(new WorkingHours(technician.TimeZoneId, technician.WorkingHours), technician.Capacity, bookings, blocks);

    public static void ValidateBlock(AvailabilityBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (!TenantKey.IsValidPart(block.Id))
        {
            throw DomainException.Validation("block.id", "An availability block needs an id of 1-64 letters, digits, '-', '_' or '.'.");
        }

        if (block.Window.Duration > TimeSpan.FromDays(366))
        {
            throw DomainException.Validation("block.window", "An availability block lasts at most a year.");
        }
    }

    /// <summary>
    /// Decides one reservation on the technician's calendar: the guards first (active, Field role), then every
    /// conflict. Schedule conflicts block unless overridden; capacity limits refuse with <see cref="ErrorCodes.AtCapacity"/>
    /// unless overridden. Pure: the grain runs it and keeps the returned schedule, which makes check-and-book atomic.
    /// </summary>
    public static (TechnicianSchedule Schedule, ReservationOutcome Outcome) Reserve(
        Technician technician, TechnicianSchedule schedule, int activeWorkOrders, ReservationRequest request, ScheduleConflictChecker checker)
    {
        var outcome = new ReservationOutcome
        {
            Status = ReservationStatus.Refused,
            TechnicianId = technician.Id,
            TechnicianName = technician.Name,
            UserId = technician.UserId,
        };
        if (!technician.Active)
        {
            return (schedule, outcome with { ErrorCode = ErrorCodes.TechnicianInactive, Message = $"{technician.Name} is inactive and cannot be dispatched." });
        }

        if (!technician.IsField)
        {
            return (schedule, outcome with { ErrorCode = ErrorCodes.NotFieldTechnician, Message = $"{technician.Name} does not have the Field role and cannot be dispatched." });
        }

        var booking = new Booking(request.WorkOrderId, request.Window, request.Site, request.Kind);
        var conflicts = checker.Check(schedule, booking, activeWorkOrders);
        var blocking = conflicts.Any(c => !c.IsCapacity) && !request.OverrideConflicts;
        if (blocking)
        {
            return (schedule, outcome with { Status = ReservationStatus.Conflicts, Conflicts = conflicts });
        }

        var capacity = conflicts.Where(c => c.IsCapacity).ToList();
        if (capacity.Count > 0 && !request.OverrideCapacity)
        {
            return (schedule, outcome with
            {
                Conflicts = conflicts,
                ErrorCode = ErrorCodes.AtCapacity,
                Message = $"{technician.Name} is at capacity: {string.Join("; ", capacity.Select(c => c.Description))}.",
            });
        }

        return (schedule.Reserve(booking), outcome with { Status = ReservationStatus.Reserved, Conflicts = conflicts });
    }

    /// <summary>
    /// Ends a visit early or on time: the booking is cut at <paramref name="at"/> when the work finished before its end,
    /// so the rest of the slot is free again; the booking stays on the calendar as where the technician last was.
    /// </summary>
    public static TechnicianSchedule Finish(TechnicianSchedule schedule, string workOrderId, DateTimeOffset at)
    {
        if (schedule.Find(workOrderId) is not { } booking) return schedule;
        if (at >= booking.Window.End) return schedule;
        if (at <= booking.Window.Start) return schedule.Release(workOrderId);
        return schedule.Reserve(new Booking(workOrderId, new TimeWindow(booking.Window.Start, at), booking.Site, booking.Kind));
    }

    /// <summary>What best match and the technician picker need, as of <paramref name="now"/>.</summary>
    public static TechnicianSummary Summarize(Technician technician, TechnicianSchedule schedule, int activeWorkOrders, TechnicianPosition? location, DateTimeOffset now)
    {
        var today = LocalClock.LocalDate(now, schedule.TimeZone);
        return new TechnicianSummary
        {
            Id = technician.Id,
            Name = technician.Name,
            IsActive = technician.Active,
            IsField = technician.IsField,
            Skills = technician.Skills,
            Certifications = technician.Certifications,
            HomeBase = technician.HomeBase,
            LastLocation = location?.Point,
            LastLocationAt = location?.At,
            ActiveWorkOrders = activeWorkOrders,
            BookedToday = schedule.BookedTimeOn(today),
            Schedule = schedule,
            UserId = technician.UserId,
        };
    }

    private static Technician Touch(Technician technician, DateTimeOffset now) =>
        technician with { UpdatedAt = now, Version = technician.Version + 1 };

    private static void ValidateName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > MaxNameLength)
        {
            throw DomainException.Validation("name", $"A technician needs a name of 1-{MaxNameLength} characters.");
        }
    }

    private static void ValidateTimeZone(string? timeZoneId)
    {
        if (string.IsNullOrWhiteSpace(timeZoneId) || !TimeZoneInfo.TryFindSystemTimeZoneById(timeZoneId, out _))
        {
            throw DomainException.Validation("timeZoneId", $"'{timeZoneId}' is not a known time zone (use an IANA id such as America/Chicago).");
        }
    }

    private static ImmutableArray<string> NormalizeSkills(ImmutableArray<string> skills)
    {
        if (skills.Any(string.IsNullOrWhiteSpace))
        {
            throw DomainException.Validation("skills", "Skills cannot be blank.");
        }

        return [.. skills.Select(s => s.Trim()).Distinct(StringComparer.OrdinalIgnoreCase)];
    }

    private static ImmutableArray<Certification> ValidateCertifications(ImmutableArray<Certification> certifications)
    {
        if (certifications.Any(c => c is null || string.IsNullOrWhiteSpace(c.Name)))
        {
            throw DomainException.Validation("certifications", "Certifications need a name.");
        }

        return certifications;
    }

    private static ImmutableArray<WorkingShift> ValidateShifts(ImmutableArray<WorkingShift> shifts)
    {
        if (shifts.Length > 21)
        {
            throw DomainException.Validation("workingHours", "At most 21 shifts a week (three a day).");
        }

        // Two shifts of one day that overlap are almost certainly a typo; refusing keeps "working time" unambiguous.
        foreach (var day in shifts.GroupBy(s => s.Day))
        {
            var ordered = day.OrderBy(s => s.Start).ToList();
            for (var i = 1; i < ordered.Count; i++)
            {
                var previous = ordered[i - 1];
                if (previous.EndsNextDay || ordered[i].Start < previous.End)
                {
                    throw DomainException.Validation("workingHours", $"Shifts on {day.Key} overlap.");
                }
            }
        }

        return [.. shifts.OrderBy(s => s.Day).ThenBy(s => s.Start)];
    }
}
