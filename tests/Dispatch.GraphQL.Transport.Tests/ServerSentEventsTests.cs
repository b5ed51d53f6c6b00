using System.Net;
using System.Text;
using System.Text.Json;
using Dispatch.GraphQL.Transport.Tests.Support;

namespace Dispatch.GraphQL.Transport.Tests;

/// <summary>graphql-sse (distinct connections mode) read from a real HTTP response stream.</summary>
public sealed class ServerSentEventsTests(TestServer server)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record SseEvent(string? Event, string Data, bool IsComment);

    /// <summary>Reads SSE frames ("\n\n"-separated blocks) from a response stream.</summary>
    private sealed class SseReader(Stream stream) : IDisposable
    {
        private readonly StreamReader _reader = new(stream, Encoding.UTF8);

        public async Task<SseEvent?> NextAsync()
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            string? name = null;
            var data = new List<string>();
            var comment = false;
            var any = false;
            while (await _reader.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (any)
                        return new SseEvent(name, string.Join('\n', data), comment && name == null && data.Count == 0);
                    continue;
                }
                any = true;
                if (line.StartsWith(':'))
                    comment = true;
                else if (line.StartsWith("event:"))
                    name = line["event:".Length..].Trim();
                else if (line.StartsWith("data:"))
                    data.Add(line["data:".Length..].TrimStart(' '));
            }
            return null;
        }

        public async Task<List<SseEvent>> EventsUntilCompleteAsync()
        {
            var events = new List<SseEvent>();
            while (await NextAsync() is { } e)
            {
                if (e.IsComment)
                    continue;
                events.Add(e);
                if (e.Event == "complete")
                    break;
            }
            return events;
        }

        public void Dispose() => _reader.Dispose();
    }

    private async Task<HttpResponseMessage> OpenAsync(string query, Uri? uri = null, bool get = false)
    {
        uri ??= server.GraphQL;
        var request = get
            ? new HttpRequestMessage(HttpMethod.Get, new Uri(uri + "?query=" + Uri.EscapeDataString(query)))
            : new HttpRequestMessage(HttpMethod.Post, uri)
            {
                Content = new StringContent(JsonSerializer.Serialize(new { query }), Encoding.UTF8, "application/json"),
            };
        request.Headers.TryAddWithoutValidation("Accept", "text/event-stream");
        return await server.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
    }

    private static int Tick(SseEvent e) => JsonDocument.Parse(e.Data).RootElement.GetProperty("data").GetProperty("ticks").GetInt32();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Subscription_streams_next_events_then_complete(bool get)
    {
        using var response = await OpenAsync("subscription { ticks(count: 3) }", get: get);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new SseReader(await response.Content.ReadAsStreamAsync(Ct));

        var first = await reader.NextAsync();
        Assert.True(first is { IsComment: true }, "a ':' comment opens the stream");

        var events = await reader.EventsUntilCompleteAsync();
        Assert.Equal(["next", "next", "next", "complete"], events.Select(e => e.Event));
        Assert.Equal([1, 2, 3], events.Take(3).Select(Tick));
        Assert.Equal("", events[3].Data);
        Assert.Null(await reader.NextAsync()); // the server ends the response after complete
    }

    [Fact]
    public async Task Query_is_one_next_then_complete()
    {
        using var response = await OpenAsync("{ hello }");
        using var reader = new SseReader(await response.Content.ReadAsStreamAsync(Ct));
        var events = await reader.EventsUntilCompleteAsync();
        Assert.Equal(["next", "complete"], events.Select(e => e.Event));
        Assert.Equal("world", JsonDocument.Parse(events[0].Data).RootElement.GetProperty("data").GetProperty("hello").GetString());
    }

    [Fact]
    public async Task Heartbeat_comments_keep_an_idle_stream_alive()
    {
        using var response = await OpenAsync("subscription { ticks(count: 1, intervalMs: 5000) }", server.Open);
        using var reader = new SseReader(await response.Content.ReadAsStreamAsync(Ct));
        Assert.True((await reader.NextAsync())!.IsComment);
        Assert.True((await reader.NextAsync())!.IsComment, "a keep-alive comment arrives while no event is due");
    }

    [Fact]
    public async Task Validation_errors_arrive_inside_the_stream()
    {
        using var response = await OpenAsync("subscription { noSuchField }");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new SseReader(await response.Content.ReadAsStreamAsync(Ct));
        var events = await reader.EventsUntilCompleteAsync();
        Assert.Equal(["next", "complete"], events.Select(e => e.Event));
        Assert.True(JsonDocument.Parse(events[0].Data).RootElement.GetProperty("errors").GetArrayLength() > 0);
    }

    [Fact]
    public async Task Failing_stream_ends_with_an_error_event_then_complete()
    {
        using var response = await OpenAsync("subscription { failing(after: 1) }");
        using var reader = new SseReader(await response.Content.ReadAsStreamAsync(Ct));
        var events = await reader.EventsUntilCompleteAsync();
        Assert.Equal(["next", "next", "complete"], events.Select(e => e.Event));
        Assert.True(JsonDocument.Parse(events[1].Data).RootElement.TryGetProperty("errors", out _));
    }

    [Fact]
    public async Task Client_disconnect_disposes_the_subscription()
    {
        var tag = Guid.NewGuid().ToString("N");
        var response = await OpenAsync($"subscription {{ ticks(count: 100000, intervalMs: 20, tag: \"{tag}\") }}");
        var reader = new SseReader(await response.Content.ReadAsStreamAsync(Ct));
        Assert.True((await reader.NextAsync())!.IsComment);
        Assert.Equal("next", (await reader.NextAsync())!.Event);
        Assert.Equal(1, server.Streams.Open(tag));

        reader.Dispose();
        response.Dispose();
        await Poll.UntilAsync(() => server.Streams.Open(tag) == 0, "the stream is disposed");
    }

    [Fact]
    public async Task Stream_outlives_the_operation_timeout()
    {
        using var response = await OpenAsync("subscription { ticks(count: 3, intervalMs: 300) }", server.Open);
        using var reader = new SseReader(await response.Content.ReadAsStreamAsync(Ct));
        var events = await reader.EventsUntilCompleteAsync();
        Assert.Equal(["next", "next", "next", "complete"], events.Select(e => e.Event));
    }

    [Fact]
    public async Task Client_disconnect_cancels_the_resolver_token()
    {
        var tag = Guid.NewGuid().ToString("N");
        var response = await OpenAsync($"subscription {{ watch(tag: \"{tag}\") }}");
        var reader = new SseReader(await response.Content.ReadAsStreamAsync(Ct));
        Assert.True((await reader.NextAsync())!.IsComment);
        await Poll.UntilAsync(() => server.Streams.Open(tag) == 1, "the stream is set up");

        reader.Dispose();
        response.Dispose();
        await Poll.UntilAsync(() => server.Streams.Open(tag) == 0, "the resolver token is cancelled");
    }

    [Fact]
    public async Task Get_mutation_over_sse_gets_405()
    {
        using var response = await OpenAsync("mutation { bump }", get: true);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task Post_mutation_over_sse_runs_once()
    {
        var before = server.Counter.Value;
        using var response = await OpenAsync("mutation { bump }");
        using var reader = new SseReader(await response.Content.ReadAsStreamAsync(Ct));
        var events = await reader.EventsUntilCompleteAsync();
        Assert.Equal(["next", "complete"], events.Select(e => e.Event));
        Assert.True(server.Counter.Value > before);
    }
}
