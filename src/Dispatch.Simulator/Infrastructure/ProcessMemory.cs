using System.Globalization;

namespace Dispatch.Simulator.Infrastructure;

/// <summary>Resident memory of a process in MiB: now (VmRSS) and its peak so far (VmHWM).</summary>
public sealed record MemorySample(double RssMiB, double PeakRssMiB);

public static class ProcessMemory
{
    public static MemorySample? Read(int pid)
    {
        if (pid <= 0)
            return null;
        try
        {
            double rss = 0, peak = 0;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    rss = Kib(line);
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    peak = Kib(line);
            }

            return new MemorySample(Math.Round(rss / 1024, 1), Math.Round(peak / 1024, 1));
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static double Kib(string line) =>
        double.Parse(line.Split(':', 2)[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture);

    /// <summary>
    /// CPU time the process has used so far (user + system, from /proc/{pid}/stat), or null. CPU per request is a figure
    /// that survives a busy machine far better than requests per second: other processes slow a run, they do not make
    /// each request cost more CPU.
    /// </summary>
    public static TimeSpan? CpuTime(int pid)
    {
        if (pid <= 0)
            return null;
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // After "pid (comm) ": state is field 3, so utime (14) and stime (15) are at 11 and 12 here; clock ticks are 100 Hz.
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return TimeSpan.FromMilliseconds(ticks * 10);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The 1-minute load average: every figure is recorded with it, since the machine is shared.</summary>
    public static double? LoadAverage()
    {
        try
        {
            return double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
