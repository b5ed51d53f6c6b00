namespace Dispatch.Domain.Geo;

/// <summary>
/// Estimates driving time from straight-line distance. Deliberately crude: it runs for every candidate in a
/// best-match scan and every neighbour in a conflict check, where a routing engine would be far too slow. The
/// road factor accounts for roads not being straight; the average speed blends town and highway driving.
/// </summary>
[GenerateSerializer, Immutable, Alias("Dispatch.TravelEstimator")]
public sealed record TravelEstimator
{
    public const double DefaultRoadFactor = 1.3;
    public const double DefaultAverageSpeedKmh = 50;

    public static TravelEstimator Default { get; } = new();

    public TravelEstimator(double roadFactor = DefaultRoadFactor, double averageSpeedKmh = DefaultAverageSpeedKmh)
    {
        if (!double.IsFinite(roadFactor) || roadFactor < 1)
            throw new ArgumentOutOfRangeException(nameof(roadFactor), roadFactor, "Road factor must be at least 1: roads are never shorter than the straight line.");
        if (!double.IsFinite(averageSpeedKmh) || averageSpeedKmh <= 0)
            throw new ArgumentOutOfRangeException(nameof(averageSpeedKmh), averageSpeedKmh, "Average speed must be a positive number of km/h.");
        RoadFactor = roadFactor;
        AverageSpeedKmh = averageSpeedKmh;
    }

    [Id(0)] public double RoadFactor { get; }
    [Id(1)] public double AverageSpeedKmh { get; }

    public double RoadDistanceKm(GeoPoint from, GeoPoint to) => from.DistanceKmTo(to) * RoadFactor;

    public TimeSpan Estimate(GeoPoint from, GeoPoint to) => FromStraightLineKm(from.DistanceKmTo(to));

    public TimeSpan FromStraightLineKm(double straightLineKm) =>
        // Whole seconds: sub-second precision is noise here and keeps schedules and messages tidy.
        TimeSpan.FromSeconds(Math.Round(straightLineKm * RoadFactor / AverageSpeedKmh * 3600));
}
