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
