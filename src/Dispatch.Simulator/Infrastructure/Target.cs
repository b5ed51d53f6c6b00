namespace Dispatch.Simulator.Infrastructure;

/// <summary>
/// The server a scenario drives: <c>--url</c> and <c>--token</c> (a dispatcher's) for a running one, or
/// <c>--start-local</c> for a fresh local one that this run starts, measures (RSS) and stops.
/// </summary>
public sealed class Target : IAsyncDisposable
{
    /// <summary>A local server is started with a larger alias limit so seeding sends bigger batches (configuration, not a shortcut).</summary>
    public const int LocalMaxAliases = 300;

    /// <summary>
    /// What every local server is started with: seeding batches of up to <see cref="LocalMaxAliases"/> aliased mutations,
    /// no per-user rate limit, and no practical per-user socket limit, since a simulated office drives hundreds of requests
    /// per second and S2's 51 dashboards with one token.
    /// </summary>
    public static readonly string[] LocalServerArguments =
        [$"--Dispatch:GraphQL:MaxAliases={LocalMaxAliases}", "--Dispatch:Limits:RequestsPerSecond=0", "--Dispatch:Limits:WebSocketsPerUser=100000"];

    private Target(Uri url, string token, LocalServer? local, int maxAliases)
    {
        MaxAliases = maxAliases;
        Url = url;
        DispatcherToken = token;
        Local = local;
    }

    public Uri Url { get; }

    public int MaxAliases { get; }

    public string DispatcherToken { get; }

    /// <summary>Set when this run started the server: memory readings and any token are available.</summary>
    public LocalServer? Local { get; }

    /// <summary>
    /// Opens the target. <paramref name="localConfiguration"/> is applied only to a server this run starts (a running
    /// server keeps its own configuration, which the result then reports as unknown).
    /// </summary>
    public static async Task<Target> OpenAsync(Arguments options, IEnumerable<string>? localConfiguration = null)
    {
        if (options.Flag("start-local"))
        {
            Progress.Note("starting a local server (Release build, embedded SQLite)…");
            var local = await LocalServer.StartAsync(options.Text("data"), [.. LocalServerArguments, .. localConfiguration ?? [], .. options.All("server-arg").Select(a => a.StartsWith("--", StringComparison.Ordinal) ? a : "--" + a)]);
            Progress.Note($"local server pid {local.ProcessId} at {local.Url}");
            // Admin: the scenarios register devices (admins only) as well as dispatch (admins and dispatchers).
            return new Target(local.Url, local.Token("sim-admin", "Admin"), local, LocalMaxAliases);
        }

        var url = options.Text("url") ?? throw new ArgumentException("Give --url URL --token JWT for a running server, or --start-local.");
        var token = options.Text("token") ?? throw new ArgumentException("--token (an admin's JWT, or DISPATCH_TOKEN) is required with --url.");
        return new Target(new Uri(url), token, null, options.Int("max-aliases", 30));
    }

    /// <summary>A server started elsewhere in this run (the demo), not disposed by the target.</summary>
    public static Task<Target> ForLocalAsync(LocalServer server, string token) => Task.FromResult(new Target(server.Url, token, null, LocalMaxAliases));

    public GraphQLClient GraphQL(int connections) => GraphQLClient.Create(Url, DispatcherToken, connections, MaxAliases);

    public MemorySample? ServerMemory() => Local?.Memory();

    public ValueTask DisposeAsync() => Local?.DisposeAsync() ?? ValueTask.CompletedTask;
}

/// <summary>One live line on stderr while something runs; notes on their own lines.</summary>
public static class Progress
{
    private static readonly object Gate = new();

    public static void Note(string message)
    {
        lock (Gate)
            Console.Error.WriteLine(message);
    }

    public static void Line(string message)
    {
        lock (Gate)
            Console.Error.Write("\r" + message + "   ");
    }

    public static void EndLine()
    {
        lock (Gate)
            Console.Error.WriteLine();
    }
}
