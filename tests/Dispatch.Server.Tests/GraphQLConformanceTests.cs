using System.Text.Json;
using Dispatch.Testing;

namespace Dispatch.Server.Tests;

/// <summary>
/// Third-party GraphQL clients against the real Dispatch server (not just the transport's test schema). The graphql-http
/// audit introspects (<c>__type</c>), so this server has introspection on.
/// </summary>
public class GraphQLConformanceTests(IntrospectableServer server) : IClassFixture<IntrospectableServer>
{
    [Fact]
    public async Task Graphql_http_audit_passes_every_must_and_should()
    {
        var (exitCode, output) = await NodeE2E.RunAsync("audit.mjs", new Uri(server.Process.BaseAddress, "/graphql").ToString());

        var summary = output.Split('\n').Single(l => l.StartsWith("AUDIT_JSON "))["AUDIT_JSON ".Length..];
        var counts = JsonDocument.Parse(summary).RootElement;
        Assert.True(exitCode == 0, output);
        Assert.Equal((13, 0), (counts.GetProperty("MUST").GetProperty("pass").GetInt32(), counts.GetProperty("MUST").GetProperty("fail").GetInt32()));
        Assert.Equal(0, counts.GetProperty("SHOULD").GetProperty("fail").GetInt32());
    }

    [Fact]
    public async Task Huge_documents_and_variables_are_refused_before_execution()
    {
        using var client = server.Process.AuthorizedClient(await server.TokenAsync("big", "Dispatcher"));
        var hugeNote = new string('x', 2 * 1024 * 1024);

        using var response = await client.PostAsync("/graphql", new StringContent(
            JsonSerializer.Serialize(new { query = "mutation($n: String!) { addWorkOrderNote(input: { id: \"wo-x\", note: $n }) { id } }", variables = new { n = hugeNote } }),
            System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(413, (int)response.StatusCode);
    }
}
