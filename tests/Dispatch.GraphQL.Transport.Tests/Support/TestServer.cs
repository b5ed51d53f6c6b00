using System.Security.Claims;
using GraphQL;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

[assembly: AssemblyFixture(typeof(Dispatch.GraphQL.Transport.Tests.Support.TestServer))]

namespace Dispatch.GraphQL.Transport.Tests.Support;

/// <summary>
/// The test schema on a real Kestrel server on a free loopback port, shared by all tests. Endpoints:
/// <list type="bullet">
/// <item><c>/graphql</c>: defaults plus a token auth hook (<c>valid</c>, <c>expiring</c>), 16 KiB bodies, 1 s init timeout,
/// 3 operations per socket, a small send queue.</item>
/// <item><c>/graphql/open</c>: CSRF guard off, no auth hook, 300 ms keep-alive, 500 ms operation timeout.</item>
/// </list>
/// </summary>
public sealed class TestServer : IAsyncLifetime
{
    public const int MaxBodyBytes = 16 * 1024;
    public const int MaxQueryLength = 4000;
    public const string AllowedOrigin = "https://app.example";

    private WebApplication? _app;

    public Uri BaseAddress { get; private set; } = null!;

    public Uri GraphQL => new(BaseAddress, "/graphql");

    public Uri Open => new(BaseAddress, "/graphql/open");

    public Uri WebSocketUri(string path = "/graphql") =>
        new UriBuilder(BaseAddress) { Scheme = "ws", Path = path }.Uri;

    // No draining of abandoned responses: a test that drops an SSE stream must really disconnect.
    public HttpClient Http { get; } = new(new SocketsHttpHandler { MaxResponseDrainSize = 0 }) { Timeout = TimeSpan.FromSeconds(30) };

    public Counter Counter => _app!.Services.GetRequiredService<Counter>();

    public StreamRegistry Streams => _app!.Services.GetRequiredService<StreamRegistry>();

    public IServiceProvider Services => _app!.Services;

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);

        builder.Services.AddSingleton<Counter>();
        builder.Services.AddSingleton<StreamRegistry>();
        builder.Services.AddGraphQL(b => b.AddSchema<TestSchema>().AddSystemTextJson());
        builder.Services.AddGraphQLTransport(o =>
        {
            o.MaxRequestBodyBytes = MaxBodyBytes;
            o.MaxQueryLength = MaxQueryLength;
            o.BuildUserContext = (http, user, context) =>
            {
                context["user"] = user.Identity?.Name ?? "anonymous";
                return ValueTask.CompletedTask;
            };
        });

        _app = builder.Build();
        _app.MapGraphQLTransport(configure: o =>
        {
            o.ConnectionInitTimeout = TimeSpan.FromSeconds(1);
            o.MaxOperationsPerConnection = 3;
            o.SendQueueCapacity = 64;
            o.AuthenticateConnection = (http, payload) => ValueTask.FromResult(Authenticate(payload));
            o.WebSocketAllowedOrigins = [AllowedOrigin];
        });
        _app.MapGraphQLTransport("/graphql/open", o =>
        {
            o.CsrfProtection = false;
            o.KeepAliveInterval = TimeSpan.FromMilliseconds(300);
            o.OperationTimeout = TimeSpan.FromMilliseconds(500);
        });
        await _app.StartAsync();

        var address = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        BaseAddress = new Uri(address);
    }

    /// <summary>Stands in for token validation: the host decides what a connection_init payload proves.</summary>
    private static ClaimsPrincipal? Authenticate(IReadOnlyDictionary<string, object?>? payload)
    {
        var token = payload?.GetValueOrDefault("token") as string;
        if (token == "busy")
            throw new GraphQLConnectionRefusedException(4429, "Too many connections");
        return token switch
        {
            "valid" => new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "alice")], "test")),
            "expiring" => new ClaimsPrincipal(new ClaimsIdentity(
                [
                    new Claim(ClaimTypes.Name, "bob"),
                    new Claim("exp", DateTimeOffset.UtcNow.AddSeconds(1).ToUnixTimeSeconds().ToString()),
                ], "test")),
            "expired" => new ClaimsPrincipal(new ClaimsIdentity(
                [
                    new Claim(ClaimTypes.Name, "carol"),
                    new Claim("exp", DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds().ToString()),
                ], "test")),
            _ => null,
        };
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (_app != null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
