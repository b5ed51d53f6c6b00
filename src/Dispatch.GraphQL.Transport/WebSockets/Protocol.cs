using System.Text.Json;
using GraphQL;
using GraphQL.Transport;

namespace Dispatch.GraphQL.Transport.WebSockets;

/// <summary>Close codes of graphql-transport-ws (graphql-ws PROTOCOL.md).</summary>
internal static class CloseCodes
{
    public const int BadRequest = 4400;
    public const int Unauthorized = 4401;
    public const int Forbidden = 4403;
    public const int SubprotocolNotAcceptable = 4406;
    public const int ConnectionInitialisationTimeout = 4408;
    public const int SubscriberAlreadyExists = 4409;
    public const int TooManyInitialisationRequests = 4429;
    public const int InternalServerError = 4500;
}

internal static class MessageTypes
{
    public const string ConnectionInit = "connection_init";
    public const string ConnectionAck = "connection_ack";
    public const string Ping = "ping";
    public const string Pong = "pong";
    public const string Subscribe = "subscribe";
    public const string Next = "next";
    public const string Error = "error";
    public const string Complete = "complete";
}

/// <summary>A message that breaks the protocol's message shapes; the connection closes with 4400 and this text.</summary>
internal sealed class InvalidMessageException(string message) : Exception(message);

/// <summary>A client message, checked against the shapes the protocol defines for its type.</summary>
internal sealed record IncomingMessage(string Type, string? Id, IReadOnlyDictionary<string, object?>? Payload, GraphQLRequest? Request)
{
    public static IncomingMessage Parse(ReadOnlyMemory<byte> data, IGraphQLTextSerializer serializer)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(data);
        }
        catch (JsonException)
        {
            throw new InvalidMessageException("Invalid message received: not JSON");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new InvalidMessageException("Invalid message received: not an object");
            if (!root.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
                throw new InvalidMessageException("Invalid message received: missing 'type'");
            var type = typeElement.GetString()!;
            root.TryGetProperty("payload", out var payload);

            switch (type)
            {
                case MessageTypes.ConnectionInit:
                case MessageTypes.Ping:
                case MessageTypes.Pong:
                    return new IncomingMessage(type, null, OptionalMap(payload, type, serializer), null);
                case MessageTypes.Subscribe:
                    return new IncomingMessage(type, RequiredId(root, type), null, SubscribePayload(payload, serializer));
                case MessageTypes.Complete:
                    return new IncomingMessage(type, RequiredId(root, type), null, null);
                default:
                    // Known-but-server-only and unknown types alike: the connection handler closes with 4400.
                    return new IncomingMessage(type, null, null, null);
            }
        }
    }

    private static string RequiredId(JsonElement root, string type)
    {
        if (!root.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String || id.GetString() is not { Length: > 0 } value)
            throw new InvalidMessageException($"Invalid message received: '{type}' needs a non-empty string 'id'");
        return value;
    }

    private static IReadOnlyDictionary<string, object?>? OptionalMap(JsonElement payload, string type, IGraphQLTextSerializer serializer)
    {
        switch (payload.ValueKind)
        {
            case JsonValueKind.Undefined:
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.Object:
                return type == MessageTypes.ConnectionInit ? serializer.Deserialize<Inputs>(payload.GetRawText()) : null;
            default:
                throw new InvalidMessageException($"Invalid message received: '{type}' payload must be an object");
        }
    }

    private static GraphQLRequest SubscribePayload(JsonElement payload, IGraphQLTextSerializer serializer)
    {
        if (payload.ValueKind != JsonValueKind.Object)
            throw new InvalidMessageException("Invalid message received: 'subscribe' payload must be an object");
        GraphQLRequest? request;
        try
        {
            request = serializer.Deserialize<GraphQLRequest>(payload.GetRawText());
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            throw new InvalidMessageException("Invalid message received: 'subscribe' payload is not a GraphQL request");
        }
        if (request?.Query == null)
            throw new InvalidMessageException("Invalid message received: 'subscribe' payload needs a string 'query'");
        return request;
    }
}
