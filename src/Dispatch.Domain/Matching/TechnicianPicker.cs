using System.Collections.Immutable;
using Dispatch.Domain.Geo;
using Dispatch.Domain.Scheduling;

namespace Dispatch.Domain.Matching;

/// <summary>
/// One line of the dispatch form's technician list: who, where, how busy, which skills, and whether the window works
/// (green) or which appointments it conflicts with (red).
/// </summary>
[GenerateSerializer, Immutable, Alias("Dispatch.TechnicianPickerRow")]
public sealed record TechnicianPickerRow
{
    [Id(0)] public required string TechnicianId { get; init; }
    [Id(1)] public required string Name { get; init; }
    [Id(2)] public bool IsActive { get; init; }
    [Id(3)] public bool IsField { get; init; }
    [Id(4)] public ImmutableArray<string> Skills { get => field.IsDefault ? [] : field; init; } = [];
    [Id(5)] public ImmutableArray<Certification> Certifications { get => field.IsDefault ? [] : field; init; } = [];
    [Id(6)] public GeoPoint? CurrentLocation { get; init; }
    [Id(7)] public DateTimeOffset? CurrentLocationAt { get; init; }
    [Id(8)] public GeoPoint? HomeBase { get; init; }
    [Id(9)] public int ActiveWorkOrders { get; init; }
    /// <summary>Bookings on the window's local day (the technician's time zone), in start order.</summary>
    [Id(10)] public ImmutableArray<Booking> DaySchedule { get => field.IsDefault ? [] : field; init; } = [];
    /// <summary>Green: the window fits the technician's schedule (no conflicts of any kind).</summary>
    [Id(11)] public bool Available { get; init; }
    /// <summary>Red: every conflicting appointment, absence, off-hours stretch, travel shortfall or capacity limit.</summary>
    [Id(12)] public ImmutableArray<ScheduleConflict> Conflicts { get => field.IsDefault ? [] : field; init; } = [];
    /// <summary>Every hard rule that rules the technician out (including the conflicts above); empty when eligible.</summary>
    [Id(13)] public ImmutableArray<MatchExclusion> Exclusions { get => field.IsDefault ? [] : field; init; } = [];
    [Id(14)] public TimeSpan? TravelTime { get; init; }
    [Id(15)] public TravelOrigin TravelOrigin { get; init; }
    /// <summary>The best-match total (0 when not eligible).</summary>
    [Id(16)] public double Score { get; init; }
    [Id(17)] public required string Reason { get; init; }

    public static TechnicianPickerRow From(TechnicianSummary technician, MatchResult fit, TimeWindow window)
    {
        var zone = technician.Schedule.TimeZone;
        var day = LocalClock.Day(LocalClock.LocalDate(window.Start, zone), zone);
        return new TechnicianPickerRow
        {
            TechnicianId = technician.Id,
            Name = technician.Name,
            IsActive = technician.IsActive,
            IsField = technician.IsField,
            Skills = technician.Skills,
            Certifications = technician.Certifications,
            CurrentLocation = technician.LastLocation,
            CurrentLocationAt = technician.LastLocationAt,
            HomeBase = technician.HomeBase,
            ActiveWorkOrders = technician.ActiveWorkOrders,
            DaySchedule = [.. technician.Schedule.BookingsOverlapping(day)],
            Available = fit.Conflicts.IsEmpty && technician.IsActive && technician.IsField,
            Conflicts = fit.Conflicts,
            Exclusions = fit.Exclusions,
            TravelTime = fit.TravelTime,
            TravelOrigin = fit.TravelOrigin,
            Score = fit.Total,
            Reason = fit.Reason,
        };
    }
}

/// <summary>The technician list for one work order and window.</summary>
[GenerateSerializer, Immutable, Alias("Dispatch.TechnicianPicker")]
public sealed record TechnicianPicker(
    [property: Id(0)] string WorkOrderId,
    [property: Id(1)] TimeWindow Window,
    [property: Id(2)] ImmutableArray<TechnicianPickerRow> Technicians,
    [property: Id(3)] int TotalTechnicians);

/// <summary>What "Suggest best match" is asked.</summary>
[GenerateSerializer, Immutable, Alias("Dispatch.SuggestRequest")]
public sealed record SuggestRequest
{
    /// <summary>The window to fill; defaults to the work order's booked window if it has one.</summary>
    [Id(0)] public TimeWindow? Window { get; init; }
    [Id(1)] public int Count { get; init; } = 5;
    /// <summary>How many excluded technicians to explain (nearest first).</summary>
    [Id(2)] public int ExplainExcluded { get; init; } = 10;
    /// <summary>Nice-to-have skills that raise the score.</summary>
    [Id(3)] public ImmutableArray<string> PreferredSkills { get => field.IsDefault ? [] : field; init; } = [];
}

/// <summary>
/// Best-match suggestions for a work order: ranked from the in-memory index, the top ones confirmed against their
/// technician grains (a technician whose live schedule no longer fits is moved to <see cref="Excluded"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("Dispatch.TechnicianSuggestions")]
public sealed record TechnicianSuggestions
{
    [Id(0)] public required string WorkOrderId { get; init; }
    [Id(1)] public required TimeWindow Window { get; init; }
    /// <summary>Best first: score components, total, travel, free time and a readable reason for each.</summary>
    [Id(2)] public ImmutableArray<MatchResult> Ranked { get => field.IsDefault ? [] : field; init; } = [];
    /// <summary>Why the others were left out: the nearest excluded technicians with every reason.</summary>
    [Id(3)] public ImmutableArray<MatchResult> Excluded { get => field.IsDefault ? [] : field; init; } = [];
    [Id(4)] public int ExcludedCount { get; init; }
    [Id(5)] public int Considered { get; init; }
    [Id(6)] public int IndexedTechnicians { get; init; }
    /// <summary>Technicians farther than this were not looked at: none of them could beat the suggestions.</summary>
    [Id(7)] public double? SearchRadiusKm { get; init; }
}
