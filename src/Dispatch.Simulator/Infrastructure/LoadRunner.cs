using System.Diagnostics;

namespace Dispatch.Simulator.Infrastructure;

/// <summary>
/// Closed-loop load: N workers each run an operation back to back for a duration, recording latency per call and
/// printing one live progress line (stderr) per second.
/// </summary>
public static class LoadRunner
{
    public static async Task<LoadResult> RunAsync(string name, int workers, TimeSpan duration, Func<int, long, CancellationToken, Task> operation,
        TimeSpan? warmup = null)
    {
        if (warmup is { } w && w > TimeSpan.Zero)
        {
            await RunCoreAsync(name + " warm-up", workers, w, operation, new LatencyRecorder(), quiet: true);
        }

        var recorder = new LatencyRecorder();
        var elapsed = await RunCoreAsync(name, workers, duration, operation, recorder, quiet: false);
        var summary = recorder.Summarize();
        return new LoadResult(name, workers, Math.Round(elapsed.TotalSeconds, 2), Math.Round(summary.Count / elapsed.TotalSeconds), summary);
    }

    /// <summary>
    /// Closed loop over a fixed set of operations (each index exactly once, e.g. one dispatch per prepared work order):
    /// workers take the next index until all are done. Returns the rate over the whole set.
    /// </summary>
    public static async Task<LoadResult> RunCountAsync(string name, int workers, int total, Func<int, CancellationToken, Task> operation)
    {
        var recorder = new LatencyRecorder();
        var next = -1;
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var progress = ProgressAsync(name, recorder, clock, stop.Token);
        var tasks = Enumerable.Range(0, workers).Select(async _ =>
        {
            var samples = recorder.NewWorker();
            int index;
            while ((index = Interlocked.Increment(ref next)) < total)
            {
                var start = Stopwatch.GetTimestamp();
                try
                {
                    await operation(index, CancellationToken.None);
                    samples.Record(start);
                }
                catch (Exception)
                {
                    recorder.Error();
                }
            }
        }).ToArray();
        await Task.WhenAll(tasks);
        var elapsed = clock.Elapsed;
        await stop.CancelAsync();
        await progress;
        var summary = recorder.Summarize();
        return new LoadResult(name, workers, Math.Round(elapsed.TotalSeconds, 2), Math.Round(summary.Count / elapsed.TotalSeconds), summary);
    }

    private static async Task<TimeSpan> RunCoreAsync(string name, int workers, TimeSpan duration,
        Func<int, long, CancellationToken, Task> operation, LatencyRecorder recorder, bool quiet)
    {
        using var stop = new CancellationTokenSource(duration);
        var clock = Stopwatch.StartNew();
        var progress = quiet ? Task.CompletedTask : ProgressAsync(name, recorder, clock, stop.Token);
        var tasks = Enumerable.Range(0, workers).Select(async worker =>
        {
            var samples = recorder.NewWorker();
            for (long n = 0; !stop.IsCancellationRequested; n++)
            {
                var start = Stopwatch.GetTimestamp();
                try
                {
                    await operation(worker, n, stop.Token);
                    samples.Record(start);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception)
                {
                    recorder.Error();
                }
            }
        }).ToArray();
        await Task.WhenAll(tasks);
        var elapsed = clock.Elapsed;
        await progress;
        return elapsed;
    }

    private static async Task ProgressAsync(string name, LatencyRecorder recorder, Stopwatch clock, CancellationToken stop)
    {
        long previous = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var count = recorder.Count;
                Console.Error.Write($"\r[{name}] {clock.Elapsed.TotalSeconds,5:0}s {count,10:N0} ops {count - previous,8:N0}/s errors {recorder.Errors}   ");
                previous = count;
            }
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine();
        }
    }
}

public sealed record LoadResult(string Name, int Workers, double Seconds, double PerSecond, LatencySummary Latency);
