namespace Dispatch.Server.Tests;

/// <summary>One embedded server shared by a test class whose tests use unique ids and do not restart it.</summary>
public class SharedServer : IAsyncLifetime
{
    private readonly EmbeddedServer _server = EmbeddedServer.InNewDirectory();

    public Dispatch.Testing.ServerProcess Process => _server.Process;

    /// <summary>Configuration the server starts with (subclasses set what their tests need).</summary>
    protected virtual string[] StartArguments => [];

    public Task<string> TokenAsync(string user, string role, string tenant = "default") => _server.TokenAsync(user, role, tenant);

    public async ValueTask InitializeAsync() => await _server.StartAsync(StartArguments);

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}

/// <summary>A shared server with schema introspection on (off by default outside Development), for third-party tools that introspect.</summary>
public sealed class IntrospectableServer : SharedServer
{
    protected override string[] StartArguments => ["--Dispatch:GraphQL:Introspection=true"];
}
