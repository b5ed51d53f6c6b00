using System.Text.Json;
using System.Text.Json.Serialization;
using Dispatch.Simulator.Infrastructure;
using Dispatch.Simulator.Scenarios;

namespace Dispatch.Simulator;

/// <summary>The command line; tests call <see cref="RunAsync"/> with the same arguments a person types.</summary>
public static class SimulatorCli
{
    public const string Usage = """
        Commands (results are JSON on stdout; a live progress line goes to stderr):
          scenario S1|S2|S3|S4|S5  (--start-local [--data DIR] | --url URL --token JWT)  [scenario options]
              S1  ingest fixes/s unbatched and in batches of 20, and the ratio to a no-op POST driven by the same client
                  [--client http|wrk] [--devices 1000] [--connections 64] [--seconds 10] [--batch 20] [--warmup 30]
              S2  device-to-subscriber latency at a fixed fix rate with bounding-box subscribers, and memory with one stalled
                  [--rate 5000] [--devices 1000] [--subscribers 50] [--seconds 15] [--warmup 30] [--no-stalled]
              S3  GraphQL read paths and best match over a fleet   [--technicians 10000] [--connections 16] [--seconds 10]
              S4  dispatch with conflict checks through GraphQL and in-process, and the 200-way race
                  [--technicians 1000] [--dispatches 20000] [--connections 32] [--race 200] [--in-process-dispatches 50000]
              S5  scale: stored counts, RSS with technicians and work orders active, restart to ready, index complete after ready
                  [--technicians 100000] [--work-orders 1000000] [--active-work-orders 200000] (use --data DIR to keep the seed)
          seed      (--start-local --data DIR | --url URL --token JWT) [--technicians 1000] [--work-orders 5000]
                    [--cities Houston,Chicago] [--radius 0.4] [--devices] [--prefix sim]
          live      (--start-local | --url URL --token JWT) [--technicians 200] [--seconds 60] [--dashboards 3] [--cities Houston]
          demo      starts a local server and runs a live city until Ctrl+C; prints the URL and a dispatcher token
          ceiling-http   [--connections 64] [--seconds 10] [--body-bytes 2700]   no-op Kestrel POST driven by this client
          ceiling-grain  [--grains 10000] [--concurrency 1000] [--seconds 10]  trivial grain calls on an in-process silo
          ceiling-write  [--grains 10000] [--concurrency 256] [--payload-bytes 1000] [--seconds 10]  durable grain writes, in process, embedded SQLite
          graphql   the S3 read paths alone (same options as S3)
        S1-S4 also drive the no-op POST with the same client (the ceiling beside their figures; S4 adds in-process grain
        calls, and durable grain writes when its in-process leg stores on the embedded file): [--no-ceiling] [--ceiling-seconds 5].
        --token is an admin's JWT (scenarios register devices, which is for admins). Local servers are the Release build of src/Dispatch.Server (built with the simulator); --server-arg KEY=VALUE adds
        configuration to them.
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // ">=" stays readable; output is never HTML
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, CancellationToken cancellationToken = default)
    {
        if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
        {
            stdout.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        var command = args[0];
        var rest = args[1..];
        if (command == "scenario")
        {
            if (rest.Length == 0)
                throw new ArgumentException("Name a scenario: S1, S2, S3, S4 or S5.");
            command = rest[0].ToUpperInvariant();
            rest = rest[1..];
        }

        var options = new Arguments(rest);
        object result = command switch
        {
            "S1" => await S1Ingest.RunAsync(options),
            "S2" => await S2Live.RunAsync(options),
            "S3" or "graphql" => await GraphQLQueries.RunAsync(options),
            "S4" => await S4Dispatch.RunAsync(options),
            "S5" => await S5Scale.RunAsync(options),
            "seed" => await Seed.RunAsync(options),
            "live" => await Live.RunAsync(options, cancellationToken),
            "demo" => await Live.DemoAsync(options, cancellationToken),
            "ceiling-http" => await Ceiling.NoOpHttpAsync(options.Int("connections", 64), options.Seconds("seconds", 10), options.Int("body-bytes", 2700)),
            "ceiling-grain" => await Ceiling.GrainCallsAsync(options.Int("grains", 10_000), options.Int("concurrency", 1000), options.Seconds("seconds", 10)),
            "ceiling-write" => await Ceiling.GrainWritesAsync(options.Int("grains", 10_000), options.Int("concurrency", 256), options.Int("payload-bytes", 1000),
                options.Seconds("seconds", 10)),
            _ => throw new ArgumentException($"Unknown command '{args[0]}'.\n{Usage}"),
        };

        stdout.WriteLine(JsonSerializer.Serialize(new { command, machine = Machine.Describe(), at = DateTimeOffset.UtcNow, result }, Json));
        return 0;
    }
}
