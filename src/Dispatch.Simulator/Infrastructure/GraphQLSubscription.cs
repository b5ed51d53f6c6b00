using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dispatch.Simulator.Infrastructure;

/// <summary>
/// One graphql-transport-ws subscription, as a dashboard opens it: connection_init with the token, subscribe, then every
/// <c>next</c> payload handed to a callback on the reading task. <paramref name="read"/> false makes a stalled client: the
/// socket stays open and nothing is ever read (S2's slow-subscriber half).
/// </summary>
public sealed class GraphQLSubscription : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _reader = Task.CompletedTask;

    public long Messages { get; private set; }

    public string? Error { get; private set; }

    public static async Task<GraphQLSubscription> OpenAsync(Uri httpUrl, string token, string query, object? variables,
        Action<JsonElement>? onData, bool read = true)
    {
        var subscription = new GraphQLSubscription();
        var ws = new UriBuilder(httpUrl) { Scheme = httpUrl.Scheme == "https" ? "wss" : "ws", Path = "/graphql" }.Uri;
        subscription._socket.Options.AddSubProtocol("graphql-transport-ws");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await subscription._socket.ConnectAsync(ws, timeout.Token);
        await subscription.SendAsync(new JsonObject { ["type"] = "connection_init", ["payload"] = new JsonObject { ["token"] = token } });
        using (var ack = await subscription.ReceiveAsync(timeout.Token))
        {
            if (ack?.RootElement.GetProperty("type").GetString() != "connection_ack")
                throw new InvalidOperationException("The server did not acknowledge the graphql-ws connection.");
        }

        var payload = new JsonObject { ["query"] = query };
        if (variables is not null)
            payload["variables"] = JsonSerializer.SerializeToNode(variables);
        await subscription.SendAsync(new JsonObject { ["id"] = "1", ["type"] = "subscribe", ["payload"] = payload });
        if (read)
            subscription._reader = Task.Run(() => subscription.ReadLoopAsync(onData));
        return subscription;
    }

    private async Task ReadLoopAsync(Action<JsonElement>? onData)
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                using var message = await ReceiveAsync(_stop.Token);
                if (message is null)
                    return;
                var root = message.RootElement;
                switch (root.GetProperty("type").GetString())
                {
                    case "next":
                        Messages++;
                        var payload = root.GetProperty("payload");
                        if (payload.TryGetProperty("errors", out var errors))
                            Error ??= errors.ToString();
                        else
                            onData?.Invoke(payload.GetProperty("data"));
                        break;
                    case "error":
                        Error ??= root.GetProperty("payload").ToString();
                        break;
                    case "ping":
                        await SendAsync(new JsonObject { ["type"] = "pong" });
                        break;
                    case "complete":
                        return;
                }
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
        catch (WebSocketException e)
        {
            Error ??= e.Message;
        }
    }

    private Task SendAsync(JsonObject message) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None);

    private async Task<JsonDocument?> ReceiveAsync(CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            var result = await _socket.ReceiveAsync(buffer, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
                return null;
            if (result.EndOfMessage)
                return JsonDocument.Parse(buffer.AsMemory(0, result.Count));
            using var message = new MemoryStream();
            message.Write(buffer, 0, result.Count);
            do
            {
                result = await _socket.ReceiveAsync(buffer, cancellationToken);
                message.Write(buffer, 0, result.Count);
            }
            while (!result.EndOfMessage);
            return JsonDocument.Parse(message.ToArray());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Abort();
        try
        {
            await _reader;
        }
        catch (Exception)
        {
            // closing
        }

        _socket.Dispose();
        _stop.Dispose();
    }
}
