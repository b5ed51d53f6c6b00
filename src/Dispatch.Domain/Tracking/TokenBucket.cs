namespace Dispatch.Domain.Tracking;

/// <summary>
/// Per-device rate limit: a bucket of <see cref="Capacity"/> fixes that refills at <see cref="RefillPerSecond"/>. A burst
/// (a tracker uploading what it buffered offline) is fine up to the capacity; a device stuck in a loop is slowed to the
/// refill rate. The clock is passed in, so the rule is testable without waiting.
/// </summary>
public sealed class TokenBucket
{
    private double _tokens;
    private DateTimeOffset _updatedAt;

    public TokenBucket(double capacity, double refillPerSecond, DateTimeOffset now)
    {
        if (!double.IsFinite(capacity) || capacity < 1)
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "A bucket holds at least one token.");
        if (!double.IsFinite(refillPerSecond) || refillPerSecond <= 0)
            throw new ArgumentOutOfRangeException(nameof(refillPerSecond), refillPerSecond, "A bucket must refill.");
        Capacity = capacity;
        RefillPerSecond = refillPerSecond;
        _tokens = capacity;
        _updatedAt = now;
    }

    public double Capacity { get; }

    public double RefillPerSecond { get; }

    public double Available(DateTimeOffset now)
    {
        Refill(now);
        return _tokens;
    }

    /// <summary>
    /// Takes <paramref name="count"/> tokens if all are there, else none (a batch is admitted whole or not at all, so a
    /// retry of the same batch is exact). On refusal, <paramref name="retryAfter"/> says when the batch would fit.
    /// </summary>
    public bool TryTake(int count, DateTimeOffset now, out TimeSpan retryAfter)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Refill(now);
        if (count <= _tokens)
        {
            _tokens -= count;
            retryAfter = TimeSpan.Zero;
            return true;
        }

        // A batch larger than the bucket can never fit whole: tell the client when the bucket is full again.
        var needed = Math.Min(count, Capacity) - _tokens;
        retryAfter = TimeSpan.FromSeconds(Math.Ceiling(needed / RefillPerSecond));
        return false;
    }

    private void Refill(DateTimeOffset now)
    {
        if (now <= _updatedAt)
            return; // a clock that stepped back refills nothing
        _tokens = Math.Min(Capacity, _tokens + (now - _updatedAt).TotalSeconds * RefillPerSecond);
        _updatedAt = now;
    }
}
