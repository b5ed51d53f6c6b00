namespace Dispatch.Domain.Scheduling;

/// <summary>How much work a technician may carry; a null limit means no limit.</summary>
[GenerateSerializer, Immutable, Alias("Dispatch.TechnicianCapacity")]
public sealed record TechnicianCapacity
{
    public static TechnicianCapacity Unlimited { get; } = new();

    public TechnicianCapacity(int? maxActiveWorkOrders = null, TimeSpan? maxBookedTimePerDay = null)
    {
        if (maxActiveWorkOrders is < 1)
            throw new ArgumentOutOfRangeException(nameof(maxActiveWorkOrders), maxActiveWorkOrders, "A technician must be able to hold at least one work order.");
        if (maxBookedTimePerDay is { } perDay && (perDay <= TimeSpan.Zero || perDay > TimeSpan.FromHours(24)))
            throw new ArgumentOutOfRangeException(nameof(maxBookedTimePerDay), maxBookedTimePerDay, "Booked time per day must be more than zero and at most 24 hours.");
        MaxActiveWorkOrders = maxActiveWorkOrders;
        MaxBookedTimePerDay = maxBookedTimePerDay;
    }

    /// <summary>Work orders dispatched to the technician and not yet finished, across all days.</summary>
    [Id(0)] public int? MaxActiveWorkOrders { get; }

    /// <summary>Working time booked on one local calendar day (the technician's time zone).</summary>
    [Id(1)] public TimeSpan? MaxBookedTimePerDay { get; }
}
