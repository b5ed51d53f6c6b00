using Dispatch.Domain.Geo;
using Dispatch.Domain.Tracking;

namespace Dispatch.Domain.Tests.Tracking;

public class PositionIndexTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 15, 0, 0, TimeSpan.Zero);

    private static LocationUpdate At(string technician, double lat, double lon, int seconds = 0) =>
        new("acme", technician, new LocationFix { Position = new GeoPoint(lat, lon), Timestamp = T0.AddSeconds(seconds), Source = "d" });

    [Fact]
    public void Within_is_exact_at_the_box_edges()
    {
        var index = new PositionIndex(new GeoGrid(0.1));
        var box = new BoundingBox(29.70, -95.40, 29.80, -95.30);
        index.Upsert(At("inside", 29.75, -95.35));
        index.Upsert(At("on-edge", 29.80, -95.30));
        index.Upsert(At("just-outside", 29.800001, -95.35));
        index.Upsert(At("far", 40, 10));

        Assert.Equal(["inside", "on-edge"], index.Within(box).Select(u => u.TechnicianId).Order());
    }

    [Fact]
    public void A_move_updates_the_cells_and_an_older_update_is_ignored()
    {
        var index = new PositionIndex(new GeoGrid(0.1));
        index.Upsert(At("t1", 29.75, -95.35, 10));
        Assert.True(index.Upsert(At("t1", 30.75, -96.35, 20)));
        Assert.False(index.Upsert(At("t1", 29.75, -95.35, 15)));

        Assert.Empty(index.Within(new BoundingBox(29.7, -95.4, 29.8, -95.3)));
        Assert.Single(index.Within(new BoundingBox(30.7, -96.4, 30.8, -96.3)));
        Assert.Equal(1, index.Count);
    }

    [Fact]
    public void A_whole_world_query_walks_occupied_cells_only()
    {
        var index = new PositionIndex(new GeoGrid(0.01));
        for (var i = 0; i < 100; i++)
            index.Upsert(At($"t{i}", -80 + i * 1.6, -170 + i * 3.4));

        Assert.Equal(100, index.Within(new BoundingBox(-90, -180, 90, 180)).Count);
        Assert.Equal(10, index.Within(new BoundingBox(-90, -180, 90, 180), max: 10).Count);
    }
}
