using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net.WebSockets;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using GraphQL;
using GraphQL.Transport;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dispatch.GraphQL.Transport.WebSockets;

/// <summary>
/// One WebSocket speaking graphql-transport-ws (the graphql-ws protocol). One read loop handles messages in order;
/// each operation runs on its own task; every outgoing message goes through one bounded queue drained by one writer,
/// so sends never overlap and a client that stops reading is disconnected instead of growing memory.
/// </summary>
internal sealed class GraphQLWebSocketConnection
{
    public const string SubProtocol = "graphql-transport-ws";

    private static readonly TimeSpan CloseHandshakeTimeout = TimeSpan.FromSeconds(5);
    private static readonly byte[] AckMessage = "{\"type\":\"connection_ack\"}"u8.ToArray();
    private static readonly byte[] PingMessage = "{\"type\":\"ping\"}"u8.ToArray();
    private static readonly byte[] PongMessage = "{\"type\":\"pong\"}"u8.ToArray();

    private readonly HttpContext _http;
    private readonly WebSocket _socket;
    private readonly GraphQLOperationRunner _runner;
    private readonly IServiceScopeFactory _scopes;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _lifetime;
    private readonly Channel<Outgoing> _outbox;
    private readonly ConcurrentDictionary<string, Operation> _operations = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Operation, byte> _running = new();
    private Task _writer = Task.CompletedTask;
    private ClaimsPrincipal _user = new();
    private bool _initReceived;
    private volatile bool _acknowledged;
    private int _closing;

    private GraphQLWebSocketConnection(HttpContext http, WebSocket socket, GraphQLOperationRunner runner, ILogger logger)
    {
        _http = http;
        _socket = socket;
        _runner = runner;
        _logger = logger;
        _scopes = http.RequestServices.GetRequiredService<IServiceScopeFactory>();
        _lifetime = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        _outbox = Channel.CreateBounded<Outgoing>(new BoundedChannelOptions(runner.Options.SendQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    private GraphQLTransportOptions Options => _runner.Options;

    private bool Closing => Volatile.Read(ref _closing) != 0;

    public static async Task AcceptAsync(HttpContext http, GraphQLOperationRunner runner, ILogger logger)
    {
        var speaksProtocol = http.WebSockets.WebSocketRequestedProtocols.Contains(SubProtocol, StringComparer.Ordinal);
        using var socket = await http.WebSockets
            .AcceptWebSocketAsync(new WebSocketAcceptContext { SubProtocol = speaksProtocol ? SubProtocol : null })
            .ConfigureAwait(false);
        if (!speaksProtocol)
        {
            // Accept first so the client learns why: a refused upgrade only says "failed".
            using var timeout = new CancellationTokenSource(CloseHandshakeTimeout);
            try
            {
                await socket.CloseAsync((WebSocketCloseStatus)CloseCodes.SubprotocolNotAcceptable,
                    "Subprotocol not acceptable", timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
            }
            return;
        }

        var connection = new GraphQLWebSocketConnection(http, socket, runner, logger);
        await connection.RunAsync().ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        _writer = Task.Run(WriteLoopAsync);
        _ = CloseIfNotAcknowledgedAsync();
        try
        {
            await ReadLoopAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // the client vanished or the close handshake timed out
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "GraphQL WebSocket connection failed");
            await CloseAsync(CloseCodes.InternalServerError, "Internal server error").ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _closing, 1);
            CancelAllOperations();
            _outbox.Writer.TryComplete();
            StopReading();
            var running = _running.Keys.Select(o => o.Task).Append(_writer).ToArray();
            try
            {
                await Task.WhenAll(running).WaitAsync(CloseHandshakeTimeout).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // operations end on their own once cancelled; their failures were logged where they happened
            }
            _lifetime.Dispose();
        }
    }

    // ---- reading ----

    private async Task ReadLoopAsync()
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        while (true)
        {
            buffer.ResetWrittenCount();
            ValueWebSocketReceiveResult received;
            do
            {
                received = await _socket.ReceiveAsync(buffer.GetMemory(4096), _lifetime.Token).ConfigureAwait(false);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    await AnswerClientCloseAsync().ConfigureAwait(false);
                    return;
                }
                buffer.Advance(received.Count);
                if (buffer.WrittenCount > Options.MaxRequestBodyBytes)
                {
                    await CloseAsync((int)WebSocketCloseStatus.MessageTooBig, "Message too big").ConfigureAwait(false);
                    return;
                }
            }
            while (!received.EndOfMessage);

            // After our close frame only the client's close answer matters; CloseAsync bounds the wait for it.
            if (!Closing)
                await HandleMessageAsync(buffer.WrittenMemory).ConfigureAwait(false);
            if (buffer.Capacity > 64 * 1024)
                buffer = new ArrayBufferWriter<byte>(4096); // one large message must not pin its buffer for the connection's life
        }
    }

    private async Task HandleMessageAsync(ReadOnlyMemory<byte> data)
    {
        IncomingMessage message;
        try
        {
            message = IncomingMessage.Parse(data, _runner.Serializer);
        }
        catch (InvalidMessageException ex)
        {
            await CloseAsync(CloseCodes.BadRequest, ex.Message).ConfigureAwait(false);
            return;
        }

        switch (message.Type)
        {
            case MessageTypes.ConnectionInit:
                await InitializeAsync(message.Payload).ConfigureAwait(false);
                break;
            case MessageTypes.Ping:
                Enqueue(new Outgoing(PongMessage));
                break;
            case MessageTypes.Pong:
                break;
            case MessageTypes.Subscribe:
                await SubscribeAsync(message.Id!, message.Request!).ConfigureAwait(false);
                break;
            case MessageTypes.Complete:
                if (_operations.TryRemove(message.Id!, out var operation))
                    operation.Cancel();
                break; // a complete for an unknown or finished id is a late message: ignored
            default:
                await CloseAsync(CloseCodes.BadRequest, $"Unexpected message of type {message.Type} received").ConfigureAwait(false);
                break;
        }
    }

    private async Task InitializeAsync(IReadOnlyDictionary<string, object?>? payload)
    {
        if (_initReceived)
        {
            await CloseAsync(CloseCodes.TooManyInitialisationRequests, "Too many initialisation requests").ConfigureAwait(false);
            return;
        }
        _initReceived = true;

        ClaimsPrincipal? user;
        try
        {
            user = Options.AuthenticateConnection is { } authenticate
                ? await authenticate(_http, payload).ConfigureAwait(false)
                : _http.User;
        }
        catch (GraphQLConnectionRefusedException refused)
        {
            await CloseAsync(refused.CloseCode, refused.Message).ConfigureAwait(false);
            return;
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "GraphQL WebSocket authentication hook failed");
            await CloseAsync(CloseCodes.InternalServerError, "Internal server error").ConfigureAwait(false);
            return;
        }

        var expiresAt = ExpiryOf(user);
        if (user == null || expiresAt <= DateTimeOffset.UtcNow)
        {
            await CloseAsync(CloseCodes.Forbidden, "Forbidden").ConfigureAwait(false);
            return;
        }
        if (Closing)
            return; // the init timeout fired while the hook ran

        _user = user;
        Enqueue(new Outgoing(AckMessage));
        _acknowledged = true;
        _ = SendKeepAlivesAsync();
        if (expiresAt is { } expiry)
            _ = CloseWhenExpiredAsync(expiry);
    }

    private async Task SubscribeAsync(string id, GraphQLRequest request)
    {
        if (!_acknowledged)
        {
            await CloseAsync(CloseCodes.Unauthorized, "Unauthorized").ConfigureAwait(false);
            return;
        }
        if (_operations.ContainsKey(id))
        {
            await CloseAsync(CloseCodes.SubscriberAlreadyExists, $"Subscriber for {id} already exists").ConfigureAwait(false);
            return;
        }
        if (_operations.Count >= Options.MaxOperationsPerConnection)
        {
            Enqueue(new Outgoing(Envelope(MessageTypes.Error, id, ErrorsJson([new ExecutionError(
                $"This connection already runs {Options.MaxOperationsPerConnection} operations.") { Code = "TOO_MANY_OPERATIONS" }]))));
            return;
        }
        if (request.Query?.Length > Options.MaxQueryLength)
        {
            Enqueue(new Outgoing(Envelope(MessageTypes.Error, id, ErrorsJson([new ExecutionError(
                $"The query is longer than {Options.MaxQueryLength} characters.") { Code = "QUERY_TOO_LONG" }]))));
            return;
        }

        // Reserve the id now, in message order, so a duplicate subscribe is caught even while this one executes.
        var operation = new Operation(id, _lifetime.Token);
        _operations[id] = operation;
        _running[operation] = 0; // tracked before it starts, so its own clean-up can never run first
        operation.Task = Task.Run(() => RunOperationAsync(operation, request));
    }

    // ---- operations ----

    private async Task RunOperationAsync(Operation operation, GraphQLRequest request)
    {
        try
        {
            var scope = _scopes.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                using var execution = await _runner.ExecuteAsync(_http, request, _user, scope.ServiceProvider, operation.Cancellation)
                    .ConfigureAwait(false);
                var result = execution.Result;
                if (!operation.IsActive)
                    return;

                if (result.Streams is { Count: > 0 } streams)
                {
                    using (streams.Values.First().Subscribe(new OperationObserver(this, operation)))
                        await operation.Ended.ConfigureAwait(false);
                }
                else if (!result.Executed)
                {
                    // nothing ran (parse, validation, coercion, timeout): `error` ends the operation, no `complete`
                    Finish(operation, Envelope(MessageTypes.Error, operation.Id, ErrorsJson(result.Errors)));
                }
                else
                {
                    SendNext(operation, result);
                    Finish(operation, Envelope(MessageTypes.Complete, operation.Id, null));
                }
            }
        }
        catch (OperationCanceledException) when (!operation.IsActive || operation.Cancellation.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "GraphQL operation {OperationId} failed", operation.Id);
            await CloseAsync(CloseCodes.InternalServerError, "Internal server error").ConfigureAwait(false);
        }
        finally
        {
            operation.Cancel();
            _operations.TryRemove(new KeyValuePair<string, Operation>(operation.Id, operation));
            _running.TryRemove(operation, out _);
            operation.Dispose();
        }
    }

    private void SendNext(Operation operation, ExecutionResult result)
    {
        if (operation.IsActive)
            Enqueue(new Outgoing(Envelope(MessageTypes.Next, operation.Id, _runner.Serializer.Serialize(result)), operation));
    }

    /// <summary>Sends the operation's last message unless the client completed it first.</summary>
    private void Finish(Operation operation, byte[] lastMessage)
    {
        if (!operation.TryFinish())
            return;
        // Free the id before the client can learn it is free: it may reuse it at once.
        _operations.TryRemove(new KeyValuePair<string, Operation>(operation.Id, operation));
        Enqueue(new Outgoing(lastMessage));
    }

    private void CancelAllOperations()
    {
        foreach (var operation in _operations.Values)
            operation.Cancel();
    }

    private sealed class OperationObserver(GraphQLWebSocketConnection connection, Operation operation) : IObserver<ExecutionResult>
    {
        public void OnNext(ExecutionResult value) => connection.SendNext(operation, value);

        public void OnError(Exception error)
        {
            var executionError = error as ExecutionError ?? new ExecutionError("The event stream failed.", error);
            connection.Finish(operation, Envelope(MessageTypes.Error, operation.Id, connection.ErrorsJson([executionError])));
        }

        public void OnCompleted() => connection.Finish(operation, Envelope(MessageTypes.Complete, operation.Id, null));
    }

    // ---- writing ----

    private void Enqueue(Outgoing message)
    {
        if (Closing)
            return;
        if (_outbox.Writer.TryWrite(message) || Closing)
            return;
        _logger.LogWarning("GraphQL WebSocket client fell {Capacity} messages behind; dropping the connection",
            Options.SendQueueCapacity);
        Volatile.Write(ref _closing, 1);
        CancelAllOperations();
        _outbox.Writer.TryComplete();
        _socket.Abort();
        StopReading();
    }

    private void StopReading(TimeSpan? after = null)
    {
        try
        {
            if (after is { } delay)
                _lifetime.CancelAfter(delay);
            else
                _lifetime.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task WriteLoopAsync()
    {
        var reader = _outbox.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_lifetime.Token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var message))
                {
                    if (Closing || message.Operation is { IsCancelled: true })
                        continue; // the client completed that operation: later results are not wanted
                    await _socket.SendAsync(message.Payload, WebSocketMessageType.Text, endOfMessage: true, _lifetime.Token)
                        .ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            StopReading(); // a failed send means the peer is gone
        }
    }

    private async Task SendKeepAlivesAsync()
    {
        if (Options.KeepAliveInterval <= TimeSpan.Zero)
            return;
        try
        {
            using var timer = new PeriodicTimer(Options.KeepAliveInterval);
            while (await timer.WaitForNextTickAsync(_lifetime.Token).ConfigureAwait(false) && !Closing)
                Enqueue(new Outgoing(PingMessage));
        }
        catch (OperationCanceledException)
        {
        }
    }

    // ---- closing ----

    /// <summary>
    /// Starts the close handshake with a protocol close code. Safe to call from any task, more than once: the first
    /// call wins. Pending messages are dropped, operations cancelled, the writer drained, then the close frame sent.
    /// </summary>
    private async Task CloseAsync(int code, string reason)
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0)
            return;
        CancelAllOperations();
        _outbox.Writer.TryComplete();
        try
        {
            await _writer.WaitAsync(CloseHandshakeTimeout).ConfigureAwait(false);
            using var timeout = new CancellationTokenSource(CloseHandshakeTimeout);
            await _socket.CloseOutputAsync((WebSocketCloseStatus)code, Truncate(reason), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or TimeoutException or ObjectDisposedException)
        {
            _socket.Abort();
        }
        // Give the client a moment to answer with its close frame, then stop reading regardless.
        StopReading(CloseHandshakeTimeout);
    }

    private async Task AnswerClientCloseAsync()
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0)
            return; // the client answered our close
        CancelAllOperations();
        _outbox.Writer.TryComplete();
        try
        {
            await _writer.WaitAsync(CloseHandshakeTimeout).ConfigureAwait(false);
            using var timeout = new CancellationTokenSource(CloseHandshakeTimeout);
            await _socket.CloseOutputAsync(_socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, null, timeout.Token)
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or TimeoutException or ObjectDisposedException)
        {
            _socket.Abort();
        }
    }

    private async Task CloseIfNotAcknowledgedAsync()
    {
        try
        {
            await Task.Delay(Options.ConnectionInitTimeout, _lifetime.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        if (!_acknowledged)
            await CloseAsync(CloseCodes.ConnectionInitialisationTimeout, "Connection initialisation timeout").ConfigureAwait(false);
    }

    private async Task CloseWhenExpiredAsync(DateTimeOffset expiresAt)
    {
        var delay = expiresAt - DateTimeOffset.UtcNow;
        if (delay.TotalMilliseconds >= uint.MaxValue - 1)
            return; // beyond what a timer can wait (~49 days); the connection will not live that long
        try
        {
            await Task.Delay(delay, _lifetime.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        await CloseAsync(CloseCodes.Forbidden, "Forbidden").ConfigureAwait(false);
    }

    /// <summary>The principal's <c>exp</c> claim (JWT style, Unix seconds), if it has one.</summary>
    private static DateTimeOffset? ExpiryOf(ClaimsPrincipal? user)
    {
        var claim = user?.FindFirst("exp")?.Value;
        return claim != null && long.TryParse(claim, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;
    }

    // WebSocket close reasons are limited to 123 UTF-8 bytes.
    private static string Truncate(string reason)
    {
        if (Encoding.UTF8.GetByteCount(reason) <= 123)
            return reason;
        var length = Math.Min(reason.Length, 123);
        while (Encoding.UTF8.GetByteCount(reason.AsSpan(0, length)) > 120)
            length--;
        if (length > 0 && char.IsHighSurrogate(reason[length - 1]))
            length--;
        return string.Concat(reason.AsSpan(0, length), "...");
    }

    // ---- messages ----

    private string ErrorsJson(IEnumerable<ExecutionError>? errors)
    {
        ExecutionError[] list = errors?.ToArray() is { Length: > 0 } some ? some : [new ExecutionError("Unknown error.")];
        return _runner.Serializer.Serialize(list);
    }

    private static byte[] Envelope(string type, string id, string? payloadJson)
    {
        var buffer = new ArrayBufferWriter<byte>((payloadJson?.Length ?? 0) + id.Length + 48);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("id", id);
            writer.WriteString("type", type);
            if (payloadJson != null)
            {
                writer.WritePropertyName("payload");
                writer.WriteRawValue(payloadJson, skipInputValidation: true);
            }
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private readonly record struct Outgoing(ReadOnlyMemory<byte> Payload, Operation? Operation = null);

    /// <summary>An operation from <c>subscribe</c> until its last message, or until the client completes it.</summary>
    private sealed class Operation(string id, CancellationToken connectionLifetime) : IDisposable
    {
        private const int Active = 0, Finished = 1, Cancelled = 2;
        private readonly CancellationTokenSource _cancellation = CancellationTokenSource.CreateLinkedTokenSource(connectionLifetime);
        private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _state;

        public string Id { get; } = id;

        public Task Task { get; set; } = Task.CompletedTask;

        public CancellationToken Cancellation => _cancellation.Token;

        public Task Ended => _ended.Task;

        public bool IsActive => Volatile.Read(ref _state) == Active;

        public bool IsCancelled => Volatile.Read(ref _state) == Cancelled;

        public bool TryFinish()
        {
            if (Interlocked.CompareExchange(ref _state, Finished, Active) != Active)
                return false;
            _ended.TrySetResult();
            return true;
        }

        public void Cancel()
        {
            if (Interlocked.CompareExchange(ref _state, Cancelled, Active) == Active)
            {
                try
                {
                    _cancellation.Cancel();
                }
                catch (ObjectDisposedException)
                {
                }
            }
            _ended.TrySetResult();
        }

        public void Dispose() => _cancellation.Dispose();
    }
}
