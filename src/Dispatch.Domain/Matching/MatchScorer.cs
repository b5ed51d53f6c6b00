using System.Collections.Immutable;
using System.Globalization;
using Dispatch.Domain.Geo;
using Dispatch.Domain.Scheduling;

namespace Dispatch.Domain.Matching;

/// <summary>
/// Ranks technicians for a work order: first the hard rules (active, field role, skills, valid certifications,
/// a schedule that takes the job), then a 0–100 score from travel time, availability, skill match and workload.
/// </summary>
/// <remarks>
/// <see cref="TopN"/> is the hot path (a suggestion over a whole fleet): it keeps a bounded heap of the best
/// <c>n</c> so far and skips a candidate as soon as even a perfect score on its remaining components could not
/// beat the current n-th best. The expensive parts (travel, and above all the schedule check in local time)
/// therefore run for a small share of candidates. Ties are broken by technician id so the order is repeatable.
/// </remarks>
public sealed class MatchScorer
{
    private readonly MatchOptions _options;
    private readonly double _weightSum;

    public MatchScorer(MatchOptions? options = null, ScheduleConflictChecker? checker = null)
    {
        _options = options ?? MatchOptions.Default;
        _options.Validate();
        Checker = checker ?? new ScheduleConflictChecker();
        var w = _options.Weights;
        _weightSum = w.Travel + w.Availability + w.Skills + w.Workload;
    }

    public MatchOptions Options => _options;
    public ScheduleConflictChecker Checker { get; }

    /// <summary>The full picture for one technician: every exclusion that applies, every score, and the reason line.</summary>
    public MatchResult Evaluate(MatchRequest request, TechnicianSummary technician)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(technician);

        var exclusions = new List<MatchExclusion>();
        CheckProfile(request, technician, exclusions);

        var conflicts = Checker.Check(technician.Schedule, AsBooking(request), technician.ActiveWorkOrders);
        if (!_options.IncludeConflicted)
        {
            foreach (var conflict in conflicts)
                exclusions.Add(conflict.IsCapacity
                    ? new MatchExclusion(MatchExclusionKind.AtCapacity, conflict.Description)
                    : new MatchExclusion(MatchExclusionKind.ScheduleConflict, conflict.Description));
        }

        var skills = SkillScore(request, technician);
        var workload = WorkloadScore(technician);
        var (travelTime, origin) = Travel(request, technician);
        var travel = TravelScore(travelTime);
        var freeTime = conflicts.IsEmpty ? technician.Schedule.FreeTimeAround(request.Window, request.WorkOrderId) : null;
        var availability = AvailabilityScore(request.Window, conflicts, freeTime);
        var scores = new MatchScores(travel, availability, skills, workload);
        var eligible = exclusions.Count == 0;

        return new MatchResult
        {
            TechnicianId = technician.Id,
            TechnicianName = technician.Name,
            Exclusions = [.. exclusions],
            Scores = scores,
            Total = eligible ? Combine(travel, availability, skills, workload) : 0,
            TravelTime = travelTime,
            TravelOrigin = origin,
            FreeTime = freeTime,
            Conflicts = conflicts,
            Reason = eligible
                ? DescribeFit(request, technician, travelTime, origin, freeTime, conflicts)
                : "excluded: " + string.Join("; ", exclusions.Select(e => e.Reason)),
        };
    }

    /// <summary>
    /// The <paramref name="count"/> best eligible technicians, best first, each fully explained as by
    /// <see cref="Evaluate"/>. Equal totals are ordered by technician id (ordinal).
    /// </summary>
    public IReadOnlyList<MatchResult> TopN(MatchRequest request, IEnumerable<TechnicianSummary> candidates, int count)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        var ranking = StartRanking(request, count);
        if (count == 0) return [];
        foreach (var technician in candidates) ranking.Offer(technician);
        return ranking.Results();
    }

    /// <summary>
    /// An incremental <see cref="TopN"/>: offer candidates one at a time (in any order, typically nearest first) and
    /// ask, between batches, whether a candidate with a given best-case score could still make the cut. That is what
    /// lets a geographic index stop visiting cells once every farther technician is out of reach.
    /// </summary>
    public Ranking StartRanking(MatchRequest request, int count)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return new Ranking(this, request, count);
    }

    public enum OfferResult
    {
        /// <summary>A hard rule rules the technician out (profile, active-order limit, schedule conflict).</summary>
        Excluded,
        /// <summary>Eligible as far as checked, but cannot beat the current top <c>n</c>.</summary>
        NotGoodEnough,
        /// <summary>Among the best so far.</summary>
        Ranked,
    }

    /// <summary>The state of one top-<c>n</c> selection; see <see cref="StartRanking"/>. Not thread-safe.</summary>
    public sealed class Ranking
    {
        private readonly MatchScorer _scorer;
        private readonly MatchRequest _request;
        private readonly Booking _proposal;
        private readonly BestSoFar? _best;

        internal Ranking(MatchScorer scorer, MatchRequest request, int count)
        {
            _scorer = scorer;
            _request = request;
            _proposal = AsBooking(request);
            _best = count > 0 ? new BestSoFar(count) : null;
        }

        public MatchRequest Request => _request;

        /// <summary>Whether <c>n</c> candidates are held, so a newcomer must beat the worst of them.</summary>
        public bool IsFull => _best is null || _best.IsFull;

        /// <summary>
        /// Whether a technician whose total can be at most <paramref name="upperBound"/> might still enter the top
        /// <c>n</c>. Ties may win on id, so only a strictly lower bound is hopeless.
        /// </summary>
        public bool CouldAdmit(double upperBound) => _best is not null && (!_best.IsFull || upperBound >= _best.WorstTotal);

        /// <summary>The best total any technician can reach with travel <paramref name="travelTime"/> or longer.</summary>
        public double UpperBound(TimeSpan? travelTime) => _scorer.Combine(_scorer.TravelScore(travelTime), 1, 1, 1);

        /// <summary>
        /// The best total a technician with these skill and workload scores can reach with travel <paramref name="travelTime"/>
        /// or longer (availability counted as perfect).
        /// </summary>
        public double UpperBound(TimeSpan? travelTime, double skills, double workload) => _scorer.Combine(_scorer.TravelScore(travelTime), 1, skills, workload);

        public OfferResult Offer(TechnicianSummary technician)
        {
            ArgumentNullException.ThrowIfNull(technician);
            var options = _scorer._options;
            if (!CheckProfile(_request, technician, exclusions: null)) return OfferResult.Excluded;
            // The schedule check would say the same, but this is free and rules out busy technicians early.
            if (!options.IncludeConflicted && IsAtActiveLimit(technician, _request.WorkOrderId)) return OfferResult.Excluded;
            if (_best is null) return OfferResult.NotGoodEnough;

            var skills = SkillScore(_request, technician);
            var workload = _scorer.WorkloadScore(technician);
            if (_best.IsFull && !_best.WouldAdmit(_scorer.Combine(1, 1, skills, workload), technician.Id)) return OfferResult.NotGoodEnough;

            var travel = _scorer.TravelScore(_scorer.Travel(_request, technician).Time);
            if (_best.IsFull && !_best.WouldAdmit(_scorer.Combine(travel, 1, skills, workload), technician.Id)) return OfferResult.NotGoodEnough;

            var conflicts = _scorer.Checker.Check(technician.Schedule, _proposal, technician.ActiveWorkOrders);
            if (!conflicts.IsEmpty && !options.IncludeConflicted) return OfferResult.Excluded;
            var freeTime = conflicts.IsEmpty ? technician.Schedule.FreeTimeAround(_request.Window, _request.WorkOrderId) : null;
            var total = _scorer.Combine(travel, _scorer.AvailabilityScore(_request.Window, conflicts, freeTime), skills, workload);
            return _best.Offer(total, technician) ? OfferResult.Ranked : OfferResult.NotGoodEnough;
        }

        /// <summary>The selection so far, best first, each fully explained.</summary>
        public IReadOnlyList<MatchResult> Results()
        {
            if (_best is null) return [];
            var winners = _best.InOrder();
            var results = new MatchResult[winners.Count];
            for (var i = 0; i < winners.Count; i++) results[i] = _scorer.Evaluate(_request, winners[i]);
            return results;
        }
    }

    private static Booking AsBooking(MatchRequest request) => new(request.WorkOrderId, request.Window, request.Site);

    /// <summary>
    /// The rules that need no schedule. With a null <paramref name="exclusions"/> list it stops at the first
    /// failure and allocates nothing, for the hot path.
    /// </summary>
    private static bool CheckProfile(MatchRequest request, TechnicianSummary technician, List<MatchExclusion>? exclusions)
    {
        var ok = true;
        if (!technician.IsActive)
        {
            if (exclusions is null) return false;
            exclusions.Add(new MatchExclusion(MatchExclusionKind.Inactive, "inactive"));
            ok = false;
        }
        if (!technician.IsField)
        {
            if (exclusions is null) return false;
            exclusions.Add(new MatchExclusion(MatchExclusionKind.NotFieldTechnician, "does not have the Field role"));
            ok = false;
        }
        foreach (var skill in request.RequiredSkills)
        {
            if (Holds(technician.Skills, skill)) continue;
            if (exclusions is null) return false;
            exclusions.Add(new MatchExclusion(MatchExclusionKind.MissingSkill, $"missing skill {skill}"));
            ok = false;
        }
        foreach (var required in request.RequiredCertifications)
        {
            var certification = BestCertification(technician.Certifications, required);
            if (certification is not null && certification.IsValidThrough(request.Window.End)) continue;
            if (exclusions is null) return false;
            exclusions.Add(certification switch
            {
                null => new MatchExclusion(MatchExclusionKind.MissingCertification, $"missing certification {required}"),
                { ExpiresAt: { } expired } when expired <= request.AsOf =>
                    new MatchExclusion(MatchExclusionKind.ExpiredCertification, $"certification {required} expired {expired.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}"),
                { ExpiresAt: var expires } =>
                    new MatchExclusion(MatchExclusionKind.ExpiredCertification, $"certification {required} expires {expires?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}, before the job ends"),
            });
            ok = false;
        }
        return ok;
    }

    private static bool IsAtActiveLimit(TechnicianSummary technician, string workOrderId) =>
        technician.Schedule.Capacity.MaxActiveWorkOrders is { } max &&
        technician.ActiveWorkOrders >= max &&
        technician.Schedule.Find(workOrderId) is null;

    private static bool Holds(ImmutableArray<string> skills, string skill)
    {
        foreach (var held in skills)
            if (string.Equals(held, skill, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>A renewed certification may be listed more than once; the one lasting longest counts.</summary>
    private static Certification? BestCertification(ImmutableArray<Certification> certifications, string name)
    {
        Certification? best = null;
        foreach (var certification in certifications)
        {
            if (!string.Equals(certification.Name, name, StringComparison.OrdinalIgnoreCase)) continue;
            if (certification.ExpiresAt is null) return certification;
            if (best is null || certification.ExpiresAt > best.ExpiresAt) best = certification;
        }
        return best;
    }

    /// <summary>Required skills are all present by now, so only preferred skills move this score.</summary>
    private static double SkillScore(MatchRequest request, TechnicianSummary technician)
    {
        var required = request.RequiredSkills.Length;
        var preferred = request.PreferredSkills.Length;
        if (required + preferred == 0) return 1;
        var preferredHeld = 0;
        foreach (var skill in request.PreferredSkills)
            if (Holds(technician.Skills, skill)) preferredHeld++;
        return (double)(required + preferredHeld) / (required + preferred);
    }

    /// <summary>Half active orders, half time booked today, each against the technician's limit or a full load.</summary>
    public double WorkloadScore(TechnicianSummary technician)
    {
        var capacity = technician.Schedule.Capacity;
        var fullOrders = capacity.MaxActiveWorkOrders ?? _options.FullLoadActiveOrders;
        var fullDay = capacity.MaxBookedTimePerDay ?? _options.FullLoadBookedPerDay;
        var orders = 1 - Math.Clamp((double)technician.ActiveWorkOrders / fullOrders, 0, 1);
        var hours = 1 - Math.Clamp(technician.BookedToday / fullDay, 0, 1);
        return (orders + hours) / 2;
    }

    /// <summary>
    /// Travel from where the technician will be: a fresh GPS fix, unless a job booked before this window ends
    /// after that fix (they will have driven there by then); else that previous job's site; else home base.
    /// </summary>
    private (TimeSpan? Time, TravelOrigin Origin) Travel(MatchRequest request, TechnicianSummary technician)
    {
        if (request.Site is not { } site) return (null, TravelOrigin.Unknown);

        var previous = technician.Schedule.PreviousBooking(request.Window.Start, request.WorkOrderId);
        var previousSite = previous is { Site: { } ps } && previous.Window.End >= request.Window.Start - _options.PreviousJobLookback
            ? ps
            : (GeoPoint?)null;
        var fixFresh = technician is { LastLocation: not null, LastLocationAt: { } fixAt } && request.AsOf - fixAt <= _options.LocationFreshness;

        if (fixFresh && (previousSite is null || previous!.Window.End <= technician.LastLocationAt))
            return (Checker.Travel.Estimate(technician.LastLocation!.Value, site), TravelOrigin.CurrentLocation);
        if (previousSite is { } from)
            return (Checker.Travel.Estimate(from, site), TravelOrigin.PreviousJob);
        return technician.HomeBase is { } home
            ? (Checker.Travel.Estimate(home, site), TravelOrigin.HomeBase)
            : (null, TravelOrigin.Unknown);
    }

    /// <summary>Unknown travel is neutral: it neither helps nor hurts anyone.</summary>
    private double TravelScore(TimeSpan? travel)
    {
        if (travel is not { } time) return 0.5;
        var half = _options.TravelTimeForHalfScore.TotalSeconds;
        return half / (half + time.TotalSeconds);
    }

    /// <summary>Free in the window earns most of it; room after the job to run over earns the rest.</summary>
    private double AvailabilityScore(TimeWindow window, ImmutableArray<ScheduleConflict> conflicts, TimeWindow? freeTime)
    {
        if (!conflicts.IsEmpty || freeTime is not { } free) return 0;
        var roomAfter = free.End - window.End;
        return 0.6 + 0.4 * Math.Clamp(roomAfter / _options.OverrunAllowance, 0, 1);
    }

    private double Combine(double travel, double availability, double skills, double workload)
    {
        var w = _options.Weights;
        return 100 * (w.Travel * travel + w.Availability * availability + w.Skills * skills + w.Workload * workload) / _weightSum;
    }

    private static string DescribeFit(
        MatchRequest request, TechnicianSummary technician, TimeSpan? travelTime, TravelOrigin origin,
        TimeWindow? freeTime, ImmutableArray<ScheduleConflict> conflicts)
    {
        var zone = technician.Schedule.TimeZone;
        var parts = new List<string>(4)
        {
            travelTime is { } t
                ? Describe.Duration(t) + " away" + origin switch
                {
                    TravelOrigin.PreviousJob => " from previous job",
                    TravelOrigin.HomeBase => " from home base",
                    _ => "",
                }
                : "travel time unknown",
        };
        if (freeTime is { } free) parts.Add("free " + Describe.ShortWindow(free, zone));
        else if (!conflicts.IsEmpty) parts.Add($"{conflicts.Length} conflict{(conflicts.Length == 1 ? "" : "s")}: {conflicts[0].Description}");

        if (!request.RequiredSkills.IsEmpty) parts.Add("has " + string.Join(", ", request.RequiredSkills));
        var preferred = request.PreferredSkills.Where(s => Holds(technician.Skills, s)).ToList();
        if (preferred.Count > 0) parts.Add("also " + string.Join(", ", preferred));

        var orders = technician.ActiveWorkOrders;
        parts.Add($"{orders} active order{(orders == 1 ? "" : "s")}");
        return string.Join(", ", parts);
    }

    /// <summary>
    /// A bounded min-heap of the best candidates seen so far: the root is the worst of them, the one the next
    /// better candidate replaces. O(total · log n) instead of sorting every candidate.
    /// </summary>
    private sealed class BestSoFar(int capacity)
    {
        private readonly (double Total, TechnicianSummary Technician)[] _heap = new (double, TechnicianSummary)[capacity];
        private int _count;

        public bool IsFull => _count == _heap.Length;

        /// <summary>Whether a candidate with this total and id would make the cut.</summary>
        public bool WouldAdmit(double total, string id) => !IsFull || IsBetter(total, id, _heap[0].Total, _heap[0].Technician.Id);

        /// <summary>The total of the weakest candidate held (meaningful once full).</summary>
        public double WorstTotal => _count == 0 ? double.NegativeInfinity : _heap[0].Total;

        public bool Offer(double total, TechnicianSummary technician)
        {
            if (!IsFull)
            {
                _heap[_count] = (total, technician);
                SiftUp(_count++);
                return true;
            }
            if (IsBetter(total, technician.Id, _heap[0].Total, _heap[0].Technician.Id))
            {
                _heap[0] = (total, technician);
                SiftDown(0);
                return true;
            }
            return false;
        }

        public List<TechnicianSummary> InOrder()
        {
            var entries = _heap.AsSpan(0, _count).ToArray();
            Array.Sort(entries, static (a, b) =>
                IsBetter(a.Total, a.Technician.Id, b.Total, b.Technician.Id) ? -1 :
                IsBetter(b.Total, b.Technician.Id, a.Total, a.Technician.Id) ? 1 : 0);
            return entries.Select(e => e.Technician).ToList();
        }

        private static bool IsBetter(double total, string id, double otherTotal, string otherId) =>
            total > otherTotal || (total == otherTotal && string.CompareOrdinal(id, otherId) < 0);

        private bool IsWorse(int a, int b) => IsBetter(_heap[b].Total, _heap[b].Technician.Id, _heap[a].Total, _heap[a].Technician.Id);

        private void SiftUp(int index)
        {
            while (index > 0)
            {
                var parent = (index - 1) / 2;
                if (!IsWorse(index, parent)) return;
                (_heap[index], _heap[parent]) = (_heap[parent], _heap[index]);
                index = parent;
            }
        }

        private void SiftDown(int index)
        {
            while (true)
            {
                var worst = index;
                var left = 2 * index + 1;
                var right = left + 1;
                if (left < _count && IsWorse(left, worst)) worst = left;
                if (right < _count && IsWorse(right, worst)) worst = right;
                if (worst == index) return;
                (_heap[index], _heap[worst]) = (_heap[worst], _heap[index]);
                index = worst;
            }
        }
    }
}
