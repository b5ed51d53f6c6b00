using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Dispatch.Simulator.Infrastructure;

/// <summary>
/// The ceiling: a Kestrel endpoint that reads the body and answers 200, nothing else. Driving it with the same client
/// and the same payload as a scenario shows how much of a scenario's cost is the machine and the client, not Dispatch.
/// </summary>
public sealed class NoOpServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private NoOpServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<NoOpServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapPost("/noop", async (HttpRequest request) =>
        {
            // Read the whole body, as a real endpoint must, then answer with a small fixed payload.
            var buffer = new byte[8192];
            while (await request.Body.ReadAsync(buffer) > 0)
            {
            }

            return Results.Text("{\"accepted\":1}", "application/json");
        });
        await app.StartAsync();
        var address = new Uri(app.Urls.First());
        return new NoOpServer(app, address);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
