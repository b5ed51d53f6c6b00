namespace Dispatch.Domain.Geo;

/// <summary>
/// A plain latitude/longitude grid that partitions technicians by place, so a best-match query starts with the
/// cell of the job site and widens ring by ring instead of scanning the fleet.
/// </summary>
/// <remarks>
/// Cells are equal in degrees, not in kilometres: they narrow toward the poles. That is fine for regional fleets
/// and keeps a point's cell one division away; an equal-area scheme (H3 and friends) would need a library and buys
/// little at these latitudes. Columns wrap at the antimeridian so rings stay whole across it; rows stop at the
/// poles.
/// </remarks>
[GenerateSerializer, Immutable, Alias("Dispatch.GeoGrid")]
public sealed record GeoGrid
{
    public const double MinimumCellSizeDegrees = 0.0001;

    public GeoGrid(double cellSizeDegrees)
    {
        if (!double.IsFinite(cellSizeDegrees) || cellSizeDegrees < MinimumCellSizeDegrees || cellSizeDegrees > 90)
            throw new ArgumentOutOfRangeException(nameof(cellSizeDegrees), cellSizeDegrees,
                $"Cell size must be between {MinimumCellSizeDegrees} and 90 degrees.");
        CellSizeDegrees = cellSizeDegrees;
    }

    [Id(0)] public double CellSizeDegrees { get; }

    public int RowCount => (int)Math.Ceiling(180 / CellSizeDegrees);
    public int ColumnCount => (int)Math.Ceiling(360 / CellSizeDegrees);

    public GeoCell CellOf(GeoPoint point) => new(RowOf(point.Latitude), ColumnOf(point.Longitude));

    /// <summary>The cell's extent; cells on the north and east edges of the world are clipped to it.</summary>
    public BoundingBox Bounds(GeoCell cell)
    {
        EnsureOnGrid(cell);
        var minLat = -90 + cell.Row * CellSizeDegrees;
        var minLon = -180 + cell.Column * CellSizeDegrees;
        return new BoundingBox(minLat, minLon, Math.Min(90, minLat + CellSizeDegrees), Math.Min(180, minLon + CellSizeDegrees));
    }

    /// <summary>
    /// The cells exactly <paramref name="radius"/> steps (king moves) from <paramref name="center"/>: ring 0 is the
    /// cell itself, ring 1 its eight neighbours, and so on. Rings beyond a pole are cut off; a ring wider than the
    /// world lists each column once.
    /// </summary>
    public IReadOnlyList<GeoCell> Ring(GeoCell center, int radius)
    {
        EnsureOnGrid(center);
        ArgumentOutOfRangeException.ThrowIfNegative(radius);
        if (radius == 0) return [center];

        var columns = ColumnCount;
        var cells = new List<GeoCell>(8 * radius);
        if (2 * radius + 1 >= columns)
        {
            // The ring wraps onto itself: walk rows instead and dedupe by construction.
            for (var row = center.Row - radius; row <= center.Row + radius; row++)
            {
                if (!IsRowOnGrid(row)) continue;
                var edgeRow = Math.Abs(row - center.Row) == radius;
                for (var column = 0; column < columns; column++)
                {
                    var step = ColumnSteps(center.Column, column, columns);
                    if (edgeRow ? step <= radius : step == radius) cells.Add(new GeoCell(row, column));
                }
            }
            return cells;
        }

        for (var dc = -radius; dc <= radius; dc++)
        {
            AddIfOnGrid(cells, center.Row - radius, center.Column + dc, columns);
            AddIfOnGrid(cells, center.Row + radius, center.Column + dc, columns);
        }
        for (var dr = -radius + 1; dr <= radius - 1; dr++)
        {
            AddIfOnGrid(cells, center.Row + dr, center.Column - radius, columns);
            AddIfOnGrid(cells, center.Row + dr, center.Column + radius, columns);
        }
        return cells;
    }

    /// <summary>Rings 0 through <paramref name="radius"/>, nearest first.</summary>
    public IEnumerable<GeoCell> CellsWithin(GeoCell center, int radius)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(radius);
        var seen = new HashSet<GeoCell>();
        for (var r = 0; r <= radius; r++)
            foreach (var cell in Ring(center, r))
                if (seen.Add(cell)) yield return cell;
    }

    /// <summary>Every cell that intersects <paramref name="box"/>, for map-viewport subscriptions.</summary>
    public IEnumerable<GeoCell> CellsCovering(BoundingBox box)
    {
        int minRow = RowOf(box.MinLatitude), maxRow = RowOf(box.MaxLatitude);
        int minColumn = ColumnOf(box.MinLongitude), maxColumn = ColumnOf(box.MaxLongitude);
        for (var row = minRow; row <= maxRow; row++)
            for (var column = minColumn; column <= maxColumn; column++)
                yield return new GeoCell(row, column);
    }

    private int RowOf(double latitude) => Math.Clamp((int)Math.Floor((latitude + 90) / CellSizeDegrees), 0, RowCount - 1);

    private int ColumnOf(double longitude) => Math.Clamp((int)Math.Floor((longitude + 180) / CellSizeDegrees), 0, ColumnCount - 1);

    private bool IsRowOnGrid(int row) => row >= 0 && row < RowCount;

    private void AddIfOnGrid(List<GeoCell> cells, int row, int column, int columns)
    {
        if (IsRowOnGrid(row)) cells.Add(new GeoCell(row, ((column % columns) + columns) % columns));
    }

    private static int ColumnSteps(int from, int to, int columns)
    {
        var d = Math.Abs(from - to);
        return Math.Min(d, columns - d);
    }

    private void EnsureOnGrid(GeoCell cell)
    {
        if (!IsRowOnGrid(cell.Row) || cell.Column < 0 || cell.Column >= ColumnCount)
            throw new ArgumentOutOfRangeException(nameof(cell), cell, $"Cell is not on a grid of {CellSizeDegrees}° cells.");
    }
}
