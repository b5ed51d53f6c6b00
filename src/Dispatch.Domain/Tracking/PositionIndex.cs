using Dispatch.Domain.Geo;

namespace Dispatch.Domain.Tracking;

/// <summary>
/// Current positions of one tenant's technicians, bucketed by grid cell, for "who is in this map view" and "who is near
/// this site" without scanning the fleet. Keeps the newest update per technician. Not thread-safe: the owner locks.
/// </summary>
public sealed class PositionIndex
{
    private readonly GeoGrid _grid;
    private readonly Dictionary<string, (LocationUpdate Update, GeoCell Cell)> _byTechnician = new(StringComparer.Ordinal);
    private readonly Dictionary<GeoCell, HashSet<string>> _byCell = [];

    public PositionIndex(GeoGrid grid) => _grid = grid;

    public int Count => _byTechnician.Count;

    /// <summary>Stores the update unless a newer one for the technician is already there. True when stored.</summary>
    public bool Upsert(LocationUpdate update)
    {
        var cell = _grid.CellOf(update.Fix.Position);
        if (_byTechnician.TryGetValue(update.TechnicianId, out var existing))
        {
            if (!update.IsNewerThan(existing.Update))
                return false;
            if (existing.Cell != cell)
                RemoveFromCell(existing.Cell, update.TechnicianId);
        }

        _byTechnician[update.TechnicianId] = (update, cell);
        if (!_byCell.TryGetValue(cell, out var members))
            _byCell[cell] = members = new HashSet<string>(StringComparer.Ordinal);
        members.Add(update.TechnicianId);
        return true;
    }

    public LocationUpdate? Get(string technicianId) =>
        _byTechnician.TryGetValue(technicianId, out var entry) ? entry.Update : null;

    /// <summary>Every technician whose current position lies in <paramref name="box"/> (edges inclusive).</summary>
    public List<LocationUpdate> Within(BoundingBox box, int max = int.MaxValue)
    {
        var found = new List<LocationUpdate>();
        // Cell ranges come from CellOf, exactly as points are assigned, so a point on the box edge is never missed by
        // rounding in the cell's own bounds.
        var (southWest, northEast) = (_grid.CellOf(box.SouthWest), _grid.CellOf(box.NorthEast));
        var cells = (long)(northEast.Row - southWest.Row + 1) * (northEast.Column - southWest.Column + 1);
        if (cells > _byCell.Count)
        {
            // A view wider than the occupied cells: walking the occupied ones is cheaper than enumerating empty ones.
            foreach (var (cell, members) in _byCell)
            {
                if (cell.Row >= southWest.Row && cell.Row <= northEast.Row && cell.Column >= southWest.Column && cell.Column <= northEast.Column)
                    Collect(members, box, found, max);
            }
        }
        else
        {
            foreach (var cell in _grid.CellsCovering(box))
            {
                if (_byCell.TryGetValue(cell, out var members))
                    Collect(members, box, found, max);
            }
        }
        return found;
    }

    private void Collect(HashSet<string> members, BoundingBox box, List<LocationUpdate> found, int max)
    {
        foreach (var id in members)
        {
            if (found.Count >= max)
                return;
            var update = _byTechnician[id].Update;
            if (box.Contains(update.Fix.Position))
                found.Add(update);
        }
    }

    private void RemoveFromCell(GeoCell cell, string technicianId)
    {
        if (_byCell.TryGetValue(cell, out var members) && members.Remove(technicianId) && members.Count == 0)
            _byCell.Remove(cell);
    }
}
