namespace Dispatch.Domain.Scheduling;

public enum ScheduleConflictKind
{
    /// <summary>Shares time with another booking; <see cref="ScheduleConflict.WorkOrderId"/> names it.</summary>
    Overlap,
    /// <summary>Falls in time off, training or another absence; <see cref="ScheduleConflict.Block"/> is the block.</summary>
    AvailabilityBlock,
    /// <summary>Starts or ends off the clock (pauses inside a multi-day job are fine).</summary>
    OutsideWorkingHours,
    /// <summary>Not enough time to drive from the previous job's site.</summary>
    InsufficientTravelTimeFromPrevious,
    /// <summary>Not enough time to drive on to the next job's site.</summary>
    InsufficientTravelTimeToNext,
    /// <summary>The technician already holds as many active work orders as allowed.</summary>
    CapacityActiveOrders,
    /// <summary>A local day would exceed the technician's booked-time limit.</summary>
    CapacityDailyHours,
}

/// <summary>One reason a proposed booking does not fit a technician's schedule.</summary>
/// <param name="Window">
/// The time the conflict is about: the other booking's window (overlap and travel conflicts), the block's
/// window, the off-the-clock part of the proposal, the local day over its limit, or the proposal itself for
/// the active-order limit.
/// </param>
/// <param name="Description">A sentence for dispatchers, times in the technician's local time.</param>
/// <param name="WorkOrderId">The other work order, for overlap and travel conflicts.</param>
/// <param name="Block">The availability block, for block conflicts.</param>
/// <param name="Needed">Travel time needed, or booked time the day would reach.</param>
/// <param name="Available">Gap available for travel, or the day's booked-time limit.</param>
[GenerateSerializer, Immutable, Alias("Dispatch.ScheduleConflict")]
public sealed record ScheduleConflict(
    [property: Id(0)] ScheduleConflictKind Kind,
    [property: Id(1)] TimeWindow Window,
    [property: Id(2)] string Description,
    [property: Id(3)] string? WorkOrderId = null,
    [property: Id(4)] AvailabilityBlock? Block = null,
    [property: Id(5)] TimeSpan? Needed = null,
    [property: Id(6)] TimeSpan? Available = null)
{
    /// <summary>Capacity conflicts say the technician is too loaded; the others say this time does not work.</summary>
    public bool IsCapacity => Kind is ScheduleConflictKind.CapacityActiveOrders or ScheduleConflictKind.CapacityDailyHours;
}
