using System.Collections.Immutable;
using Dispatch.Domain.Geo;

namespace Dispatch.Domain.Matching;

/// <summary>The index's answer: the best technicians, and why the nearby others were left out.</summary>
/// <param name="Ranked">Best first, each with score components and a reason line.</param>
/// <param name="Excluded">Technicians the search looked at and a hard rule ruled out, nearest first, fully explained (capped).</param>
/// <param name="ExcludedCount">How many the search ruled out in all (the explained ones are the nearest of them).</param>
/// <param name="Considered">Technicians offered to the scorer.</param>
/// <param name="IndexedTechnicians">Technicians in the index.</param>
/// <param name="SearchRadiusKm">
/// Cells starting farther than this were not visited: nobody there could beat the ones found. Null when every cell was visited.
/// </param>
[GenerateSerializer, Immutable, Alias("Dispatch.IndexedSuggestion")]
public sealed record IndexedSuggestion(
    [property: Id(0)] ImmutableArray<MatchResult> Ranked,
    [property: Id(1)] ImmutableArray<MatchResult> Excluded,
    [property: Id(2)] int ExcludedCount,
    [property: Id(3)] int Considered,
    [property: Id(4)] int IndexedTechnicians,
    [property: Id(5)] double? SearchRadiusKm);

/// <summary>
/// Technician summaries partitioned by <see cref="GeoGrid"/> cell, for best match over a large fleet: visit cells
/// nearest first and stop as soon as no technician in a farther cell could make the top <c>n</c>.
/// </summary>
/// <remarks>
/// <para>A technician is filed under the cell of every place their travel estimate can start from: home base, last
/// reported position, and every booked site (the previous job). A technician first met in a cell at distance <c>d</c>
/// therefore has every travel origin at least <c>d</c> away, so their travel time is at least the drive of <c>d</c>, and
/// their total at most <see cref="MatchScorer.Ranking.UpperBound"/> of it. Once the top <c>n</c> are all better than that
/// bound for the next cell, the search stops: the answer is exactly what <see cref="MatchScorer.TopN"/> over the whole
/// fleet would give (a property test checks this). Technicians without a home base have no bounded travel time and are
/// always offered.</para>
/// <para>The distance to a cell is a true lower bound on the sphere: the larger of the latitude gap and the cross-track
/// distance to the nearer edge meridian.</para>
/// <para>Not thread-safe: it lives inside one grain activation (or one benchmark thread).</para>
/// </remarks>
public sealed class TechnicianIndex
{
    /// <summary>About 5.5 km north-south: a city fleet spreads over tens to hundreds of cells.</summary>
    public const double DefaultCellSizeDegrees = 0.05;

    private readonly Dictionary<string, Entry> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<GeoCell, Cell> _cells = [];
    private readonly Dictionary<string, Entry> _unlocated = new(StringComparer.Ordinal);
    private int _stamp;

    public TechnicianIndex(GeoGrid? grid = null, MatchScorer? scorer = null)
    {
        Grid = grid ?? new GeoGrid(DefaultCellSizeDegrees);
        Scorer = scorer ?? new MatchScorer();
    }

    public GeoGrid Grid { get; }
    public MatchScorer Scorer { get; }
    public int Count => _byId.Count;
    public int CellCount => _cells.Count;

    public IEnumerable<TechnicianSummary> Technicians => _byId.Values.Select(e => e.Summary);

    public TechnicianSummary? Find(string technicianId) => _byId.TryGetValue(technicianId, out var entry) ? entry.Summary : null;

    public long? VersionOf(string technicianId) => _byId.TryGetValue(technicianId, out var entry) ? entry.Version : null;

    /// <summary>Adds or replaces a technician; a version not newer than the one held is ignored (returns false).</summary>
    public bool Upsert(TechnicianSummary summary, long version)
    {
        ArgumentNullException.ThrowIfNull(summary);
        if (_byId.TryGetValue(summary.Id, out var existing))
        {
            if (existing.Version >= version) return false;
            Unfile(existing);
        }

        var entry = new Entry(summary, version, CellsOf(summary));
        _byId[summary.Id] = entry;
        File(entry);
        return true;
    }

    public bool Remove(string technicianId)
    {
        if (!_byId.Remove(technicianId, out var entry)) return false;
        Unfile(entry);
        return true;
    }

    /// <summary>The best <paramref name="count"/> technicians for the request, visiting cells nearest first.</summary>
    /// <param name="explainExcluded">How many excluded technicians to explain in full (nearest first).</param>
    public IndexedSuggestion Suggest(MatchRequest request, int count, int explainExcluded = 10)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegative(explainExcluded);
        var ranking = Scorer.StartRanking(request, count);
        var stamp = ++_stamp;
        var excluded = new List<TechnicianSummary>();
        var excludedCount = 0;
        var considered = 0;
        double? radius = null;

        void Offer(Entry entry)
        {
            if (entry.Stamp == stamp) return; // filed under several cells
            entry.Stamp = stamp;
            considered++;
            if (ranking.Offer(entry.Summary) != MatchScorer.OfferResult.Excluded) return;
            excludedCount++;
            if (excluded.Count < explainExcluded) excluded.Add(entry.Summary);
        }

        foreach (var entry in _unlocated.Values) Offer(entry);

        if (request.Site is not { } site)
        {
            // Travel is unknown for everyone, so distance bounds nothing.
            foreach (var entry in _byId.Values) Offer(entry);
        }
        else
        {
            var order = new (double Km, Cell Cell)[_cells.Count];
            var i = 0;
            foreach (var cell in _cells.Values) order[i++] = (cell.LowerBoundKm(site), cell);
            Array.Sort(order, static (a, b) => a.Km.CompareTo(b.Km));
            foreach (var (km, cell) in order)
            {
                if (ranking.IsFull && !ranking.CouldAdmit(ranking.UpperBound(Scorer.Checker.Travel.FromStraightLineKm(km))))
                {
                    radius = km;
                    break;
                }

                foreach (var entry in cell.Entries) Offer(entry);
            }
        }

        return new IndexedSuggestion(
            [.. ranking.Results()],
            [.. excluded.Select(t => Scorer.Evaluate(request, t))],
            excludedCount, considered, _byId.Count, radius);
    }

    /// <summary>
    /// Every technician (or the given ones) evaluated against the request: the technician picker's red/green list.
    /// Eligible technicians first, best first; then the others by travel time.
    /// </summary>
    public IReadOnlyList<(TechnicianSummary Technician, MatchResult Fit)> EvaluateAll(MatchRequest request, IReadOnlyCollection<string>? technicianIds = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var technicians = technicianIds is null
            ? _byId.Values.Select(e => e.Summary)
            : technicianIds.Where(_byId.ContainsKey).Distinct().Select(id => _byId[id].Summary);
        return technicians
            .Select(t => (Technician: t, Fit: Scorer.Evaluate(request, t)))
            .OrderByDescending(x => x.Fit.IsEligible)
            .ThenByDescending(x => x.Fit.Total)
            .ThenBy(x => x.Fit.TravelTime ?? TimeSpan.MaxValue)
            .ThenBy(x => x.Technician.Id, StringComparer.Ordinal)
            .ToList();
    }

    private GeoCell[] CellsOf(TechnicianSummary summary)
    {
        if (summary.HomeBase is not { } home) return [];
        var cells = new HashSet<GeoCell> { Grid.CellOf(home) };
        if (summary.LastLocation is { } last) cells.Add(Grid.CellOf(last));
        foreach (var booking in summary.Schedule.Bookings)
            if (booking.Site is { } site) cells.Add(Grid.CellOf(site));
        return [.. cells];
    }

    private void File(Entry entry)
    {
        if (entry.Cells.Length == 0)
        {
            _unlocated[entry.Summary.Id] = entry;
            return;
        }

        foreach (var key in entry.Cells)
        {
            if (!_cells.TryGetValue(key, out var cell)) _cells[key] = cell = new Cell(Grid.Bounds(key));
            cell.Entries.Add(entry);
        }
    }

    private void Unfile(Entry entry)
    {
        if (entry.Cells.Length == 0)
        {
            _unlocated.Remove(entry.Summary.Id);
            return;
        }

        foreach (var key in entry.Cells)
        {
            if (!_cells.TryGetValue(key, out var cell)) continue;
            cell.Entries.Remove(entry);
            if (cell.Entries.Count == 0) _cells.Remove(key);
        }
    }

    private sealed class Entry(TechnicianSummary summary, long version, GeoCell[] cells)
    {
        public TechnicianSummary Summary { get; } = summary;
        public long Version { get; } = version;
        public GeoCell[] Cells { get; } = cells;
        /// <summary>The last query that offered this entry, so a technician filed under several cells is offered once.</summary>
        public int Stamp { get; set; }
    }

    private sealed class Cell(BoundingBox bounds)
    {
        private const double ToRadians = Math.PI / 180;

        public List<Entry> Entries { get; } = [];

        /// <summary>A distance no point of the cell is closer than (kilometres on the sphere).</summary>
        public double LowerBoundKm(GeoPoint point)
        {
            double latGap = 0;
            if (point.Latitude < bounds.MinLatitude) latGap = bounds.MinLatitude - point.Latitude;
            else if (point.Latitude > bounds.MaxLatitude) latGap = point.Latitude - bounds.MaxLatitude;
            // Any two points are at least their latitude difference apart along the surface.
            var km = latGap * ToRadians * GeoPoint.EarthRadiusKm;

            if (point.Longitude < bounds.MinLongitude || point.Longitude > bounds.MaxLongitude)
            {
                var gap = Math.Min(LongitudeGap(point.Longitude, bounds.MinLongitude), LongitudeGap(point.Longitude, bounds.MaxLongitude));
                if (gap < 90)
                {
                    // A path into the cell crosses the nearer edge meridian: at least the cross-track distance to its great circle.
                    var crossTrack = Math.Asin(Math.Sin(gap * ToRadians) * Math.Cos(point.Latitude * ToRadians)) * GeoPoint.EarthRadiusKm;
                    km = Math.Max(km, crossTrack);
                }
            }

            // Shave a hair off so rounding can never turn a bound into an overestimate.
            return Math.Max(0, km * (1 - 1e-9));
        }

        private static double LongitudeGap(double a, double b)
        {
            var d = Math.Abs(a - b) % 360;
            return d > 180 ? 360 - d : d;
        }
    }
}
