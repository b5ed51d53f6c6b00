using System.Collections.Immutable;

namespace Dispatch.Domain.Scheduling;

/// <summary>
/// One technician's calendar: working hours, capacity, bookings and availability blocks. An immutable value:
/// every change returns a new schedule, so the technician grain can check a proposal and swap in the result as
/// one step, and readers never see a half-applied change.
/// </summary>
/// <remarks>
/// Bookings are kept sorted by start so conflict checks are a binary search plus a short scan, not a pass over
/// the whole history. A work order has at most one booking per technician: reserving it again moves it.
/// </remarks>
[GenerateSerializer, Immutable, Alias("Dispatch.TechnicianSchedule")]
public sealed record TechnicianSchedule
{
    [Id(0)] private readonly WorkingHours _workingHours;
    [Id(1)] private readonly TechnicianCapacity _capacity;
    [Id(2)] private readonly ImmutableArray<Booking> _bookings;
    [Id(3)] private readonly ImmutableArray<AvailabilityBlock> _blocks;

    // Derived, so not serialized: the longest booking bounds how far back an overlap scan must look.
    [NonSerialized] private TimeSpan? _longestBooking;

    public TechnicianSchedule(
        WorkingHours workingHours,
        TechnicianCapacity? capacity = null,
        IEnumerable<Booking>? bookings = null,
        IEnumerable<AvailabilityBlock>? blocks = null)
    {
        ArgumentNullException.ThrowIfNull(workingHours);
        _workingHours = workingHours;
        _capacity = capacity ?? TechnicianCapacity.Unlimited;

        var byWorkOrder = new Dictionary<string, Booking>(StringComparer.Ordinal);
        foreach (var booking in bookings ?? [])
            if (!byWorkOrder.TryAdd(booking.WorkOrderId, booking))
                throw new ArgumentException($"Work order '{booking.WorkOrderId}' is booked twice.", nameof(bookings));
        _bookings = [.. byWorkOrder.Values.Order(BookingOrder.Instance)];

        var blockIds = new HashSet<string>(StringComparer.Ordinal);
        var blockList = (blocks ?? []).ToList();
        foreach (var block in blockList)
            if (!blockIds.Add(block.Id))
                throw new ArgumentException($"Availability block '{block.Id}' appears twice.", nameof(blocks));
        _blocks = [.. blockList.OrderBy(b => b.Window.Start).ThenBy(b => b.Id, StringComparer.Ordinal)];
    }

    private TechnicianSchedule(WorkingHours hours, TechnicianCapacity capacity, ImmutableArray<Booking> sortedBookings, ImmutableArray<AvailabilityBlock> sortedBlocks)
    {
        _workingHours = hours;
        _capacity = capacity;
        _bookings = sortedBookings;
        _blocks = sortedBlocks;
    }

    public WorkingHours WorkingHours => _workingHours;
    public TechnicianCapacity Capacity => _capacity ?? TechnicianCapacity.Unlimited;
    /// <summary>Bookings in start order.</summary>
    public ImmutableArray<Booking> Bookings => _bookings.IsDefault ? [] : _bookings;
    /// <summary>Availability blocks in start order.</summary>
    public ImmutableArray<AvailabilityBlock> Blocks => _blocks.IsDefault ? [] : _blocks;
    public TimeZoneInfo TimeZone => _workingHours.TimeZone;

    /// <summary>Books the work order, replacing its existing booking if it has one. Does not check conflicts: see <see cref="ScheduleConflictChecker.TryReserve"/>.</summary>
    public TechnicianSchedule Reserve(Booking booking)
    {
        ArgumentNullException.ThrowIfNull(booking);
        var bookings = Bookings;
        var existing = IndexOf(booking.WorkOrderId);
        if (existing >= 0) bookings = bookings.RemoveAt(existing);
        var insertAt = bookings.BinarySearch(booking, BookingOrder.Instance);
        return new(_workingHours, Capacity, bookings.Insert(insertAt < 0 ? ~insertAt : insertAt, booking), Blocks);
    }

    /// <summary>Frees the work order's time; releasing a work order that is not booked changes nothing.</summary>
    public TechnicianSchedule Release(string workOrderId)
    {
        var index = IndexOf(workOrderId);
        return index < 0 ? this : new(_workingHours, Capacity, Bookings.RemoveAt(index), Blocks);
    }

    public TechnicianSchedule AddBlock(AvailabilityBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        var blocks = Blocks.RemoveAll(b => b.Id == block.Id);
        var insertAt = 0;
        while (insertAt < blocks.Length && blocks[insertAt].Window.Start <= block.Window.Start) insertAt++;
        return new(_workingHours, Capacity, Bookings, blocks.Insert(insertAt, block));
    }

    public TechnicianSchedule RemoveBlock(string blockId)
    {
        var blocks = Blocks.RemoveAll(b => b.Id == blockId);
        return blocks.Length == Blocks.Length ? this : new(_workingHours, Capacity, Bookings, blocks);
    }

    public TechnicianSchedule WithWorkingHours(WorkingHours hours)
    {
        ArgumentNullException.ThrowIfNull(hours);
        return new(hours, Capacity, Bookings, Blocks);
    }

    public TechnicianSchedule WithCapacity(TechnicianCapacity capacity)
    {
        ArgumentNullException.ThrowIfNull(capacity);
        return new(_workingHours, capacity, Bookings, Blocks);
    }

    /// <summary>Drops bookings and blocks that ended before <paramref name="cutoff"/>, so a long-lived grain's state stays small.</summary>
    public TechnicianSchedule PruneBefore(DateTimeOffset cutoff) =>
        new(_workingHours, Capacity, Bookings.RemoveAll(b => b.Window.End < cutoff), Blocks.RemoveAll(b => b.Window.End < cutoff));

    public Booking? Find(string workOrderId)
    {
        var index = IndexOf(workOrderId);
        return index < 0 ? null : Bookings[index];
    }

    /// <summary>Bookings sharing at least one instant with <paramref name="window"/>, in start order.</summary>
    public List<Booking> BookingsOverlapping(TimeWindow window)
    {
        var bookings = Bookings;
        var longest = LongestBooking;
        var result = new List<Booking>();
        for (var i = FirstStartingAtOrAfter(window.End) - 1; i >= 0; i--)
        {
            var booking = bookings[i];
            // Everything from here back starts no later, so ends no later than this start plus the longest booking.
            if (booking.Window.Start + longest <= window.Start) break;
            if (booking.Window.End > window.Start) result.Add(booking);
        }
        result.Reverse();
        return result;
    }

    /// <summary>The booking that ends last at or before <paramref name="instant"/>, ignoring one work order (the one being moved).</summary>
    public Booking? PreviousBooking(DateTimeOffset instant, string? ignoreWorkOrderId = null)
    {
        var bookings = Bookings;
        var longest = LongestBooking;
        Booking? best = null;
        // Bookings starting at or after the instant cannot end at or before it.
        for (var i = FirstStartingAtOrAfter(instant) - 1; i >= 0; i--)
        {
            var booking = bookings[i];
            if (best is not null && booking.Window.Start + longest <= best.Window.End) break;
            if (booking.WorkOrderId == ignoreWorkOrderId || booking.Window.End > instant) continue;
            if (best is null || booking.Window.End > best.Window.End) best = booking;
        }
        return best;
    }

    /// <summary>The booking that starts first at or after <paramref name="instant"/>, ignoring one work order.</summary>
    public Booking? NextBooking(DateTimeOffset instant, string? ignoreWorkOrderId = null)
    {
        var bookings = Bookings;
        for (var i = FirstStartingAtOrAfter(instant); i < bookings.Length; i++)
            if (bookings[i].WorkOrderId != ignoreWorkOrderId) return bookings[i];
        return null;
    }

    /// <summary>
    /// The free time around <paramref name="window"/>: from the end of whatever comes before it (a booking, an
    /// absence, or the start of the working stretch it falls in) to the start of whatever comes after. Null when
    /// the window itself is not free. Looks at most a day beyond the window, which is all a dispatcher's
    /// "free 10:00–14:00" needs.
    /// </summary>
    public TimeWindow? FreeTimeAround(TimeWindow window, string? ignoreWorkOrderId = null)
    {
        foreach (var booking in BookingsOverlapping(window))
            if (booking.WorkOrderId != ignoreWorkOrderId) return null;
        foreach (var block in Blocks)
            if (block.BlocksWork && block.Window.Overlaps(window)) return null;

        var start = window.Start;
        var end = window.End;
        var around = new TimeWindow(window.Start.AddDays(-1), window.End.AddDays(1));
        foreach (var stretch in WorkingTime.Coverage(_workingHours, Blocks, around))
        {
            if (stretch.Start <= window.Start && window.Start < stretch.End && stretch.Start < start) start = stretch.Start;
            if (stretch.Start < window.End && window.End <= stretch.End && stretch.End > end) end = stretch.End;
        }
        if (PreviousBooking(window.Start, ignoreWorkOrderId) is { } previous && previous.Window.End > start) start = previous.Window.End;
        if (NextBooking(window.End, ignoreWorkOrderId) is { } next && next.Window.Start < end) end = next.Window.Start;
        foreach (var block in Blocks)
        {
            if (!block.BlocksWork) continue;
            if (block.Window.End <= window.Start && block.Window.End > start) start = block.Window.End;
            if (block.Window.Start >= window.End && block.Window.Start < end) end = block.Window.Start;
        }
        return new TimeWindow(start, end);
    }

    /// <summary>
    /// Working time booked on a local calendar day: each booking's share of that day, not counting the off-duty
    /// pauses inside multi-day jobs.
    /// </summary>
    public TimeSpan BookedTimeOn(DateOnly localDate)
    {
        var day = LocalClock.Day(localDate, TimeZone);
        var bookings = BookingsOverlapping(day);
        if (bookings.Count == 0) return TimeSpan.Zero;
        var coverage = WorkingTime.Coverage(_workingHours, Blocks, Span(day, bookings));
        var total = TimeSpan.Zero;
        foreach (var booking in bookings)
            foreach (var part in WorkingTime.WorkedParts(booking.Window, coverage))
                total += part.OverlapWith(day);
        return total;
    }

    internal TimeSpan LongestBooking
    {
        get
        {
            if (_longestBooking is { } known) return known;
            var longest = TimeSpan.Zero;
            foreach (var booking in Bookings)
                if (booking.Window.Duration > longest) longest = booking.Window.Duration;
            // A benign race: every thread computes the same value.
            _longestBooking = longest;
            return longest;
        }
    }

    internal static TimeWindow Span(TimeWindow window, IEnumerable<Booking> bookings)
    {
        var start = window.Start;
        var end = window.End;
        foreach (var booking in bookings)
        {
            if (booking.Window.Start < start) start = booking.Window.Start;
            if (booking.Window.End > end) end = booking.Window.End;
        }
        return new TimeWindow(start, end);
    }

    private int IndexOf(string workOrderId)
    {
        var bookings = Bookings;
        for (var i = 0; i < bookings.Length; i++)
            if (bookings[i].WorkOrderId == workOrderId) return i;
        return -1;
    }

    private int FirstStartingAtOrAfter(DateTimeOffset instant)
    {
        var bookings = Bookings;
        int low = 0, high = bookings.Length;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (bookings[mid].Window.Start < instant) low = mid + 1;
            else high = mid;
        }
        return low;
    }

    public bool Equals(TechnicianSchedule? other) =>
        other is not null &&
        Equals(_workingHours, other._workingHours) &&
        Equals(Capacity, other.Capacity) &&
        Bookings.SequenceEqual(other.Bookings) &&
        Blocks.SequenceEqual(other.Blocks);

    public override int GetHashCode() => HashCode.Combine(_workingHours, Capacity, Bookings.Length, Blocks.Length);

    private sealed class BookingOrder : IComparer<Booking>
    {
        public static readonly BookingOrder Instance = new();

        public int Compare(Booking? x, Booking? y)
        {
            if (ReferenceEquals(x, y)) return 0;
            if (x is null) return -1;
            if (y is null) return 1;
            var byStart = x.Window.Start.CompareTo(y.Window.Start);
            return byStart != 0 ? byStart : string.CompareOrdinal(x.WorkOrderId, y.WorkOrderId);
        }
    }
}
