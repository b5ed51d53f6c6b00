using System.Diagnostics;
using System.Text.Json;

namespace Dispatch.Simulator.Infrastructure;

/// <summary>
/// Runs wrk (the Debian package, /usr/bin/wrk) with deploy/bench/ingest.lua and reads the JSON line its <c>done</c>
/// prints. Optional: the simulator's own client works everywhere, wrk only where it is installed.
/// </summary>
public static class Wrk
{
    public static string Path => Environment.GetEnvironmentVariable("WRK") ?? "/usr/bin/wrk";

    public static bool Available => File.Exists(Path);

    public static string Script => System.IO.Path.Combine(LocalServer.RepositoryRoot(), "deploy", "bench", "ingest.lua");

    public static async Task<WrkResult> RunAsync(string name, Uri url, string credentialsFile, int batch, int connections, int threads,
        TimeSpan duration, TimeSpan warmup)
    {
        if (warmup > TimeSpan.Zero)
            await RunOnceAsync(url, credentialsFile, batch, connections, threads, warmup);
        Progress.Note($"[{name}] wrk -t{threads} -c{connections} -d{duration.TotalSeconds:0}s (batch {batch}) …");
        var (json, command) = await RunOnceAsync(url, credentialsFile, batch, connections, threads, duration);
        var wrk = json.GetProperty("wrk");
        var seconds = wrk.GetProperty("durationUs").GetDouble() / 1e6;
        var requests = wrk.GetProperty("requests").GetInt64();
        var errors = wrk.GetProperty("errors");
        long errorCount = 0;
        foreach (var e in errors.EnumerateObject())
            errorCount += e.Value.GetInt64();
        var latency = wrk.GetProperty("latencyUs");
        double Ms(string p) => Math.Round(latency.GetProperty(p).GetDouble() / 1000, 3);
        var requestsPerSecond = Math.Round(requests / seconds);
        var ok = requests - errors.GetProperty("status").GetInt64();
        return new WrkResult(name, command, connections, threads, Math.Round(seconds, 2), requestsPerSecond, Math.Round(ok * batch / seconds),
            new LatencySummary(requests, errorCount, Ms("p50"), Ms("p90"), Ms("p99"), Ms("max")));
    }

    private static async Task<(JsonElement Json, string Command)> RunOnceAsync(Uri url, string credentialsFile, int batch, int connections, int threads, TimeSpan duration)
    {
        var info = new ProcessStartInfo(Path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string[] args = [$"-t{threads}", $"-c{connections}", $"-d{Math.Max(1, (int)duration.TotalSeconds)}s", "-s", Script, url.ToString(), "--", credentialsFile,
            batch.ToString(System.Globalization.CultureInfo.InvariantCulture), threads.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        foreach (var a in args)
            info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("wrk did not start.");
        var stdout = await process.StandardOutput.ReadToEndAsync();
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var line = stdout.Split('\n').FirstOrDefault(l => l.StartsWith("{\"wrk\"", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"wrk printed no result (exit {process.ExitCode}):\n{stdout}\n{stderr}");
        return (JsonDocument.Parse(line).RootElement.Clone(), "wrk " + string.Join(' ', args));
    }
}

public sealed record WrkResult(string Name, string Command, int Connections, int Threads, double Seconds, double RequestsPerSecond,
    double FixesPerSecond, LatencySummary Latency);
