namespace Dispatch.Domain.Geo;

/// <summary>A WGS-84 position in decimal degrees.</summary>
/// <remarks>
/// A struct rather than a record class: every technician summary, booking and location fix carries one, and the
/// best-match scan reads hundreds of thousands of them, so keeping them inline avoids an allocation and a pointer
/// hop each. Properties are get-only so a <c>with</c> expression cannot bypass the range check.
/// </remarks>
[GenerateSerializer, Immutable, Alias("Dispatch.GeoPoint")]
public readonly record struct GeoPoint
{
    /// <summary>Mean Earth radius (IUGG), the usual choice for haversine distances.</summary>
    public const double EarthRadiusKm = 6371.0088;

    public GeoPoint(double latitude, double longitude)
    {
        if (!double.IsFinite(latitude) || latitude is < -90 or > 90)
            throw new ArgumentOutOfRangeException(nameof(latitude), latitude, "Latitude must be a finite number between -90 and 90.");
        if (!double.IsFinite(longitude) || longitude is < -180 or > 180)
            throw new ArgumentOutOfRangeException(nameof(longitude), longitude, "Longitude must be a finite number between -180 and 180.");
        Latitude = latitude;
        Longitude = longitude;
    }

    [Id(0)] public double Latitude { get; }
    [Id(1)] public double Longitude { get; }

    /// <summary>Validates untrusted input (device fixes, API arguments) without throwing.</summary>
    public static bool TryCreate(double latitude, double longitude, out GeoPoint point)
    {
        if (double.IsFinite(latitude) && latitude is >= -90 and <= 90 && double.IsFinite(longitude) && longitude is >= -180 and <= 180)
        {
            point = new GeoPoint(latitude, longitude);
            return true;
        }
        point = default;
        return false;
    }

    /// <summary>Great-circle distance in kilometres (haversine: numerically stable for the short hops dispatch cares about).</summary>
    public double DistanceKmTo(GeoPoint other)
    {
        const double toRadians = Math.PI / 180;
        var dLat = (other.Latitude - Latitude) * toRadians;
        var dLon = (other.Longitude - Longitude) * toRadians;
        var sinLat = Math.Sin(dLat / 2);
        var sinLon = Math.Sin(dLon / 2);
        var h = sinLat * sinLat + Math.Cos(Latitude * toRadians) * Math.Cos(other.Latitude * toRadians) * sinLon * sinLon;
        // Rounding can push h a hair above 1 for antipodal points; Asin would return NaN.
        return 2 * EarthRadiusKm * Math.Asin(Math.Sqrt(Math.Min(1, h)));
    }

    public override string ToString() => FormattableString.Invariant($"({Latitude:0.######}, {Longitude:0.######})");
}
