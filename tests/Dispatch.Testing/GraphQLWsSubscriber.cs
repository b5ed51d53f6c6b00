using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
namespace Dispatch.Testing;

/// <summary>
/// A plain graphql-transport-ws client over <see cref="ClientWebSocket"/>: connection_init with the token, one
/// subscription, every <c>next</c> payload collected. <see cref="StopReading"/> turns it into a client that stalls: the
/// socket stays open but nothing is read any more.
/// </summary>
public sealed class GraphQLWsSubscriber : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly List<JsonElement> _events = [];
    private readonly CancellationTokenSource _stop = new();
    private Task _reader = Task.CompletedTask;
    private volatile bool _stalled;

    public IReadOnlyList<JsonElement> Events
    {
        get
        {
            lock (_events)
                return _events.ToArray();
        }
    }

    public string? Error { get; private set; }

    public bool Closed { get; private set; }

    /// <summary>The technicianLocations items received so far, flattened.</summary>
    public IReadOnlyList<JsonElement> Locations =>
        Events.SelectMany(e => e.GetProperty("data").GetProperty("technicianLocations").EnumerateArray()).ToArray();

    public static async Task<GraphQLWsSubscriber> ConnectAsync(Uri uri, string token, string query, object? variables = null)
    {
        var subscriber = new GraphQLWsSubscriber();
        subscriber._socket.Options.AddSubProtocol("graphql-transport-ws");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await subscriber._socket.ConnectAsync(uri, timeout.Token);
        await subscriber.SendAsync(new JsonObject { ["type"] = "connection_init", ["payload"] = new JsonObject { ["token"] = token } });
        var ack = await subscriber.ReceiveAsync(timeout.Token);
        if (ack?.GetProperty("type").GetString() != "connection_ack")
            throw new InvalidOperationException($"Expected connection_ack, got {ack}.");
        var payload = new JsonObject { ["query"] = query };
        if (variables is not null)
            payload["variables"] = JsonSerializer.SerializeToNode(variables);
        await subscriber.SendAsync(new JsonObject { ["id"] = "1", ["type"] = "subscribe", ["payload"] = payload });
        subscriber._reader = Task.Run(subscriber.ReadLoopAsync);
        return subscriber;
    }

    /// <summary>The payloads of the subscription field <paramref name="field"/> received so far.</summary>
    public IReadOnlyList<JsonElement> Payloads(string field) => Events.Select(e => e.GetProperty("data").GetProperty(field)).ToArray();

    /// <summary>Waits until a received location satisfies <paramref name="match"/>; returns it.</summary>
    public Task<JsonElement> WaitForLocationAsync(Func<JsonElement, bool> match, TimeSpan deadline, string because) =>
        WaitForAsync(() => Locations, match, deadline, because);

    /// <summary>Waits until a received payload of <paramref name="field"/> satisfies <paramref name="match"/>; returns it.</summary>
    public Task<JsonElement> WaitForPayloadAsync(string field, Func<JsonElement, bool> match, TimeSpan deadline, string because) =>
        WaitForAsync(() => Payloads(field), match, deadline, because);

    private async Task<JsonElement> WaitForAsync(Func<IEnumerable<JsonElement>> received, Func<JsonElement, bool> match, TimeSpan deadline, string because)
    {
        JsonElement found = default;
        await Eventually.Until(() =>
        {
            if (Error is not null)
                throw new InvalidOperationException("Subscription failed: " + Error);
            foreach (var item in received())
            {
                if (match(item))
                {
                    found = item;
                    return true;
                }
            }
            return false;
        }, deadline, because, TimeSpan.FromMilliseconds(20));
        return found;
    }

    public void StopReading() => _stalled = true;

    private async Task ReadLoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                if (_stalled)
                {
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                    return;
                }
                var message = await ReceiveAsync(_stop.Token);
                if (message is not { } m)
                {
                    Closed = true;
                    return;
                }
                switch (m.GetProperty("type").GetString())
                {
                    case "next":
                        lock (_events)
                            _events.Add(m.GetProperty("payload").Clone());
                        if (m.GetProperty("payload").TryGetProperty("errors", out var errors))
                            Error = errors.ToString();
                        break;
                    case "error":
                        Error = m.GetProperty("payload").ToString();
                        break;
                    case "ping":
                        await SendAsync(new JsonObject { ["type"] = "pong" });
                        break;
                }
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
        catch (WebSocketException)
        {
            Closed = true;
        }
    }

    private async Task SendAsync(JsonObject message) =>
        await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None);

    private async Task<JsonElement?> ReceiveAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        WebSocketReceiveResult result;
        do
        {
            result = await _socket.ReceiveAsync(buffer, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
                return null;
            message.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);
        return JsonDocument.Parse(message.ToArray()).RootElement.Clone();
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
        }
        _socket.Dispose();
    }
}
