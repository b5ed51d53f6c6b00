using Dispatch.Simulator;

// Dispatch.Simulator: seeds tenants, drives live operations and the DESIGN.md scenarios, prints one JSON result.
//   dotnet run -c Release --project src/Dispatch.Simulator -- <command> [--options]
return await SimulatorCli.RunAsync(args, Console.Out);
