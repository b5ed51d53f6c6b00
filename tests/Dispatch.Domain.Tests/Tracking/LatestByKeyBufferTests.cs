using Dispatch.Domain.Tracking;

namespace Dispatch.Domain.Tests.Tracking;

public class LatestByKeyBufferTests
{
    [Fact]
    public void Keeps_only_the_latest_value_per_key_in_first_arrival_order()
    {
        var buffer = new LatestByKeyBuffer<string, int>(10);

        Assert.Equal(BufferPut.Added, buffer.Put("a", 1));
        Assert.Equal(BufferPut.Added, buffer.Put("b", 1));
        Assert.Equal(BufferPut.Replaced, buffer.Put("a", 2));
        Assert.Equal(BufferPut.Replaced, buffer.Put("a", 3));

        Assert.Equal(2, buffer.Count);
        Assert.Equal([3, 1], buffer.Drain(10));
        Assert.Equal(0, buffer.Count);
    }

    [Fact]
    public void Never_holds_more_than_its_capacity_however_much_is_put()
    {
        var buffer = new LatestByKeyBuffer<int, int>(100);
        var dropped = 0;
        for (var i = 0; i < 1_000_000; i++)
        {
            if (buffer.Put(i % 1000, i) == BufferPut.Dropped)
                dropped++;
        }

        Assert.Equal(100, buffer.Count);
        Assert.Equal(900 * 1000, dropped);
        // The keys that made it hold their newest values.
        Assert.All(buffer.Drain(1000), v => Assert.True(v >= 999_000));
    }

    [Fact]
    public void A_stale_value_does_not_replace_a_newer_waiting_one()
    {
        var buffer = new LatestByKeyBuffer<string, int>(10, supersedes: (incoming, waiting) => incoming > waiting);
        buffer.Put("t1", 10);

        Assert.Equal(BufferPut.Stale, buffer.Put("t1", 5));
        Assert.Equal(BufferPut.Replaced, buffer.Put("t1", 11));
        Assert.Equal([11], buffer.Drain(10));
    }

    [Fact]
    public void Drain_takes_at_most_the_asked_number_and_leaves_the_rest_in_order()
    {
        var buffer = new LatestByKeyBuffer<int, int>(10);
        for (var i = 0; i < 5; i++)
            buffer.Put(i, i);

        Assert.Equal([0, 1], buffer.Drain(2));
        buffer.Put(0, 100);
        Assert.Equal([2, 3, 4, 100], buffer.Drain(10));
    }
}
