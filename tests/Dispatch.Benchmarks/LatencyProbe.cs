using System.Diagnostics;
using System.Globalization;
using Dispatch.Domain.Matching;

namespace Dispatch.Benchmarks;

/// <summary>
/// Per-call latency of indexed best match (p50/p90/p99/max), which BenchmarkDotNet's per-iteration statistics do not give:
/// <c>dotnet run -c Release --project tests/Dispatch.Benchmarks -- latency [calls]</c>.
/// </summary>
public static class LatencyProbe
{
    public static TechnicianIndex Build(int technicians, double spread)
    {
        var index = new TechnicianIndex();
        foreach (var technician in SyntheticFleet.Technicians(technicians, spreadScale: spread)) index.Upsert(technician, 1);
        return index;
    }

    public static void Run(int calls)
    {
        Console.WriteLine($"Indexed best match (top 10, 10 exclusions explained), {calls} calls per case, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        Console.WriteLine("technicians  spread  cells   p50 ms   p90 ms   p99 ms   max ms  considered(avg)");
        foreach (var technicians in new[] { 10_000, 100_000 })
        {
            foreach (var spread in new[] { 1.0, 10.0 })
            {
                var index = Build(technicians, spread);
                var requests = SyntheticFleet.Requests(256, spread, seed: 99);
                for (var i = 0; i < 500; i++) index.Suggest(requests[i % requests.Length], 10, 10); // warm up (JIT tiers)

                var samples = new double[calls];
                long considered = 0;
                for (var i = 0; i < calls; i++)
                {
                    var started = Stopwatch.GetTimestamp();
                    var result = index.Suggest(requests[i % requests.Length], 10, 10);
                    samples[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    considered += result.Considered;
                }

                Array.Sort(samples);
                double P(double q) => samples[Math.Min(samples.Length - 1, (int)Math.Ceiling(q * samples.Length) - 1)];
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{technicians,11:N0}  {spread,6:0}  {index.CellCount,5}  {P(0.50),7:0.000}  {P(0.90),7:0.000}  {P(0.99),7:0.000}  {samples[^1],7:0.000}  {considered / calls,10:N0}"));
            }
        }
    }
}
