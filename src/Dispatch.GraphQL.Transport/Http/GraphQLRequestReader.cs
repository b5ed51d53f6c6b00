using System.Buffers;
using System.Text.Json;
using GraphQL;
using GraphQL.Transport;
using Microsoft.AspNetCore.Http;

namespace Dispatch.GraphQL.Transport.Http;

/// <summary>A request that cannot be executed, with the HTTP status that says why.</summary>
internal sealed class RequestRejectedException(int statusCode, string message, string code) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
    public string Code { get; } = code;
}

/// <summary>Reads GraphQL-over-HTTP request parameters from a POST body or a GET query string.</summary>
internal static class GraphQLRequestReader
{
    public static async Task<GraphQLRequest> ReadBodyAsync(
        HttpRequest request, IGraphQLTextSerializer serializer, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
            throw TooLarge(maxBytes);

        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(request.ContentLength ?? 4096, maxBytes) + 1);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, maxBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                int read;
                try
                {
                    read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                }
                catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
                {
                    throw TooLarge(maxBytes); // the server's own limit is lower than ours
                }
                if (read == 0)
                    break;
                length += read;
                if (length > maxBytes)
                    throw TooLarge(maxBytes);
            }

            GraphQLRequest? parsed;
            try
            {
                using var stream = new MemoryStream(buffer, 0, length, writable: false);
                parsed = await serializer.ReadAsync<GraphQLRequest>(stream, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
            {
                // graphql-dotnet's converters throw InvalidOperationException for a non-string query or
                // operationName and JsonException for malformed JSON or non-object variables/extensions.
                throw new RequestRejectedException(StatusCodes.Status400BadRequest,
                    length == 0 ? "The request body is empty." : "The request body is not a valid GraphQL request: " + ex.Message,
                    "INVALID_REQUEST");
            }
            return parsed ?? throw new RequestRejectedException(StatusCodes.Status400BadRequest,
                "The request body must be a JSON object.", "INVALID_REQUEST");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public static GraphQLRequest ReadQueryString(IQueryCollection query, IGraphQLTextSerializer serializer)
    {
        return new GraphQLRequest
        {
            Query = Single(query, "query"),
            OperationName = Single(query, "operationName"),
            DocumentId = Single(query, "documentId"),
            Variables = JsonMap(query, "variables", serializer),
            Extensions = JsonMap(query, "extensions", serializer),
        };
    }

    private static string? Single(IQueryCollection query, string name)
    {
        if (!query.TryGetValue(name, out var values) || values.Count == 0)
            return null;
        if (values.Count > 1)
            throw new RequestRejectedException(StatusCodes.Status400BadRequest,
                $"The '{name}' parameter was given more than once.", "INVALID_REQUEST");
        var value = values[0];
        return string.IsNullOrEmpty(value) ? null : value;
    }

    private static Inputs? JsonMap(IQueryCollection query, string name, IGraphQLTextSerializer serializer)
    {
        var json = Single(query, name);
        if (json == null)
            return null;
        try
        {
            return serializer.Deserialize<Inputs>(json);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            throw new RequestRejectedException(StatusCodes.Status400BadRequest,
                $"The '{name}' parameter must be a JSON-encoded object.", "INVALID_REQUEST");
        }
    }

    private static RequestRejectedException TooLarge(long maxBytes) =>
        new(StatusCodes.Status413PayloadTooLarge, $"The request body exceeds {maxBytes} bytes.", "REQUEST_TOO_LARGE");
}
