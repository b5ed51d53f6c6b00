using BenchmarkDotNet.Attributes;
using Dispatch.Domain.Matching;

namespace Dispatch.Benchmarks;

/// <summary>
/// Best match through the geo-partitioned <see cref="TechnicianIndex"/> (what the technician index grain runs), over a
/// metro fleet and a fleet spread over a region ten times as wide. Each call takes the next of 64 job sites spread like
/// the fleet, so the mean covers near-centre and edge sites alike. Per-call percentiles: see <see cref="LatencyProbe"/>.
/// </summary>
[MemoryDiagnoser]
public class IndexedMatchBenchmarks
{
    private TechnicianIndex _index = null!;
    private MatchRequest[] _requests = [];
    private int _next;

    [Params(10_000, 100_000)]
    public int Technicians { get; set; }

    /// <summary>1: a metro area (±0.4°); 10: a region (±4°).</summary>
    [Params(1.0, 10.0)]
    public double Spread { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _index = LatencyProbe.Build(Technicians, Spread);
        _requests = SyntheticFleet.Requests(64, Spread);
    }

    [Benchmark]
    public IndexedSuggestion Suggest10() => _index.Suggest(_requests[_next++ & 63], 10, explainExcluded: 10);
}
