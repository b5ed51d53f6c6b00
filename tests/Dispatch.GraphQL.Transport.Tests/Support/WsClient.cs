using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dispatch.GraphQL.Transport.Tests.Support;

/// <summary>What the server sent: a protocol message, or the close frame.</summary>
public sealed record WsFrame(JsonElement? Message, int? CloseCode, string? CloseReason)
{
    public string? Type => Message?.GetProperty("type").GetString();

    public string? Id => Message is { } m && m.TryGetProperty("id", out var id) ? id.GetString() : null;

    public JsonElement Payload => Message!.Value.GetProperty("payload");

    public override string ToString() => Message?.GetRawText() ?? $"close {CloseCode} {CloseReason}";
}

/// <summary>A raw graphql-transport-ws client on <see cref="ClientWebSocket"/>; every wait has a deadline.</summary>
public sealed class WsClient : IAsyncDisposable
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly ClientWebSocket _socket = new();

    public WebSocket Socket => _socket;

    public static async Task<WsClient> ConnectAsync(Uri uri, string? subProtocol = "graphql-transport-ws", string? origin = null)
    {
        var client = new WsClient();
        if (subProtocol != null)
            client._socket.Options.AddSubProtocol(subProtocol);
        if (origin != null)
            client._socket.Options.SetRequestHeader("Origin", origin);
        using var timeout = new CancellationTokenSource(Deadline);
        await client._socket.ConnectAsync(uri, timeout.Token);
        return client;
    }

    /// <summary>Connects, sends connection_init and waits for connection_ack.</summary>
    public static async Task<WsClient> ConnectAndInitAsync(Uri uri, string? token = "valid")
    {
        var client = await ConnectAsync(uri);
        await client.SendAsync(token == null ? new JsonObject { ["type"] = "connection_init" } : Init(token));
        var ack = await client.ReceiveAsync();
        Assert.Equal("connection_ack", ack.Type);
        return client;
    }

    public static JsonObject Init(string token) =>
        new() { ["type"] = "connection_init", ["payload"] = new JsonObject { ["token"] = token } };

    public static JsonObject Subscribe(string id, string query, JsonObject? variables = null) => new()
    {
        ["id"] = id,
        ["type"] = "subscribe",
        ["payload"] = new JsonObject { ["query"] = query, ["variables"] = variables },
    };

    public static JsonObject Complete(string id) => new() { ["id"] = id, ["type"] = "complete" };

    public Task SendAsync(JsonNode message) => SendTextAsync(message.ToJsonString());

    public async Task SendTextAsync(string text)
    {
        using var timeout = new CancellationTokenSource(Deadline);
        await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, timeout.Token);
    }

    /// <summary>The next message or the close frame; server keep-alive pings are skipped unless asked for.</summary>
    public async Task<WsFrame> ReceiveAsync(bool skipPings = true)
    {
        using var timeout = new CancellationTokenSource(Deadline);
        while (true)
        {
            var buffer = new MemoryStream();
            ValueWebSocketReceiveResult result;
            do
            {
                var chunk = new byte[8192];
                result = await _socket.ReceiveAsync(chunk.AsMemory(), timeout.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                    return new WsFrame(null, (int?)_socket.CloseStatus, _socket.CloseStatusDescription);
                buffer.Write(chunk, 0, result.Count);
            }
            while (!result.EndOfMessage);

            var frame = new WsFrame(JsonDocument.Parse(buffer.ToArray()).RootElement.Clone(), null, null);
            if (skipPings && frame.Type == "ping")
                continue;
            return frame;
        }
    }

    /// <summary>Reads until the close frame, failing if a message of another kind than allowed arrives.</summary>
    public async Task<WsFrame> ReceiveCloseAsync()
    {
        while (true)
        {
            var frame = await ReceiveAsync();
            if (frame.CloseCode != null)
                return frame;
        }
    }

    /// <summary>Messages for <paramref name="id"/> up to and including its complete or error.</summary>
    public async Task<List<WsFrame>> ReceiveOperationAsync(string id)
    {
        var frames = new List<WsFrame>();
        while (true)
        {
            var frame = await ReceiveAsync();
            Assert.True(frame.CloseCode == null, $"connection closed: {frame}");
            if (frame.Id != id)
                continue;
            frames.Add(frame);
            if (frame.Type is "complete" or "error")
                return frames;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
            }
        }
        _socket.Dispose();
    }
}

public static class Poll
{
    /// <summary>Waits until <paramref name="condition"/> holds, failing after a deadline; checks every 10 ms.</summary>
    public static Task UntilAsync(Func<bool> condition, string because, TimeSpan? deadline = null) =>
        Dispatch.Testing.Eventually.Until(condition, deadline ?? TimeSpan.FromSeconds(10), because, TimeSpan.FromMilliseconds(10));
}
