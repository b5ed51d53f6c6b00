namespace Dispatch.Domain.Tracking;

/// <summary>What <see cref="LatestByKeyBuffer{TKey, TValue}.Put"/> did.</summary>
public enum BufferPut
{
    /// <summary>A key not yet waiting: added.</summary>
    Added,

    /// <summary>The key was waiting: its value replaced (coalesced), the key keeps its place.</summary>
    Replaced,

    /// <summary>The key was waiting with a newer value: the incoming one is stale and ignored.</summary>
    Stale,

    /// <summary>The buffer is full of other keys: the value is dropped.</summary>
    Dropped,
}

/// <summary>
/// A bounded buffer that keeps only the latest value per key, for a consumer slower than its producer: a slow map client
/// gets each technician's newest position once it catches up instead of every intermediate one, and the buffer never holds
/// more than <see cref="Capacity"/> entries whatever the producer does. Keys drain in the order they first arrived.
/// Not thread-safe: the owner locks.
/// </summary>
public sealed class LatestByKeyBuffer<TKey, TValue>
    where TKey : notnull
{
    private readonly Dictionary<TKey, TValue> _latest;
    private readonly Queue<TKey> _order = new();
    private readonly Func<TValue, TValue, bool>? _supersedes;

    /// <param name="capacity">Most distinct keys waiting at once.</param>
    /// <param name="supersedes">(incoming, waiting) → true when incoming should replace waiting; null: always.</param>
    public LatestByKeyBuffer(int capacity, Func<TValue, TValue, bool>? supersedes = null, IEqualityComparer<TKey>? comparer = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _supersedes = supersedes;
        _latest = new Dictionary<TKey, TValue>(comparer);
    }

    public int Capacity { get; }

    public int Count => _latest.Count;

    public BufferPut Put(TKey key, TValue value)
    {
        if (_latest.TryGetValue(key, out var waiting))
        {
            if (_supersedes is not null && !_supersedes(value, waiting))
                return BufferPut.Stale;
            _latest[key] = value;
            return BufferPut.Replaced;
        }

        if (_latest.Count >= Capacity)
            return BufferPut.Dropped;
        _latest.Add(key, value);
        _order.Enqueue(key);
        return BufferPut.Added;
    }

    /// <summary>Removes and returns up to <paramref name="max"/> values, oldest key first.</summary>
    public List<TValue> Drain(int max)
    {
        var values = new List<TValue>(Math.Min(max, _latest.Count));
        while (values.Count < max && _order.TryDequeue(out var key))
        {
            if (_latest.Remove(key, out var value))
                values.Add(value);
        }
        return values;
    }
}
