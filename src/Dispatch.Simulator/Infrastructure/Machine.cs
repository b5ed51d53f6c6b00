namespace Dispatch.Simulator.Infrastructure;

/// <summary>What the numbers were measured on; every result carries it.</summary>
public static class Machine
{
    public static object Describe() => new
    {
        cores = Environment.ProcessorCount,
        os = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
        runtime = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
        cpu = CpuModel(),
        memoryGiB = Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024), 1),
    };

    private static string? CpuModel()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }
}
