using System.Collections.Immutable;
using Dispatch.Domain.Scheduling;

namespace Dispatch.Domain.Technicians;

/// <summary>A technician's calendar as the API shows it: hours, limits, bookings, absences and current work.</summary>
[GenerateSerializer, Immutable, Alias("Dispatch.TechnicianScheduleView")]
public sealed record TechnicianScheduleView
{
    [Id(0)] public required string TechnicianId { get; init; }
    [Id(1)] public required string TimeZoneId { get; init; }
    [Id(2)] public ImmutableArray<WorkingShift> WorkingHours { get => field.IsDefault ? [] : field; init; } = [];
    [Id(3)] public required TechnicianCapacity Capacity { get; init; }
    /// <summary>Bookings in start order (within the requested range, if one was given).</summary>
    [Id(4)] public ImmutableArray<Booking> Bookings { get => field.IsDefault ? [] : field; init; } = [];
    [Id(5)] public ImmutableArray<AvailabilityBlock> AvailabilityBlocks { get => field.IsDefault ? [] : field; init; } = [];
    /// <summary>Work orders dispatched to the technician and not finished.</summary>
    [Id(6)] public ImmutableArray<string> ActiveWorkOrderIds { get => field.IsDefault ? [] : field; init; } = [];
    [Id(7)] public TechnicianPosition? Location { get; init; }
}

/// <summary>The result of adding an absence: the schedule, and the bookings that now conflict with it (to reassign).</summary>
[GenerateSerializer, Immutable, Alias("Dispatch.AvailabilityChange")]
public sealed record AvailabilityChange(
    [property: Id(0)] TechnicianScheduleView Schedule,
    [property: Id(1)] ImmutableArray<Booking> AffectedBookings);
