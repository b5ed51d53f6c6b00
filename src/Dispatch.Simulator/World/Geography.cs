using Dispatch.Domain.Geo;

namespace Dispatch.Simulator.World;

/// <summary>
/// Where simulated people and jobs are: around real city centres, denser near the middle the way service areas are.
/// Deterministic for a given seed, so two runs seed the same fleet.
/// </summary>
public static class Geography
{
    private static readonly Dictionary<string, (GeoPoint Centre, string TimeZone, string[] Streets)> Cities = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Houston"] = (new GeoPoint(29.7604, -95.3698), "America/Chicago", ["Westheimer Rd", "Kirby Dr", "Richmond Ave", "Bellaire Blvd", "Gessner Rd"]),
        ["Chicago"] = (new GeoPoint(41.8781, -87.6298), "America/Chicago", ["State St", "Halsted St", "Ashland Ave", "Western Ave", "Cicero Ave"]),
        ["Dallas"] = (new GeoPoint(32.7767, -96.7970), "America/Chicago", ["Elm St", "Commerce St", "Ross Ave", "Lemmon Ave", "Mockingbird Ln"]),
        ["Phoenix"] = (new GeoPoint(33.4484, -112.0740), "America/Phoenix", ["Camelback Rd", "Indian School Rd", "Thomas Rd", "McDowell Rd", "Van Buren St"]),
        ["Atlanta"] = (new GeoPoint(33.7490, -84.3880), "America/New_York", ["Peachtree St", "Ponce de Leon Ave", "Piedmont Ave", "Spring St", "Northside Dr"]),
        ["Denver"] = (new GeoPoint(39.7392, -104.9903), "America/Denver", ["Colfax Ave", "Broadway", "Federal Blvd", "Colorado Blvd", "Alameda Ave"]),
        ["Seattle"] = (new GeoPoint(47.6062, -122.3321), "America/Los_Angeles", ["Aurora Ave", "Rainier Ave", "Pike St", "Madison St", "Denny Way"]),
    };

    public static IReadOnlyCollection<string> Known => Cities.Keys;

    public sealed record City(string Name, GeoPoint Centre, string TimeZone, string[] Streets, double RadiusDegrees);

    public static City[] Resolve(IEnumerable<string> names, double radiusDegrees) => names.Select(name =>
        Cities.TryGetValue(name, out var c)
            ? new City(name, c.Centre, c.TimeZone, c.Streets, radiusDegrees)
            : throw new ArgumentException($"Unknown city '{name}'; known: {string.Join(", ", Cities.Keys)}.")).ToArray();

    /// <summary>A point around the centre: uniform angle, radius skewed towards the middle (sqrt of a uniform would be flat).</summary>
    public static GeoPoint Around(City city, Random random)
    {
        var angle = random.NextDouble() * Math.Tau;
        var distance = city.RadiusDegrees * Math.Pow(random.NextDouble(), 0.75);
        return new GeoPoint(city.Centre.Latitude + distance * Math.Sin(angle),
            city.Centre.Longitude + distance * Math.Cos(angle) / Math.Cos(city.Centre.Latitude * Math.PI / 180));
    }

    /// <summary>A uniformly spread point in the square of side 2×radius around the centre (S2: boxes then hold a known share).</summary>
    public static GeoPoint InSquare(City city, Random random) =>
        new(city.Centre.Latitude + (random.NextDouble() * 2 - 1) * city.RadiusDegrees,
            city.Centre.Longitude + (random.NextDouble() * 2 - 1) * city.RadiusDegrees);

    /// <summary>Moves a point a given distance along a heading (flat-earth step; fine for a few hundred metres).</summary>
    public static GeoPoint Step(GeoPoint from, double headingDegrees, double meters)
    {
        var rad = headingDegrees * Math.PI / 180;
        var dLat = meters * Math.Cos(rad) / 111_320.0;
        var dLon = meters * Math.Sin(rad) / (111_320.0 * Math.Cos(from.Latitude * Math.PI / 180));
        return new GeoPoint(Math.Clamp(from.Latitude + dLat, -89.9, 89.9), Math.Clamp(from.Longitude + dLon, -179.9, 179.9));
    }

    public static double HeadingTo(GeoPoint from, GeoPoint to)
    {
        var dLat = to.Latitude - from.Latitude;
        var dLon = (to.Longitude - from.Longitude) * Math.Cos(from.Latitude * Math.PI / 180);
        return (Math.Atan2(dLon, dLat) * 180 / Math.PI + 360) % 360;
    }
}
