using BenchmarkDotNet.Attributes;
using Dispatch.Domain.Matching;

namespace Dispatch.Benchmarks;

/// <summary>Best match over a whole fleet, without the geographic index narrowing the candidates first.</summary>
[MemoryDiagnoser]
public class MatchScoringBenchmarks
{
    private readonly MatchScorer _scorer = new();
    private List<TechnicianSummary> _fleet = [];
    private MatchRequest _request = SyntheticFleet.Request();

    [Params(10_000, 100_000)]
    public int Technicians { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _fleet = SyntheticFleet.Technicians(Technicians);
        _request = SyntheticFleet.Request();
    }

    [Benchmark]
    public IReadOnlyList<MatchResult> TopN10() => _scorer.TopN(_request, _fleet, 10);

    /// <summary>What TopN saves: explain every candidate, then sort them all.</summary>
    [Benchmark]
    public List<MatchResult> ScoreAllThenSort() =>
        _fleet.Select(t => _scorer.Evaluate(_request, t)).Where(r => r.IsEligible)
            .OrderByDescending(r => r.Total).ThenBy(r => r.TechnicianId, StringComparer.Ordinal).Take(10).ToList();
}
