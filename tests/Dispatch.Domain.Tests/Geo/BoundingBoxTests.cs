using Dispatch.Domain.Geo;

namespace Dispatch.Domain.Tests.Geo;

public class BoundingBoxTests
{
    private static readonly BoundingBox Chicagoland = new(41.5, -88.5, 42.5, -87.5);

    [Fact]
    public void Contains_points_inside_and_on_the_edges()
    {
        Assert.True(Chicagoland.Contains(new GeoPoint(41.88, -87.63)));
        Assert.True(Chicagoland.Contains(new GeoPoint(41.5, -88.5)));
        Assert.True(Chicagoland.Contains(new GeoPoint(42.5, -87.5)));
    }

    [Fact]
    public void Does_not_contain_points_outside()
    {
        Assert.False(Chicagoland.Contains(new GeoPoint(42.51, -88)));
        Assert.False(Chicagoland.Contains(new GeoPoint(42, -87.49)));
    }

    [Fact]
    public void Rejects_min_latitude_above_max() =>
        Assert.Throws<ArgumentException>("minLatitude", () => new BoundingBox(43, -88, 42, -87));

    [Fact]
    public void Rejects_min_longitude_above_max_instead_of_wrapping_the_antimeridian() =>
        Assert.Throws<ArgumentException>("minLongitude", () => new BoundingBox(41, 170, 42, -170));

    [Fact]
    public void Rejects_corners_out_of_range() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new BoundingBox(-91, 0, 0, 1));

    [Fact]
    public void A_single_point_box_is_allowed() =>
        Assert.True(new BoundingBox(1, 2, 1, 2).Contains(new GeoPoint(1, 2)));

    [Fact]
    public void Intersects_overlapping_and_touching_boxes_but_not_separate_ones()
    {
        Assert.True(Chicagoland.Intersects(new BoundingBox(42, -88, 43, -87)));
        Assert.True(Chicagoland.Intersects(new BoundingBox(42.5, -87.5, 43, -87)));
        Assert.False(Chicagoland.Intersects(new BoundingBox(43, -88, 44, -87)));
    }

    [Fact]
    public void Around_contains_every_point_within_the_radius()
    {
        var center = new GeoPoint(41.88, -87.63);
        var box = BoundingBox.Around(center, 50);
        var random = new Random(7);
        for (var i = 0; i < 1000; i++)
        {
            var p = new GeoPoint(center.Latitude + (random.NextDouble() - 0.5) * 2, center.Longitude + (random.NextDouble() - 0.5) * 2);
            if (center.DistanceKmTo(p) <= 50) Assert.True(box.Contains(p), $"{p} is within 50 km but outside {box}");
        }
    }

    [Fact]
    public void Around_clamps_at_the_poles()
    {
        var box = BoundingBox.Around(new GeoPoint(89.9, 0), 100);
        Assert.Equal(90, box.MaxLatitude);
        Assert.Equal(-180, box.MinLongitude);
        Assert.Equal(180, box.MaxLongitude);
    }
}
