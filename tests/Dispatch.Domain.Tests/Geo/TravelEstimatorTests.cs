using Dispatch.Domain.Geo;

namespace Dispatch.Domain.Tests.Geo;

public class TravelEstimatorTests
{
    [Fact]
    public void Defaults_are_a_road_factor_of_1_3_at_50_kmh()
    {
        Assert.Equal(1.3, TravelEstimator.Default.RoadFactor);
        Assert.Equal(50, TravelEstimator.Default.AverageSpeedKmh);
    }

    [Fact]
    public void Estimate_is_straight_line_times_road_factor_over_speed()
    {
        // 50 km straight line × 1.3 = 65 km at 50 km/h = 78 minutes.
        Assert.Equal(TimeSpan.FromMinutes(78), TravelEstimator.Default.FromStraightLineKm(50));
    }

    [Fact]
    public void Estimate_uses_the_configured_factor_and_speed() =>
        Assert.Equal(TimeSpan.FromMinutes(30), new TravelEstimator(roadFactor: 1, averageSpeedKmh: 60).FromStraightLineKm(30));

    [Fact]
    public void Estimate_between_points_follows_their_distance()
    {
        var a = new GeoPoint(0, 0);
        var b = new GeoPoint(1, 0);
        var expected = TimeSpan.FromSeconds(Math.Round(a.DistanceKmTo(b) * 1.3 / 50 * 3600));
        Assert.Equal(expected, TravelEstimator.Default.Estimate(a, b));
    }

    [Fact]
    public void Same_place_takes_no_time() =>
        Assert.Equal(TimeSpan.Zero, TravelEstimator.Default.Estimate(new GeoPoint(5, 5), new GeoPoint(5, 5)));

    [Theory]
    [InlineData(0.9, 50)]
    [InlineData(double.NaN, 50)]
    [InlineData(1.3, 0)]
    [InlineData(1.3, -10)]
    [InlineData(1.3, double.PositiveInfinity)]
    public void Rejects_unphysical_settings(double roadFactor, double speed) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new TravelEstimator(roadFactor, speed));
}
