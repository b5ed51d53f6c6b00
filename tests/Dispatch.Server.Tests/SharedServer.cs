namespace Dispatch.Server.Tests;

/// <summary>One embedded server shared by a test class whose tests use unique ids and do not restart it.</summary>
public sealed class SharedServer : IAsyncLifetime
{
    private readonly EmbeddedServer _server = EmbeddedServer.InNewDirectory();

    public Dispatch.Testing.ServerProcess Process => _server.Process;

    public Task<string> TokenAsync(string user, string role, string tenant = "default") => _server.TokenAsync(user, role, tenant);

    public async ValueTask InitializeAsync() => await _server.StartAsync();

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
