using BenchmarkDotNet.Running;
using Dispatch.Benchmarks;

// dotnet run -c Release --project tests/Dispatch.Benchmarks -- --filter '*'
// (add --job short for a quick sanity run)
// dotnet run -c Release --project tests/Dispatch.Benchmarks -- latency [calls]   per-call percentiles of indexed best match
if (args is ["latency", ..])
{
    LatencyProbe.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5000);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(SyntheticFleet).Assembly).Run(args);
