using System.Text.Json;
using Dispatch.Simulator.Infrastructure;
using Dispatch.Simulator.Scenarios;

// Dispatch.Simulator: seeds tenants, drives load scenarios against a running server, prints one JSON result.
//   dotnet run --project src/Dispatch.Simulator -c Release -- <command> [--options]
const string usage = """
    Commands:
      ceiling-http  [--connections 64] [--seconds 10] [--body-bytes 2700]   no-op Kestrel endpoint driven by this client
      graphql       --url URL --token JWT [--technicians 10000] [--connections 16] [--seconds 10]
                    seeds a fleet and 50 work orders, then measures workOrder, workOrders(first: 50) and suggestTechnicians
    Results are printed as JSON on stdout; progress goes to stderr.
    """;

if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
{
    Console.WriteLine(usage);
    return args.Length == 0 ? 2 : 0;
}

var options = new Arguments(args[1..]);
object result = args[0] switch
{
    "ceiling-http" => await Ceiling.NoOpHttpAsync(options.Int("connections", 64), options.Seconds("seconds", 10), options.Int("body-bytes", 2700)),
    "graphql" => await GraphQLQueries.RunAsync(options),
    _ => throw new ArgumentException($"Unknown command '{args[0]}'.\n{usage}"),
};

var json = JsonSerializer.Serialize(new { command = args[0], machine = Machine.Describe(), at = DateTimeOffset.UtcNow, result },
    new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true });
Console.WriteLine(json);
return 0;
