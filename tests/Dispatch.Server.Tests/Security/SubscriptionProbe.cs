using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dispatch.Server.Tests.Security;

public enum Transport { WebSocket, Sse }

/// <summary>
/// One GraphQL subscription over graphql-transport-ws or graphql-sse, recording what arrives: data payloads (as text)
/// and refusals (error codes, a close code, an HTTP status). Raw clients: nothing between the test and the wire.
/// </summary>
public sealed class SubscriptionProbe : IAsyncDisposable
{
    private readonly List<string> _data = [];
    private readonly List<string> _refusals = [];
    private readonly CancellationTokenSource _stop = new();
    private Task _reader = Task.CompletedTask;
    private ClientWebSocket? _socket;
    private HttpResponseMessage? _response;
    private HttpClient? _client;

    /// <summary>Each received result's <c>data</c> (when it had any), as JSON text.</summary>
    public IReadOnlyList<string> Data
    {
        get
        {
            lock (_data)
                return [.. _data];
        }
    }

    /// <summary>Every refusal seen: GraphQL error codes, "close:4403", "http:401".</summary>
    public IReadOnlyList<string> Refusals
    {
        get
        {
            lock (_data)
                return [.. _refusals];
        }
    }

    public static async Task<SubscriptionProbe> StartAsync(Transport transport, Uri baseAddress, AuthenticationHeaderValue? authorization,
        string query, object? variables)
    {
        var probe = new SubscriptionProbe();
        var payload = new JsonObject { ["query"] = query };
        if (variables is not null)
            payload["variables"] = JsonSerializer.SerializeToNode(variables);
        if (transport == Transport.WebSocket)
            await probe.StartWebSocketAsync(new Uri($"ws://{baseAddress.Authority}/graphql"), authorization, payload);
        else
            await probe.StartSseAsync(baseAddress, authorization, payload);
        return probe;
    }

    private async Task StartWebSocketAsync(Uri uri, AuthenticationHeaderValue? authorization, JsonObject payload)
    {
        _socket = new ClientWebSocket();
        _socket.Options.AddSubProtocol("graphql-transport-ws");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _socket.ConnectAsync(uri, timeout.Token);
        // Bearer tokens travel as "token"; anything else (a device key) as the Authorization value it would be on HTTP.
        var init = new JsonObject();
        if (authorization is { Scheme: "Bearer" })
            init["token"] = authorization.Parameter;
        else if (authorization is not null)
            init["Authorization"] = authorization.ToString();
        await SendAsync(new JsonObject { ["type"] = "connection_init", ["payload"] = init });
        var ack = await ReceiveAsync(timeout.Token);
        if (ack?.GetProperty("type").GetString() != "connection_ack")
        {
            Refuse(ack is null ? $"close:{(int?)_socket.CloseStatus}" : "unexpected:" + ack);
            return;
        }

        await SendAsync(new JsonObject { ["id"] = "1", ["type"] = "subscribe", ["payload"] = payload });
        _reader = Task.Run(ReadWebSocketAsync);
    }

    private async Task ReadWebSocketAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                if (await ReceiveAsync(_stop.Token) is not { } message)
                {
                    Refuse($"close:{(int?)_socket!.CloseStatus}");
                    return;
                }

                switch (message.GetProperty("type").GetString())
                {
                    case "next":
                        Record(message.GetProperty("payload"));
                        break;
                    case "error":
                        foreach (var error in message.GetProperty("payload").EnumerateArray())
                            Refuse(Code(error));
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
        catch (WebSocketException e)
        {
            Refuse("socket:" + e.WebSocketErrorCode);
        }
    }

    private async Task StartSseAsync(Uri baseAddress, AuthenticationHeaderValue? authorization, JsonObject payload)
    {
        var client = _client = new HttpClient { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        var request = new HttpRequestMessage(HttpMethod.Post, "/graphql")
        {
            Content = new StringContent(payload.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        request.Headers.Authorization = authorization;
        _response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, _stop.Token);
        if (!_response.IsSuccessStatusCode || _response.Content.Headers.ContentType?.MediaType != "text/event-stream")
        {
            var body = await _response.Content.ReadAsStringAsync();
            Refuse($"http:{(int)_response.StatusCode}");
            try
            {
                foreach (var error in JsonDocument.Parse(body).RootElement.GetProperty("errors").EnumerateArray())
                    Refuse(Code(error));
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
            }

            return;
        }

        var stream = await _response.Content.ReadAsStreamAsync(_stop.Token);
        _reader = Task.Run(async () =>
        {
            try
            {
                using var reader = new StreamReader(stream);
                while (await reader.ReadLineAsync(_stop.Token) is { } line)
                {
                    if (line.StartsWith("data:", StringComparison.Ordinal) && line.Length > 5 && line[5..].Trim() is { Length: > 0 } json)
                        Record(JsonDocument.Parse(json).RootElement);
                }
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
            }
            catch (IOException)
            {
                Refuse("stream-ended");
            }
        });
    }

    private void Record(JsonElement result)
    {
        if (result.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
        {
            foreach (var error in errors.EnumerateArray())
                Refuse(Code(error));
        }

        if (result.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object)
        {
            lock (_data)
                _data.Add(data.GetRawText());
        }
    }

    private void Refuse(string what)
    {
        lock (_data)
            _refusals.Add(what);
    }

    private static string Code(JsonElement error) =>
        error.TryGetProperty("extensions", out var x) && x.TryGetProperty("code", out var code) ? code.GetString() ?? "?" : "no-code:" + error;

    private async Task SendAsync(JsonObject message) =>
        await _socket!.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None);

    private async Task<JsonElement?> ReceiveAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        WebSocketReceiveResult result;
        do
        {
            try
            {
                result = await _socket!.ReceiveAsync(buffer, cancellationToken);
            }
            catch (WebSocketException) when (_socket!.CloseStatus is not null)
            {
                return null;
            }

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
        _socket?.Abort();
        _response?.Dispose();
        _client?.Dispose();
        try
        {
            await _reader;
        }
        catch (Exception)
        {
            // The reader ends with the socket or stream it was reading.
        }

        _socket?.Dispose();
        _stop.Dispose();
    }
}
