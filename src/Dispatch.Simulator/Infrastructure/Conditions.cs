namespace Dispatch.Simulator.Infrastructure;

/// <summary>
/// The conditions a figure was taken under: load average before and after (the machine is shared; above ~1.5 on two
/// cores the figure is "under load"), and the server's memory when this run started it.
/// </summary>
public sealed class Conditions
{
    private readonly double? _loadBefore = ProcessMemory.LoadAverage();

    public object Finish(Target target) => new
    {
        loadAverageBefore = _loadBefore,
        loadAverageAfter = ProcessMemory.LoadAverage(),
        underLoad = _loadBefore is > 1.5,
        server = target.Local is { } local ? (object)new { local = true, pid = local.ProcessId, memory = local.Memory() } : new { local = false },
    };
}

/// <summary>A target and whether a figure meets it.</summary>
public sealed record TargetCheck(string Target, double Value, bool Met)
{
    public static TargetCheck AtLeast(string target, double value, double goal) => new(target, value, value >= goal);

    public static TargetCheck AtMost(string target, double value, double goal) => new(target, value, value <= goal);
}
