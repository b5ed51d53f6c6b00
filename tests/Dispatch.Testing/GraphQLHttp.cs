using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dispatch.Testing;

/// <summary>A plain GraphQL-over-HTTP client: POST JSON, read the JSON result. No client library between test and server.</summary>
public static class GraphQLHttp
{
    public static async Task<JsonElement> PostAsync(this HttpClient client, string query, object? variables = null,
        CancellationToken cancellationToken = default)
    {
        var body = new JsonObject { ["query"] = query };
        if (variables is not null)
        {
            body["variables"] = JsonSerializer.SerializeToNode(variables);
        }

        using var response = await client.PostAsJsonAsync("/graphql", body, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if ((int)response.StatusCode >= 500)
        {
            throw new HttpRequestException($"GraphQL answered {(int)response.StatusCode}: {text}");
        }

        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>The result's data, failing with the errors when there are any.</summary>
    public static async Task<JsonElement> DataAsync(this HttpClient client, string query, object? variables = null,
        CancellationToken cancellationToken = default)
    {
        var result = await client.PostAsync(query, variables, cancellationToken);
        if (result.TryGetProperty("errors", out var errors))
        {
            throw new InvalidOperationException($"GraphQL errors: {errors}");
        }

        return result.GetProperty("data");
    }

    /// <summary>The first error's <c>extensions.code</c>, or null when the operation succeeded.</summary>
    public static string? ErrorCode(this JsonElement result) =>
        result.TryGetProperty("errors", out var errors) && errors[0].TryGetProperty("extensions", out var extensions)
            && extensions.TryGetProperty("code", out var code)
            ? code.GetString()
            : null;
}
