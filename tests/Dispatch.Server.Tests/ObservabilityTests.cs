using System.Collections.Concurrent;
using Dispatch.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Dispatch.Server.Tests;

/// <summary>With an OTLP endpoint configured, the server exports metrics and traces to it.</summary>
public class ObservabilityTests
{
    [Fact]
    public async Task Metrics_and_traces_reach_an_otlp_collector()
    {
        var received = new ConcurrentBag<string>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var collector = builder.Build();
        collector.MapPost("/v1/{signal}", (string signal) =>
        {
            received.Add(signal);
            return Results.Ok();
        });
        await collector.StartAsync();

        await using var server = EmbeddedServer.InNewDirectory();
        var environment = new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Urls.First(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        };
        server.Environment = environment;
        var process = await server.StartAsync();
        using var client = process.AuthorizedClient(await server.TokenAsync("otel", "Dispatcher"));
        await client.DataAsync("query { workOrder(id: \"wo-none\") { id } }");

        await Eventually.Until(() => received.Contains("metrics") && received.Contains("traces"), TimeSpan.FromSeconds(20),
            "the collector received both metrics and traces");
    }
}
