using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/Dispatch.Benchmarks -- --filter '*'
// (add --job short for a quick sanity run)
BenchmarkSwitcher.FromAssembly(typeof(Dispatch.Benchmarks.SyntheticFleet).Assembly).Run(args);
