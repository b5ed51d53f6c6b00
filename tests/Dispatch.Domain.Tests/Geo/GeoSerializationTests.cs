using Dispatch.Domain.Geo;

namespace Dispatch.Domain.Tests.Geo;

public class GeoSerializationTests
{
    [Fact]
    public void GeoPoint_round_trips() => Assert.Equal(new GeoPoint(41.88, -87.63), OrleansRoundTrip.Copy(new GeoPoint(41.88, -87.63)));

    [Fact]
    public void Nullable_GeoPoint_round_trips()
    {
        GeoPoint? point = new GeoPoint(1, 2);
        Assert.Equal(point, OrleansRoundTrip.Copy(point));
        Assert.Null(OrleansRoundTrip.Copy<GeoPoint?>(null));
    }

    [Fact]
    public void BoundingBox_round_trips()
    {
        var box = new BoundingBox(41.5, -88.5, 42.5, -87.5);
        Assert.Equal(box, OrleansRoundTrip.Copy(box));
    }

    [Fact]
    public void TravelEstimator_round_trips()
    {
        var estimator = new TravelEstimator(1.5, 40);
        Assert.Equal(estimator, OrleansRoundTrip.Copy(estimator));
    }

    [Fact]
    public void GeoGrid_and_GeoCell_round_trip()
    {
        Assert.Equal(new GeoGrid(0.25), OrleansRoundTrip.Copy(new GeoGrid(0.25)));
        Assert.Equal(new GeoCell(3, 4), OrleansRoundTrip.Copy(new GeoCell(3, 4)));
    }
}
