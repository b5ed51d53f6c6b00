namespace Dispatch.Domain.Geo;

/// <summary>
/// One cell of a <see cref="GeoGrid"/>: row counts northward from the south pole, column eastward from the
/// antimeridian. Only meaningful together with the grid that produced it (the cell size is not stored here, so
/// a cell stays a cheap dictionary key and a short grain-key fragment).
/// </summary>
[GenerateSerializer, Immutable, Alias("Dispatch.GeoCell")]
public readonly record struct GeoCell(
    [property: Id(0)] int Row,
    [property: Id(1)] int Column)
{
    public override string ToString() => FormattableString.Invariant($"r{Row}c{Column}");
}
