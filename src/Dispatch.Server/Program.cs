using Dispatch.Server.Cli;

// Verbs: (none) runs the server; "token", "migrate" and "seed" are operator commands (see README).
return await CommandLine.RunAsync(args);

/// <summary>Visible to the functional tests (WebApplicationFactory-style entry point discovery).</summary>
public partial class Program;
