using System.Text.Json;
using Dispatch.Testing;
using Dispatch.GraphQL.Transport.Tests.Support;

namespace Dispatch.GraphQL.Transport.Tests;

/// <summary>Third-party clients against the test server: the graphql-http audit suite and the graphql-ws client.</summary>
public sealed class EndToEndTests(TestServer server)
{
    [Fact]
    public async Task Graphql_http_audit_has_no_must_failures_or_should_warnings()
    {
        var (exitCode, output) = await RunNodeAsync("audit.mjs", server.GraphQL.ToString());
        TestContext.Current.SendDiagnosticMessage(output);
        var summary = output.Split('\n').Single(l => l.StartsWith("AUDIT_JSON "))["AUDIT_JSON ".Length..];
        var counts = JsonDocument.Parse(summary).RootElement;
        Assert.True(exitCode == 0, output);
        Assert.Equal(0, counts.GetProperty("MUST").GetProperty("fail").GetInt32());
        Assert.Equal(0, counts.GetProperty("SHOULD").GetProperty("fail").GetInt32());
        Assert.Equal(13, counts.GetProperty("MUST").GetProperty("pass").GetInt32());
    }

    [Fact]
    public async Task Graphql_ws_client_receives_events_and_completion()
    {
        var (exitCode, output) = await RunNodeAsync("ws-client.mjs",
            server.WebSocketUri().ToString(), "subscription { ticks(count: 3) }", "3", "{\"token\":\"valid\"}");
        Assert.True(exitCode == 0, output);
        Assert.Contains("received 3 events then complete", output);
    }

    private static Task<(int ExitCode, string Output)> RunNodeAsync(string script, params string[] args) =>
        NodeE2E.RunAsync(script, args);
}
