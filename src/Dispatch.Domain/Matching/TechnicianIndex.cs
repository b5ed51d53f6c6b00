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
/// <para>Cells are visited ring by ring around the site's cell (ring <c>r</c>: the cells <c>r</c> steps away). Every point
/// of ring <c>r</c> is at least <c>r - 1</c> whole cells plus the site's distance to its own cell's edge away, in latitude
/// or (as a cross-track distance to the edge meridian) in longitude: a true lower bound on the sphere.</para>
/// <para>Most of a large fleet is ruled out without touching its summaries: each entry carries its hard-rule profile
/// (active and Field, skills and certificates as bit masks with the longest expiry per certificate) and its workload
/// score, so a technician who lacks a required skill, or who could not beat the current top <c>n</c> even with a perfect
/// score from the ring's distance on, costs a few comparisons.</para>
/// <para>Not thread-safe: it lives inside one grain activation (or one benchmark thread).</para>
/// </remarks>
public sealed class TechnicianIndex
{
    /// <summary>About 5.5 km north-south: a city fleet spreads over tens to hundreds of cells.</summary>
    public const double DefaultCellSizeDegrees = 0.05;

    private readonly Dictionary<string, Entry> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<GeoCell, Cell> _cells = [];
    private readonly Dictionary<string, Entry> _unlocated = new(StringComparer.Ordinal);
    private readonly NameBits _skillBits = new();
    private readonly NameBits _certificationBits = new();
    private int _stamp;
    private int _minRow = int.MaxValue, _maxRow = int.MinValue, _minColumn = int.MaxValue, _maxColumn = int.MinValue;

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

        var entry = new Entry(summary, version, CellsOf(summary), Scorer.WorkloadScore(summary),
            _skillBits.MaskOf(summary.Skills, out var allSkills), allSkills, Certifications(summary.Certifications));
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
        var profile = new ProfileFilter(this, request);
        var stamp = ++_stamp;
        var excluded = new List<TechnicianSummary>();
        var excludedCount = 0;
        var considered = 0;
        double? radius = null;

        void Offer(Entry entry, TimeSpan? travelAtLeast)
        {
            if (entry.Stamp == stamp) return; // filed under several cells
            entry.Stamp = stamp;
            considered++;
            if (profile.RulesOut(entry))
            {
                excludedCount++;
                if (excluded.Count < explainExcluded) excluded.Add(entry.Summary);
                return;
            }

            // Hopeless even with perfect availability and skills from here on: skip without reading the summary.
            if (ranking.IsFull && !ranking.CouldAdmit(ranking.UpperBound(travelAtLeast, profile.SkillScore(entry), entry.Workload))) return;
            if (ranking.Offer(entry.Summary) != MatchScorer.OfferResult.Excluded) return;
            excludedCount++;
            if (excluded.Count < explainExcluded) excluded.Add(entry.Summary);
        }

        // No home base: travel may still be known (a fresh fix, a previous job), so it is bounded by nothing.
        foreach (var entry in _unlocated.Values) Offer(entry, TimeSpan.Zero);

        if (request.Site is not { } site)
        {
            // Travel is unknown for everyone, so distance bounds nothing.
            foreach (var entry in _byId.Values) Offer(entry, null);
        }
        else if (_cells.Count > 0)
        {
            var center = Grid.CellOf(site);
            var centerBounds = Grid.Bounds(center);
            var lastRing = Math.Max(Math.Max(center.Row - _minRow, _maxRow - center.Row), Math.Max(center.Column - _minColumn, _maxColumn - center.Column));
            // A dense fleet: walk the rings cell by cell. A sparse one (rings mostly empty): take the occupied cells
            // bucketed by ring instead, so empty country costs nothing.
            (Cell[] Cells, int[] Starts)? byRing = (long)(2 * lastRing + 1) * (2 * lastRing + 1) > 4L * _cells.Count ? OccupiedCellsByRing(center, lastRing) : null;
            for (var ring = 0; ring <= lastRing; ring++)
            {
                var km = RingLowerBoundKm(site, centerBounds, ring);
                var travel = Scorer.Checker.Travel.FromStraightLineKm(km);
                if (ranking.IsFull && !ranking.CouldAdmit(ranking.UpperBound(travel)))
                {
                    radius = km;
                    break;
                }

                if (byRing is { } buckets)
                {
                    for (var i = buckets.Starts[ring]; i < buckets.Starts[ring + 1]; i++)
                        foreach (var entry in buckets.Cells[i].Entries) Offer(entry, travel);
                    continue;
                }

                foreach (var key in RingCells(center, ring))
                {
                    if (!_cells.TryGetValue(key, out var cell)) continue;
                    foreach (var entry in cell.Entries) Offer(entry, travel);
                }
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
            if (!_cells.TryGetValue(key, out var cell)) _cells[key] = cell = new Cell();
            cell.Entries.Add(entry);
            // The extent only grows: it bounds how many rings a search may need, so too large is merely slower.
            _minRow = Math.Min(_minRow, key.Row);
            _maxRow = Math.Max(_maxRow, key.Row);
            _minColumn = Math.Min(_minColumn, key.Column);
            _maxColumn = Math.Max(_maxColumn, key.Column);
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

    private (int Bit, DateTimeOffset Expires)[] Certifications(ImmutableArray<Certification> certifications)
    {
        var best = new Dictionary<int, DateTimeOffset>();
        foreach (var certification in certifications)
        {
            if (_certificationBits.BitOf(certification.Name) is not { } bit) continue;
            var expires = certification.ExpiresAt ?? DateTimeOffset.MaxValue;
            if (!best.TryGetValue(bit, out var known) || expires > known) best[bit] = expires;
        }
        return [.. best.Select(b => (b.Key, b.Value))];
    }

    /// <summary>The occupied cells in ring order (a counting sort): cells of ring r are Cells[Starts[r] .. Starts[r + 1]).</summary>
    private (Cell[] Cells, int[] Starts) OccupiedCellsByRing(GeoCell center, int lastRing)
    {
        var columns = Grid.ColumnCount;
        var rings = new int[_cells.Count];
        var starts = new int[lastRing + 2];
        var i = 0;
        foreach (var key in _cells.Keys)
        {
            var columnSteps = Math.Abs(key.Column - center.Column);
            columnSteps = Math.Min(columnSteps, columns - columnSteps);
            var ring = Math.Min(lastRing, Math.Max(Math.Abs(key.Row - center.Row), columnSteps));
            rings[i++] = ring;
            starts[ring + 1]++;
        }

        for (var r = 1; r < starts.Length; r++) starts[r] += starts[r - 1];
        var next = (int[])starts.Clone();
        var cells = new Cell[_cells.Count];
        i = 0;
        foreach (var cell in _cells.Values) cells[next[rings[i++]]++] = cell;
        return (cells, starts);
    }

    /// <summary>
    /// The cells exactly <paramref name="ring"/> steps from <paramref name="center"/> (ring 0 is the cell itself), without
    /// allocating a list per ring. Rows stop at the poles; columns wrap at the antimeridian.
    /// </summary>
    private IEnumerable<GeoCell> RingCells(GeoCell center, int ring)
    {
        if (ring == 0)
        {
            yield return center;
            yield break;
        }

        var columns = Grid.ColumnCount;
        var rows = Grid.RowCount;
        for (var dc = -ring; dc <= ring; dc++)
        {
            var column = ((center.Column + dc) % columns + columns) % columns;
            if (center.Row - ring >= 0) yield return new GeoCell(center.Row - ring, column);
            if (center.Row + ring < rows) yield return new GeoCell(center.Row + ring, column);
        }

        for (var dr = -ring + 1; dr <= ring - 1; dr++)
        {
            var row = center.Row + dr;
            if (row < 0 || row >= rows) continue;
            yield return new GeoCell(row, ((center.Column - ring) % columns + columns) % columns);
            yield return new GeoCell(row, ((center.Column + ring) % columns + columns) % columns);
        }
    }

    /// <summary>
    /// No point of a ring-<paramref name="ring"/> cell is closer to <paramref name="site"/> than this (kilometres on the
    /// sphere). Such a cell is <c>ring</c> rows or <c>ring</c> columns away: at least <c>ring - 1</c> whole cells plus the
    /// site's distance to its own cell's edge, either in latitude (a meridian arc) or in longitude (at least the
    /// cross-track distance to the edge meridian, which any path into the cell crosses).
    /// </summary>
    private double RingLowerBoundKm(GeoPoint site, BoundingBox centerCell, int ring)
    {
        if (ring == 0) return 0;
        const double toRadians = Math.PI / 180;
        var size = Grid.CellSizeDegrees;
        var latitudeGap = (ring - 1) * size + Math.Min(site.Latitude - centerCell.MinLatitude, centerCell.MaxLatitude - site.Latitude);
        var longitudeGap = (ring - 1) * size + Math.Min(site.Longitude - centerCell.MinLongitude, centerCell.MaxLongitude - site.Longitude);
        var byLatitude = Math.Max(0, latitudeGap) * toRadians * GeoPoint.EarthRadiusKm;
        var byLongitude = longitudeGap >= 90
            ? byLatitude
            : Math.Asin(Math.Sin(Math.Max(0, longitudeGap) * toRadians) * Math.Cos(site.Latitude * toRadians)) * GeoPoint.EarthRadiusKm;
        // Shave a hair off so rounding can never turn the bound into an overestimate.
        return Math.Max(0, Math.Min(byLatitude, byLongitude) * (1 - 1e-9));
    }

    private sealed class Entry(
        TechnicianSummary summary, long version, GeoCell[] cells, double workload,
        ulong skills, bool allSkillsMapped, (int Bit, DateTimeOffset Expires)[] certifications)
    {
        public TechnicianSummary Summary { get; } = summary;
        public long Version { get; } = version;
        public GeoCell[] Cells { get; } = cells;
        /// <summary>The scorer's workload component for this technician (it depends on the technician only).</summary>
        public double Workload { get; } = workload;
        public bool ActiveFieldTechnician { get; } = summary.IsActive && summary.IsField;
        public ulong Skills { get; } = skills;
        /// <summary>False when the index ran out of bits for one of the technician's skills: the mask cannot rule anyone out.</summary>
        public bool AllSkillsMapped { get; } = allSkillsMapped;
        /// <summary>Per certificate bit, the latest expiry of the technician's copies (MaxValue: never expires).</summary>
        public (int Bit, DateTimeOffset Expires)[] Certifications { get; } = certifications;
        /// <summary>The last query that offered this entry, so a technician filed under several cells is offered once.</summary>
        public int Stamp { get; set; }
    }

    private sealed class Cell
    {
        public List<Entry> Entries { get; } = [];
    }

    /// <summary>Names (skills or certificates, case-insensitive) to bit positions, first come first served, 64 at most.</summary>
    private sealed class NameBits
    {
        private readonly Dictionary<string, int> _bits = new(StringComparer.OrdinalIgnoreCase);

        public bool IsFull => _bits.Count >= 64;

        public int? BitOf(string name)
        {
            if (_bits.TryGetValue(name, out var bit)) return bit;
            if (IsFull) return null;
            return _bits[name] = _bits.Count;
        }

        public int? Find(string name) => _bits.TryGetValue(name, out var bit) ? bit : null;

        public ulong MaskOf(ImmutableArray<string> names, out bool allMapped)
        {
            ulong mask = 0;
            allMapped = true;
            foreach (var name in names)
            {
                if (BitOf(name) is { } bit) mask |= 1UL << bit;
                else allMapped = false;
            }
            return mask;
        }
    }

    /// <summary>
    /// The request's hard profile rules as masks: rules a technician out exactly when <see cref="MatchScorer"/> would for
    /// inactivity, the Field role, a missing skill or a missing or lapsing certificate; otherwise defers to the scorer.
    /// </summary>
    private readonly struct ProfileFilter
    {
        private readonly int _required;
        private readonly int[]? _preferred;
        private readonly ulong _skills;
        private readonly bool _skillsKnown;
        private readonly bool _skillNobodyHas;
        private readonly int[] _certifications;
        private readonly bool _certificationsKnown;
        private readonly bool _certificationNobodyHas;
        private readonly DateTimeOffset _validThrough;

        public ProfileFilter(TechnicianIndex index, MatchRequest request)
        {
            _validThrough = request.Window.End;
            _required = request.RequiredSkills.Length;
            var preferred = new int[request.PreferredSkills.Length];
            for (var i = 0; i < preferred.Length; i++)
            {
                // A preferred skill nobody holds has no bit yet: -1, never held. If bits ran out, the score is not computable.
                if (index._skillBits.Find(request.PreferredSkills[i]) is { } bit) preferred[i] = bit;
                else if (index._skillBits.IsFull) { preferred = null; break; }
                else preferred[i] = -1;
            }
            _preferred = preferred;
            _skillsKnown = true;
            foreach (var skill in request.RequiredSkills)
            {
                if (index._skillBits.Find(skill) is { } bit) _skills |= 1UL << bit;
                else if (index._skillBits.IsFull) _skillsKnown = false; // might be held under a name the masks could not map
                else _skillNobodyHas = true;
            }

            _certificationsKnown = true;
            var certifications = new List<int>();
            foreach (var name in request.RequiredCertifications)
            {
                if (index._certificationBits.Find(name) is { } bit) certifications.Add(bit);
                else if (index._certificationBits.IsFull) _certificationsKnown = false;
                else _certificationNobodyHas = true;
            }
            _certifications = [.. certifications];
        }

        /// <summary>
        /// The scorer's skill score for an eligible technician, from the masks (the same formula, so the same number), or 1
        /// when the masks cannot tell.
        /// </summary>
        public double SkillScore(Entry entry)
        {
            if (_preferred is null || !entry.AllSkillsMapped) return 1;
            if (_required + _preferred.Length == 0) return 1;
            var held = 0;
            foreach (var bit in _preferred)
                if (bit >= 0 && (entry.Skills & (1UL << bit)) != 0) held++;
            return (double)(_required + held) / (_required + _preferred.Length);
        }

        public bool RulesOut(Entry entry)
        {
            if (!entry.ActiveFieldTechnician) return true;
            if (_skillsKnown && entry.AllSkillsMapped && (_skillNobodyHas || (entry.Skills & _skills) != _skills)) return true;
            if (!_certificationsKnown) return false;
            if (_certificationNobodyHas) return true;
            foreach (var required in _certifications)
            {
                var valid = false;
                foreach (var (bit, expires) in entry.Certifications)
                {
                    if (bit != required) continue;
                    valid = expires >= _validThrough;
                    break;
                }
                if (!valid) return true;
            }
            return false;
        }
    }
}
