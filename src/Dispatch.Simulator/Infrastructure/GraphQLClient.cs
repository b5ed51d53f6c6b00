using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dispatch.Simulator.Infrastructure;

/// <summary>GraphQL over plain HTTP, as any client would speak it; one pooled HttpClient per simulator run.</summary>
public sealed class GraphQLClient(HttpClient http)
{
    public static GraphQLClient Create(Uri baseAddress, string? token, int connections, int maxAliases = 30)
    {
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
        var http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return new GraphQLClient(http) { MaxAliases = maxAliases };
    }

    public HttpClient Http => http;

    /// <summary>
    /// Most aliased fields the server accepts in one document (<c>Dispatch:GraphQL:MaxAliases</c>, 30 by default); batched
    /// mutations and reads stay within it.
    /// </summary>
    public int MaxAliases { get; init; } = 30;

    /// <summary>Runs an operation; GraphQL errors come back as <see cref="GraphQLException"/> with their code.</summary>
    public async Task<JsonElement> RunAsync(string query, object? variables = null, CancellationToken cancellationToken = default)
    {
        var (data, errors) = await RunRawAsync(query, variables, cancellationToken);
        if (errors.Count > 0)
            throw new GraphQLException(errors[0].Code, errors[0].Message);
        return data;
    }

    /// <summary>
    /// Runs an operation and returns the data with every error (a batch of aliased mutations fails per field, not as a
    /// whole). Transport failures (non-JSON answers) throw.
    /// </summary>
    public async Task<(JsonElement Data, IReadOnlyList<GraphQLError> Errors)> RunRawAsync(string query, object? variables = null,
        CancellationToken cancellationToken = default)
    {
        var body = new JsonObject { ["query"] = query };
        if (variables is not null)
        {
            body["variables"] = variables as JsonNode ?? JsonSerializer.SerializeToNode(variables);
        }

        using var response = await http.PostAsJsonAsync("/graphql", body, cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
        var root = document.RootElement;
        var errors = new List<GraphQLError>();
        if (root.TryGetProperty("errors", out var list))
        {
            foreach (var error in list.EnumerateArray())
            {
                var code = error.TryGetProperty("extensions", out var ext) && ext.TryGetProperty("code", out var c) ? c.GetString() : null;
                var path = error.TryGetProperty("path", out var p) && p.GetArrayLength() > 0 ? p[0].ToString() : null;
                errors.Add(new GraphQLError(code, error.GetProperty("message").GetString() ?? "GraphQL error", path));
            }
        }

        var data = root.TryGetProperty("data", out var d) ? d.Clone() : default;
        return (data, errors);
    }
}

/// <summary>One GraphQL error: its extensions.code, message, and the top-level field (alias) it belongs to.</summary>
public sealed record GraphQLError(string? Code, string Message, string? Field);

public sealed class GraphQLException(string? code, string message) : Exception(message)
{
    public string? Code { get; } = code;
}
