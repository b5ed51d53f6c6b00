using Dispatch.Domain.Geo;

namespace Dispatch.Domain.Tests.Geo;

public class GeoPointTests
{
    [Theory]
    [InlineData(90, 180)]
    [InlineData(-90, -180)]
    [InlineData(0, 0)]
    [InlineData(41.8781, -87.6298)]
    public void Accepts_coordinates_in_range(double latitude, double longitude)
    {
        var point = new GeoPoint(latitude, longitude);
        Assert.Equal(latitude, point.Latitude);
        Assert.Equal(longitude, point.Longitude);
    }

    [Theory]
    [InlineData(90.0001, 0)]
    [InlineData(-90.0001, 0)]
    [InlineData(double.NaN, 0)]
    [InlineData(double.PositiveInfinity, 0)]
    public void Rejects_latitude_out_of_range_or_not_finite(double latitude, double longitude) =>
        Assert.Throws<ArgumentOutOfRangeException>("latitude", () => new GeoPoint(latitude, longitude));

    [Theory]
    [InlineData(0, 180.0001)]
    [InlineData(0, -180.0001)]
    [InlineData(0, double.NaN)]
    [InlineData(0, double.NegativeInfinity)]
    public void Rejects_longitude_out_of_range_or_not_finite(double latitude, double longitude) =>
        Assert.Throws<ArgumentOutOfRangeException>("longitude", () => new GeoPoint(latitude, longitude));

    [Fact]
    public void TryCreate_reports_invalid_input_without_throwing()
    {
        Assert.False(GeoPoint.TryCreate(double.NaN, 0, out _));
        Assert.False(GeoPoint.TryCreate(0, 200, out _));
        Assert.True(GeoPoint.TryCreate(10, 20, out var point));
        Assert.Equal(new GeoPoint(10, 20), point);
    }

    [Fact]
    public void Distance_to_itself_is_zero() =>
        Assert.Equal(0, new GeoPoint(41.88, -87.63).DistanceKmTo(new GeoPoint(41.88, -87.63)));

    [Fact]
    public void One_degree_of_latitude_is_about_111_km() =>
        Assert.Equal(111.195, new GeoPoint(0, 0).DistanceKmTo(new GeoPoint(1, 0)), precision: 3);

    [Fact]
    public void Chicago_to_New_York_matches_the_known_great_circle_distance()
    {
        var chicago = new GeoPoint(41.8781, -87.6298);
        var newYork = new GeoPoint(40.7128, -74.0060);
        // Published great-circle distance ≈ 1145 km.
        Assert.InRange(chicago.DistanceKmTo(newYork), 1140, 1150);
    }

    [Fact]
    public void Distance_is_symmetric()
    {
        var a = new GeoPoint(51.5, -0.12);
        var b = new GeoPoint(48.85, 2.35);
        Assert.Equal(a.DistanceKmTo(b), b.DistanceKmTo(a), precision: 9);
    }

    [Fact]
    public void Antipodal_points_are_half_the_circumference_apart_not_NaN()
    {
        var distance = new GeoPoint(0, 0).DistanceKmTo(new GeoPoint(0, 180));
        Assert.Equal(Math.PI * GeoPoint.EarthRadiusKm, distance, precision: 6);
    }

    [Fact]
    public void Short_hops_across_the_antimeridian_are_short() =>
        Assert.InRange(new GeoPoint(0, 179.9).DistanceKmTo(new GeoPoint(0, -179.9)), 22, 23);
}
