using Dispatch.Domain.Tracking;

namespace Dispatch.Domain.Tests.Tracking;

public class TokenBucketTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 15, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_burst_up_to_the_capacity_passes_then_the_refill_rate_applies()
    {
        var bucket = new TokenBucket(capacity: 10, refillPerSecond: 2, T0);

        Assert.True(bucket.TryTake(10, T0, out _));
        Assert.False(bucket.TryTake(1, T0, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(1), retryAfter);
        Assert.True(bucket.TryTake(1, T0.AddSeconds(0.5), out _));
        Assert.True(bucket.TryTake(4, T0.AddSeconds(2.5), out _));
    }

    [Fact]
    public void A_batch_is_admitted_whole_or_not_at_all()
    {
        var bucket = new TokenBucket(10, 1, T0);
        bucket.TryTake(7, T0, out _);

        Assert.False(bucket.TryTake(4, T0, out var retryAfter));
        Assert.Equal(3, bucket.Available(T0));
        Assert.Equal(TimeSpan.FromSeconds(1), retryAfter);
    }

    [Fact]
    public void Refill_stops_at_the_capacity_and_ignores_a_clock_going_back()
    {
        var bucket = new TokenBucket(5, 100, T0);
        bucket.TryTake(5, T0, out _);

        Assert.Equal(5, bucket.Available(T0.AddHours(1)));
        Assert.Equal(5, bucket.Available(T0));
    }

    [Fact]
    public void A_batch_larger_than_the_bucket_is_told_when_the_bucket_is_full()
    {
        var bucket = new TokenBucket(10, 2, T0);
        bucket.TryTake(10, T0, out _);

        Assert.False(bucket.TryTake(50, T0, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(5), retryAfter);
    }
}
