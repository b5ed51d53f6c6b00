using System.Text;
using System.Threading.Channels;
using GraphQL;
using GraphQL.Transport;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Dispatch.GraphQL.Transport.Http;

/// <summary>
/// graphql-sse in "distinct connections" mode: one request, one operation, its results as <c>next</c> events and a
/// final <c>complete</c> event. Errors travel inside the stream because EventSource cannot read error bodies.
/// All writes go through one bounded queue drained by one loop, so keep-alives and results never interleave.
/// </summary>
internal sealed class ServerSentEventsResponder(GraphQLOperationRunner runner, ILogger logger)
{
    private const string KeepAliveFrame = ":\n\n";
    private const string CompleteFrame = "event: complete\ndata:\n\n";

    public async Task RespondAsync(HttpContext context, GraphQLRequest request)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = MediaTypes.ContentTypeOf(ResponseFormat.EventStream);
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no"; // ask reverse proxies not to buffer the stream
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        var queue = Channel.CreateBounded<string>(new BoundedChannelOptions(runner.Options.SendQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        var events = new EventQueue(queue.Writer, context, logger, runner.Options.SendQueueCapacity);

        // The opening comment tells the client (and any proxy) the stream is live before the first result.
        events.Enqueue(KeepAliveFrame);
        var writeLoop = WriteLoopAsync(response, queue.Reader, lifetime.Token);
        var keepAliveLoop = KeepAliveLoopAsync(events, lifetime.Token);

        OperationExecution? execution = null;
        IDisposable? subscription = null;
        try
        {
            execution = await runner.ExecuteAsync(context, request, context.User, context.RequestServices, lifetime.Token)
                .ConfigureAwait(false);
            var result = execution.Result;
            if (result.Streams is { Count: > 0 } streams)
            {
                subscription = streams.Values.First().Subscribe(new StreamObserver(events, runner.Serializer));
            }
            else
            {
                events.Enqueue(NextFrame(runner.Serializer.Serialize(result)));
                events.Enqueue(CompleteFrame);
                events.Complete();
            }
            await writeLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (lifetime.IsCancellationRequested)
        {
            // client disconnected
        }
        finally
        {
            subscription?.Dispose();
            execution?.Dispose();
            await lifetime.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(writeLoop, keepAliveLoop).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }
    }

    private static async Task WriteLoopAsync(HttpResponse response, ChannelReader<string> reader, CancellationToken cancellationToken)
    {
        while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (reader.TryRead(out var frame))
                await response.WriteAsync(frame, Encoding.UTF8, cancellationToken).ConfigureAwait(false);
            await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task KeepAliveLoopAsync(EventQueue events, CancellationToken cancellationToken)
    {
        if (runner.Options.KeepAliveInterval <= TimeSpan.Zero)
            return;
        using var timer = new PeriodicTimer(runner.Options.KeepAliveInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
                events.TryEnqueueKeepAlive(KeepAliveFrame);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>An SSE <c>next</c> event; every line of the JSON gets its own <c>data:</c> field.</summary>
    internal static string NextFrame(string json)
    {
        var builder = new StringBuilder(json.Length + 24).Append("event: next\n");
        foreach (var line in json.ReplaceLineEndings("\n").Split('\n'))
            builder.Append("data: ").Append(line).Append('\n');
        return builder.Append('\n').ToString();
    }

    private sealed class EventQueue(ChannelWriter<string> writer, HttpContext context, ILogger logger, int capacity)
    {
        public void Enqueue(string frame)
        {
            if (writer.TryWrite(frame))
                return;
            if (writer.TryComplete())
            {
                // A reader this far behind is stalled; dropping it keeps memory bounded and sources unblocked.
                logger.LogWarning("SSE client fell {Capacity} events behind; closing its connection", capacity);
                context.Abort();
            }
        }

        // Heartbeats are only needed when the stream is idle; with a backlog one would add nothing.
        public void TryEnqueueKeepAlive(string frame) => writer.TryWrite(frame);

        public void Complete() => writer.TryComplete();
    }

    private sealed class StreamObserver(EventQueue events, IGraphQLTextSerializer serializer) : IObserver<ExecutionResult>
    {
        public void OnNext(ExecutionResult value) => events.Enqueue(NextFrame(serializer.Serialize(value)));

        public void OnError(Exception error)
        {
            var executionError = error as ExecutionError ?? new ExecutionError("The event stream failed.", error);
            events.Enqueue(NextFrame(serializer.Serialize(new ExecutionResult { Errors = [executionError] })));
            events.Enqueue(CompleteFrame);
            events.Complete();
        }

        public void OnCompleted()
        {
            events.Enqueue(CompleteFrame);
            events.Complete();
        }
    }
}
