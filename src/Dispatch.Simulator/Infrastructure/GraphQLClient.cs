using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dispatch.Simulator.Infrastructure;

/// <summary>GraphQL over plain HTTP, as any client would speak it; one pooled HttpClient per simulator run.</summary>
public sealed class GraphQLClient(HttpClient http)
{
    public static GraphQLClient Create(Uri baseAddress, string? token, int connections)
    {
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
        var http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return new GraphQLClient(http);
    }

    public HttpClient Http => http;

    /// <summary>Runs an operation; GraphQL errors come back as <see cref="GraphQLException"/> with their code.</summary>
    public async Task<JsonElement> RunAsync(string query, object? variables = null, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject { ["query"] = query };
        if (variables is not null)
        {
            body["variables"] = JsonSerializer.SerializeToNode(variables);
        }

        using var response = await http.PostAsJsonAsync("/graphql", body, cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
        var root = document.RootElement;
        if (root.TryGetProperty("errors", out var errors))
        {
            var first = errors[0];
            var code = first.TryGetProperty("extensions", out var ext) && ext.TryGetProperty("code", out var c) ? c.GetString() : null;
            throw new GraphQLException(code, first.GetProperty("message").GetString() ?? "GraphQL error");
        }

        return root.GetProperty("data").Clone();
    }
}

public sealed class GraphQLException(string? code, string message) : Exception(message)
{
    public string? Code { get; } = code;
}
