namespace Dispatch.Domain.Geo;

/// <summary>A latitude/longitude rectangle, edges inclusive, as map clients send for "what is in view".</summary>
/// <remarks>
/// Boxes that cross the antimeridian (min longitude greater than max) are rejected rather than interpreted:
/// our fleets are regional, and an accidental swap of min and max should fail loudly instead of selecting the
/// rest of the world.
/// </remarks>
[GenerateSerializer, Immutable, Alias("Dispatch.BoundingBox")]
public sealed record BoundingBox
{
    public BoundingBox(double minLatitude, double minLongitude, double maxLatitude, double maxLongitude)
    {
        // Reuse GeoPoint's range checks for each corner.
        _ = new GeoPoint(minLatitude, minLongitude);
        _ = new GeoPoint(maxLatitude, maxLongitude);
        if (minLatitude > maxLatitude)
            throw new ArgumentException($"Minimum latitude {minLatitude} is greater than maximum latitude {maxLatitude}.", nameof(minLatitude));
        if (minLongitude > maxLongitude)
            throw new ArgumentException($"Minimum longitude {minLongitude} is greater than maximum longitude {maxLongitude}.", nameof(minLongitude));
        MinLatitude = minLatitude;
        MinLongitude = minLongitude;
        MaxLatitude = maxLatitude;
        MaxLongitude = maxLongitude;
    }

    [Id(0)] public double MinLatitude { get; }
    [Id(1)] public double MinLongitude { get; }
    [Id(2)] public double MaxLatitude { get; }
    [Id(3)] public double MaxLongitude { get; }

    public GeoPoint SouthWest => new(MinLatitude, MinLongitude);
    public GeoPoint NorthEast => new(MaxLatitude, MaxLongitude);

    public bool Contains(GeoPoint point) =>
        point.Latitude >= MinLatitude && point.Latitude <= MaxLatitude &&
        point.Longitude >= MinLongitude && point.Longitude <= MaxLongitude;

    public bool Intersects(BoundingBox other) =>
        MinLatitude <= other.MaxLatitude && other.MinLatitude <= MaxLatitude &&
        MinLongitude <= other.MaxLongitude && other.MinLongitude <= MaxLongitude;

    /// <summary>
    /// The smallest box containing every point within <paramref name="radiusKm"/> of <paramref name="center"/>,
    /// clamped at the poles and the antimeridian; used to turn "within 50 km" into grid cells to visit.
    /// </summary>
    public static BoundingBox Around(GeoPoint center, double radiusKm)
    {
        if (!double.IsFinite(radiusKm) || radiusKm < 0)
            throw new ArgumentOutOfRangeException(nameof(radiusKm), radiusKm, "Radius must be a finite, non-negative number of kilometres.");
        const double toDegrees = 180 / Math.PI;
        var dLat = radiusKm / GeoPoint.EarthRadiusKm * toDegrees;
        var minLat = Math.Max(-90, center.Latitude - dLat);
        var maxLat = Math.Min(90, center.Latitude + dLat);
        // A degree of longitude shrinks with latitude; near a pole every longitude is within reach.
        var cos = Math.Cos(Math.Max(Math.Abs(minLat), Math.Abs(maxLat)) * Math.PI / 180);
        var dLon = cos < 1e-9 ? 360 : dLat / cos;
        return new BoundingBox(minLat, Math.Max(-180, center.Longitude - dLon), maxLat, Math.Min(180, center.Longitude + dLon));
    }

    public override string ToString() =>
        FormattableString.Invariant($"[{MinLatitude:0.######}, {MinLongitude:0.######} .. {MaxLatitude:0.######}, {MaxLongitude:0.######}]");
}
