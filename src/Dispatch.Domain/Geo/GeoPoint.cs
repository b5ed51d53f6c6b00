namespace Dispatch.Domain.Geo;

/// <summary>A WGS-84 position. Constructed only from finite, in-range coordinates.</summary>
[GenerateSerializer, Immutable, Alias("Dispatch.GeoPoint")]
public readonly record struct GeoPoint
{
    public GeoPoint(double latitude, double longitude)
    {
        if (!double.IsFinite(latitude) || latitude is < -90 or > 90)
        {
            throw new ArgumentOutOfRangeException(nameof(latitude), latitude, "Latitude must be a finite number between -90 and 90.");
        }

        if (!double.IsFinite(longitude) || longitude is < -180 or > 180)
        {
            throw new ArgumentOutOfRangeException(nameof(longitude), longitude, "Longitude must be a finite number between -180 and 180.");
        }

        Latitude = latitude;
        Longitude = longitude;
    }

    [Id(0)] public double Latitude { get; }
    [Id(1)] public double Longitude { get; }
}
