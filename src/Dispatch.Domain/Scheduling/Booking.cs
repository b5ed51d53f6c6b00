using Dispatch.Domain.Geo;

namespace Dispatch.Domain.Scheduling;

public enum BookingKind
{
    /// <summary>The technician owns the work order.</summary>
    Primary,
    /// <summary>The technician helps the primary owner on a multi-technician job.</summary>
    Supporting,
    /// <summary>
    /// Provisionally held while a multi-technician dispatch reserves every technician; released if any of them
    /// fails. It occupies time exactly like a confirmed booking, which is what makes the all-or-nothing dispatch safe.
    /// </summary>
    Hold,
}

/// <summary>Time on a technician's calendar committed to one work order.</summary>
/// <remarks>
/// The window is the whole span the technician is committed for; a multi-day job is one booking. Every kind
/// occupies its window equally: two bookings of any kind may not overlap without an explicit override.
/// </remarks>
[GenerateSerializer, Immutable, Alias("Dispatch.Booking")]
public sealed record Booking
{
    public Booking(string workOrderId, TimeWindow window, GeoPoint? site = null, BookingKind kind = BookingKind.Primary)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(workOrderId);
        if (window.End <= window.Start)
            throw new ArgumentException("A booking needs a non-empty time window.", nameof(window));
        if (!Enum.IsDefined(kind))
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown booking kind.");
        WorkOrderId = workOrderId;
        Window = window;
        Site = site;
        Kind = kind;
    }

    [Id(0)] public string WorkOrderId { get; }
    [Id(1)] public TimeWindow Window { get; }
    /// <summary>Where the work happens; unknown sites (not yet geocoded) impose no travel constraint.</summary>
    [Id(2)] public GeoPoint? Site { get; }
    [Id(3)] public BookingKind Kind { get; }
}
