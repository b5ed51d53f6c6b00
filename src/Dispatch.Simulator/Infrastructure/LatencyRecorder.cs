using System.Diagnostics;

namespace Dispatch.Simulator.Infrastructure;

/// <summary>
/// Collects per-operation latencies without locks on the hot path (one buffer per worker), then merges them for exact
/// percentiles. Exact rather than a histogram: runs are short and a few million longs are cheap.
/// </summary>
public sealed class LatencyRecorder
{
    private readonly List<Worker> _workers = [];
    private long _errors;

    public Worker NewWorker()
    {
        var worker = new Worker();
        lock (_workers)
        {
            _workers.Add(worker);
        }

        return worker;
    }

    public long Count
    {
        get
        {
            lock (_workers)
            {
                return _workers.Sum(w => (long)w.Samples.Count);
            }
        }
    }

    public long Errors => Interlocked.Read(ref _errors);

    public void Error() => Interlocked.Increment(ref _errors);

    public LatencySummary Summarize()
    {
        long[] all;
        lock (_workers)
        {
            all = _workers.SelectMany(w => w.Samples).ToArray();
        }

        Array.Sort(all);
        return LatencySummary.From(all, Errors);
    }

    public sealed class Worker
    {
        internal List<long> Samples { get; } = new(1 << 16);

        public void Record(long startTimestamp) => Samples.Add(Stopwatch.GetElapsedTime(startTimestamp).Ticks);

        public void Record(TimeSpan elapsed) => Samples.Add(elapsed.Ticks);
    }
}

public sealed record LatencySummary(long Count, long Errors, double P50Ms, double P90Ms, double P99Ms, double MaxMs)
{
    public static LatencySummary From(long[] sortedTicks, long errors)
    {
        double At(double quantile) => sortedTicks.Length == 0
            ? 0
            : TimeSpan.FromTicks(sortedTicks[Math.Min(sortedTicks.Length - 1, (int)Math.Ceiling(quantile * sortedTicks.Length) - 1)]).TotalMilliseconds;
        return new LatencySummary(sortedTicks.Length, errors, Round(At(0.50)), Round(At(0.90)), Round(At(0.99)),
            Round(sortedTicks.Length == 0 ? 0 : TimeSpan.FromTicks(sortedTicks[^1]).TotalMilliseconds));
    }

    private static double Round(double value) => Math.Round(value, 3);
}
