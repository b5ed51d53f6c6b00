using Dispatch.Domain.Geo;

namespace Dispatch.Domain.Tests.Geo;

public class GeoGridTests
{
    private static readonly GeoGrid TenthDegree = new(0.1);

    [Fact]
    public void Cell_of_a_point_is_its_row_and_column_from_the_south_west_corner_of_the_world()
    {
        var grid = new GeoGrid(1);
        Assert.Equal(new GeoCell(0, 0), grid.CellOf(new GeoPoint(-90, -180)));
        Assert.Equal(new GeoCell(131, 92), grid.CellOf(new GeoPoint(41.88, -87.63)));
    }

    [Fact]
    public void The_north_pole_and_the_antimeridian_fall_in_the_last_row_and_column()
    {
        var grid = new GeoGrid(1);
        Assert.Equal(new GeoCell(179, 359), grid.CellOf(new GeoPoint(90, 180)));
    }

    [Fact]
    public void Cell_bounds_contain_the_points_mapped_to_the_cell()
    {
        var point = new GeoPoint(41.8781, -87.6298);
        Assert.True(TenthDegree.Bounds(TenthDegree.CellOf(point)).Contains(point));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(90.5)]
    [InlineData(double.NaN)]
    public void Rejects_unusable_cell_sizes(double size) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new GeoGrid(size));

    [Fact]
    public void Ring_zero_is_the_cell_itself()
    {
        var center = new GeoCell(100, 100);
        Assert.Equal([center], TenthDegree.Ring(center, 0));
    }

    [Fact]
    public void Ring_one_is_the_eight_neighbours()
    {
        var center = new GeoCell(100, 100);
        var ring = TenthDegree.Ring(center, 1);
        Assert.Equal(8, ring.Count);
        Assert.Equal(8, ring.Distinct().Count());
        Assert.All(ring, c => Assert.Equal(1, Math.Max(Math.Abs(c.Row - 100), Math.Abs(c.Column - 100))));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    public void Ring_r_has_8r_distinct_cells_at_distance_r(int radius)
    {
        var center = new GeoCell(500, 500);
        var ring = TenthDegree.Ring(center, radius);
        Assert.Equal(8 * radius, ring.Distinct().Count());
        Assert.All(ring, c => Assert.Equal(radius, Math.Max(Math.Abs(c.Row - 500), Math.Abs(c.Column - 500))));
    }

    [Fact]
    public void Rings_wrap_across_the_antimeridian()
    {
        var grid = new GeoGrid(1);
        var ring = grid.Ring(new GeoCell(90, 0), 1);
        Assert.Contains(new GeoCell(90, 359), ring);
        Assert.Contains(new GeoCell(91, 359), ring);
        Assert.DoesNotContain(ring, c => c.Column < 0);
    }

    [Fact]
    public void Rings_stop_at_the_poles()
    {
        var grid = new GeoGrid(1);
        var ring = grid.Ring(new GeoCell(0, 10), 1);
        Assert.Equal(5, ring.Count); // the three cells south of the pole row do not exist
        Assert.All(ring, c => Assert.True(c.Row >= 0));
    }

    [Fact]
    public void A_ring_wider_than_the_world_lists_each_cell_once()
    {
        var grid = new GeoGrid(45); // 8 columns
        var ring = grid.Ring(new GeoCell(2, 0), 3);
        Assert.Equal(ring.Count, ring.Distinct().Count());
    }

    [Fact]
    public void Cells_within_a_radius_are_every_ring_nearest_first_without_repeats()
    {
        var center = new GeoCell(100, 100);
        var cells = TenthDegree.CellsWithin(center, 2).ToList();
        Assert.Equal(25, cells.Count);
        Assert.Equal(center, cells[0]);
        Assert.Equal(25, cells.Distinct().Count());
    }

    [Fact]
    public void Cells_covering_a_box_include_every_cell_a_contained_point_maps_to()
    {
        var box = new BoundingBox(41.5, -88.5, 42.5, -87.5);
        var cells = TenthDegree.CellsCovering(box).ToHashSet();
        var random = new Random(3);
        for (var i = 0; i < 500; i++)
        {
            var p = new GeoPoint(41.5 + random.NextDouble(), -88.5 + random.NextDouble());
            Assert.Contains(TenthDegree.CellOf(p), cells);
        }
    }

    [Fact]
    public void Cell_key_reads_well_in_a_grain_key() => Assert.Equal("r12c34", new GeoCell(12, 34).ToString());
}
