using System.Text.Json.Nodes;
using Dispatch.GraphQL.Transport.Tests.Support;

namespace Dispatch.GraphQL.Transport.Tests;

/// <summary>graphql-transport-ws, driven by a raw ClientWebSocket so every protocol rule can be provoked.</summary>
public sealed class WebSocketTransportTests(TestServer server)
{
    private Task<WsClient> ConnectAndInitAsync(string? token = "valid") => WsClient.ConnectAndInitAsync(server.WebSocketUri(), token);

    private static string UniqueTag() => Guid.NewGuid().ToString("N");

    // ---- close codes ----

    [Fact]
    public async Task Missing_subprotocol_closes_with_4406()
    {
        await using var client = await WsClient.ConnectAsync(server.WebSocketUri(), subProtocol: null);
        var close = await client.ReceiveCloseAsync();
        Assert.Equal(4406, close.CloseCode);
    }

    [Fact]
    public async Task Browser_pages_from_other_origins_cannot_connect()
    {
        var refused = await Assert.ThrowsAsync<System.Net.WebSockets.WebSocketException>(
            () => WsClient.ConnectAsync(server.WebSocketUri(), origin: "https://evil.example"));
        Assert.Contains("403", refused.Message);

        await using var allowed = await WsClient.ConnectAsync(server.WebSocketUri(), origin: TestServer.AllowedOrigin);
        await allowed.SendAsync(WsClient.Init("valid"));
        Assert.Equal("connection_ack", (await allowed.ReceiveAsync()).Type);
    }

    [Fact]
    public async Task No_connection_init_within_the_timeout_closes_with_4408()
    {
        await using var client = await WsClient.ConnectAsync(server.WebSocketUri());
        var close = await client.ReceiveCloseAsync();
        Assert.Equal(4408, close.CloseCode);
        Assert.Equal("Connection initialisation timeout", close.CloseReason);
    }

    [Fact]
    public async Task Second_connection_init_closes_with_4429()
    {
        await using var client = await ConnectAndInitAsync();
        await client.SendAsync(WsClient.Init("valid"));
        Assert.Equal(4429, (await client.ReceiveCloseAsync()).CloseCode);
    }

    [Fact]
    public async Task An_authenticator_may_refuse_with_its_own_close_code()
    {
        await using var client = await WsClient.ConnectAsync(server.WebSocketUri());
        await client.SendAsync(WsClient.Init("busy"));
        var close = await client.ReceiveCloseAsync();
        Assert.Equal((4429, "Too many connections"), (close.CloseCode, close.CloseReason));
    }

    [Theory]
    [InlineData("wrong")]
    [InlineData("expired")]
    [InlineData(null)]
    public async Task Rejected_connection_init_closes_with_4403(string? token)
    {
        await using var client = await WsClient.ConnectAsync(server.WebSocketUri());
        await client.SendAsync(token == null ? new JsonObject { ["type"] = "connection_init" } : WsClient.Init(token));
        var close = await client.ReceiveCloseAsync();
        Assert.Equal(4403, close.CloseCode);
        Assert.Equal("Forbidden", close.CloseReason);
    }

    [Fact]
    public async Task Expiry_of_the_principal_closes_with_4403()
    {
        await using var client = await ConnectAndInitAsync("expiring");
        var close = await client.ReceiveCloseAsync();
        Assert.Equal(4403, close.CloseCode);
    }

    [Fact]
    public async Task Subscribe_before_ack_closes_with_4401()
    {
        await using var client = await WsClient.ConnectAsync(server.WebSocketUri());
        await client.SendAsync(WsClient.Subscribe("1", "{ hello }"));
        Assert.Equal(4401, (await client.ReceiveCloseAsync()).CloseCode);
    }

    [Fact]
    public async Task Duplicate_active_id_closes_with_4409()
    {
        var tag = UniqueTag();
        await using var client = await ConnectAndInitAsync();
        await client.SendAsync(WsClient.Subscribe("dup", $"subscription {{ ticks(count: 1000, intervalMs: 50, tag: \"{tag}\") }}"));
        await client.SendAsync(WsClient.Subscribe("dup", "{ hello }"));
        var close = await client.ReceiveCloseAsync();
        Assert.Equal(4409, close.CloseCode);
        Assert.Equal("Subscriber for dup already exists", close.CloseReason);
        await Poll.UntilAsync(() => server.Streams.Open(tag) == 0, "the closed socket's stream is disposed");
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("{\"payload\":{}}")]
    [InlineData("{\"type\":\"no_such_type\"}")]
    [InlineData("{\"type\":\"next\",\"id\":\"1\",\"payload\":{}}")]
    [InlineData("{\"type\":\"subscribe\",\"payload\":{\"query\":\"{ hello }\"}}")]
    [InlineData("{\"type\":\"subscribe\",\"id\":\"\",\"payload\":{\"query\":\"{ hello }\"}}")]
    [InlineData("{\"type\":\"subscribe\",\"id\":\"1\",\"payload\":{\"query\":1}}")]
    [InlineData("{\"type\":\"subscribe\",\"id\":\"1\",\"payload\":{\"query\":\"{ hello }\",\"variables\":[]}}")]
    [InlineData("{\"type\":\"subscribe\",\"id\":\"1\"}")]
    [InlineData("{\"type\":\"ping\",\"payload\":\"text\"}")]
    public async Task Invalid_messages_close_with_4400(string message)
    {
        await using var client = await ConnectAndInitAsync();
        await client.SendTextAsync(message);
        Assert.Equal(4400, (await client.ReceiveCloseAsync()).CloseCode);
    }

    // ---- messages ----

    [Fact]
    public async Task Ping_is_answered_with_pong()
    {
        await using var client = await WsClient.ConnectAsync(server.WebSocketUri());
        await client.SendTextAsync("{\"type\":\"ping\"}");
        Assert.Equal("pong", (await client.ReceiveAsync()).Type);
    }

    [Fact]
    public async Task Server_sends_keep_alive_pings()
    {
        await using var client = await WsClient.ConnectAndInitAsync(server.WebSocketUri("/graphql/open"), token: null);
        var frame = await client.ReceiveAsync(skipPings: false);
        Assert.Equal("ping", frame.Type);
        await client.SendTextAsync("{\"type\":\"pong\"}"); // answering is allowed and changes nothing
        Assert.Equal("ping", (await client.ReceiveAsync(skipPings: false)).Type);
    }

    [Fact]
    public async Task Subscription_streams_next_messages_then_complete()
    {
        await using var client = await ConnectAndInitAsync();
        await client.SendAsync(WsClient.Subscribe("s1", "subscription { ticks(count: 3) }"));
        var frames = await client.ReceiveOperationAsync("s1");
        Assert.Equal(["next", "next", "next", "complete"], frames.Select(f => f.Type));
        Assert.Equal([1, 2, 3], frames.Take(3).Select(f => f.Payload.GetProperty("data").GetProperty("ticks").GetInt32()));
    }

    [Fact]
    public async Task Variables_reach_the_subscription()
    {
        await using var client = await ConnectAndInitAsync();
        await client.SendAsync(WsClient.Subscribe("v", "subscription S($n: Int!) { ticks(count: $n) }", new JsonObject { ["n"] = 2 }));
        Assert.Equal(3, (await client.ReceiveOperationAsync("v")).Count);
    }

    [Fact]
    public async Task Client_complete_stops_the_stream()
    {
        var tag = UniqueTag();
        await using var client = await ConnectAndInitAsync();
        await client.SendAsync(WsClient.Subscribe("c", $"subscription {{ ticks(count: 100000, intervalMs: 5, tag: \"{tag}\") }}"));
        var first = await client.ReceiveAsync();
        Assert.Equal(("c", "next"), (first.Id, first.Type));

        await client.SendAsync(WsClient.Complete("c"));
        await Poll.UntilAsync(() => server.Streams.Open(tag) == 0, "the source stream is disposed");

        // Once the server has read the complete nothing more is sent for that id: the pong is the barrier.
        await client.SendTextAsync("{\"type\":\"ping\"}");
        WsFrame frame;
        while ((frame = await client.ReceiveAsync()).Type != "pong")
            Assert.Equal(("c", "next"), (frame.Id, frame.Type)); // in flight before the complete was read
        await client.SendAsync(WsClient.Subscribe("other", "{ hello }"));
        var after = await client.ReceiveAsync();
        Assert.Equal(("other", "next"), (after.Id, after.Type));
    }

    [Fact]
    public async Task Completed_id_may_be_reused()
    {
        await using var client = await ConnectAndInitAsync();
        for (var round = 0; round < 3; round++)
        {
            await client.SendAsync(WsClient.Subscribe("same", "subscription { ticks(count: 1) }"));
            Assert.Equal(["next", "complete"], (await client.ReceiveOperationAsync("same")).Select(f => f.Type));
        }
    }

    [Fact]
    public async Task Complete_for_an_unknown_id_is_ignored()
    {
        await using var client = await ConnectAndInitAsync();
        await client.SendAsync(WsClient.Complete("never-started"));
        await client.SendTextAsync("{\"type\":\"ping\"}");
        Assert.Equal("pong", (await client.ReceiveAsync()).Type);
    }

    [Fact]
    public async Task Validation_error_is_an_error_message_without_complete()
    {
        await using var client = await ConnectAndInitAsync();
        await client.SendAsync(WsClient.Subscribe("bad", "subscription { noSuchField }"));
        var error = await client.ReceiveAsync();
        Assert.Equal(("bad", "error"), (error.Id, error.Type));
        Assert.True(error.Payload.GetArrayLength() > 0);
        Assert.True(error.Payload[0].TryGetProperty("message", out _));

        await client.SendTextAsync("{\"type\":\"ping\"}");
        Assert.Equal("pong", (await client.ReceiveAsync()).Type); // no complete came before it
    }

    [Fact]
    public async Task Failing_event_stream_ends_with_error_and_no_complete()
    {
        await using var client = await ConnectAndInitAsync();
        await client.SendAsync(WsClient.Subscribe("f", "subscription { failing(after: 2) }"));
        var frames = await client.ReceiveOperationAsync("f");
        Assert.Equal(["next", "next", "error"], frames.Select(f => f.Type));

        await client.SendTextAsync("{\"type\":\"ping\"}");
        Assert.Equal("pong", (await client.ReceiveAsync()).Type);
    }

    [Fact]
    public async Task Refused_subscription_reports_its_error_then_completes()
    {
        await using var client = await ConnectAndInitAsync();
        await client.SendAsync(WsClient.Subscribe("r", "subscription { refused }"));
        var frames = await client.ReceiveOperationAsync("r");
        Assert.Equal(["next", "complete"], frames.Select(f => f.Type));
        Assert.Equal("REFUSED", frames[0].Payload.GetProperty("errors")[0].GetProperty("extensions").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Query_and_mutation_produce_one_next_and_complete()
    {
        await using var client = await ConnectAndInitAsync();
        await client.SendAsync(WsClient.Subscribe("q", "{ hello whoami me }"));
        var query = await client.ReceiveOperationAsync("q");
        Assert.Equal(["next", "complete"], query.Select(f => f.Type));
        var data = query[0].Payload.GetProperty("data");
        Assert.Equal("world", data.GetProperty("hello").GetString());
        Assert.Equal("alice", data.GetProperty("whoami").GetString()); // user context built from the ws principal
        Assert.Equal("alice", data.GetProperty("me").GetString());

        var before = server.Counter.Value;
        await client.SendAsync(WsClient.Subscribe("m", "mutation { bump }"));
        var mutation = await client.ReceiveOperationAsync("m");
        Assert.Equal(["next", "complete"], mutation.Select(f => f.Type));
        Assert.True(server.Counter.Value > before);
    }

    [Fact]
    public async Task Resolver_token_outlives_the_operation_timeout_and_ends_with_the_operation()
    {
        // /graphql/open has a 500 ms operation timeout: it bounds setting a stream up, not the stream's life.
        var tag = UniqueTag();
        await using var client = await WsClient.ConnectAndInitAsync(server.WebSocketUri("/graphql/open"), token: null);
        await client.SendAsync(WsClient.Subscribe("watch", $"subscription {{ watch(tag: \"{tag}\") }}"));
        await client.SendAsync(WsClient.Subscribe("slow", "subscription { ticks(count: 3, intervalMs: 300) }"));
        Assert.Equal(["next", "next", "next", "complete"], (await client.ReceiveOperationAsync("slow")).Select(f => f.Type));
        Assert.Equal(1, server.Streams.Open(tag)); // 900 ms later the watch's token has not fired

        await client.SendAsync(WsClient.Complete("watch"));
        await Poll.UntilAsync(() => server.Streams.Open(tag) == 0, "completing the operation cancels its resolver token");
    }

    [Fact]
    public async Task Operations_beyond_the_per_connection_limit_get_an_error()
    {
        var tag = UniqueTag();
        await using var client = await ConnectAndInitAsync();
        for (var i = 0; i < 3; i++)
            await client.SendAsync(WsClient.Subscribe($"long{i}", $"subscription {{ ticks(count: 100000, intervalMs: 100, tag: \"{tag}\") }}"));
        await client.SendAsync(WsClient.Subscribe("one-too-many", "{ hello }"));
        var frames = await client.ReceiveOperationAsync("one-too-many");
        Assert.Equal("error", Assert.Single(frames).Type);
        Assert.Equal("TOO_MANY_OPERATIONS", frames[0].Payload[0].GetProperty("extensions").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Closing_the_socket_disposes_its_subscriptions()
    {
        var tag = UniqueTag();
        var client = await ConnectAndInitAsync();
        await client.SendAsync(WsClient.Subscribe("a", $"subscription {{ ticks(count: 100000, intervalMs: 20, tag: \"{tag}\") }}"));
        await client.SendAsync(WsClient.Subscribe("b", $"subscription {{ ticks(count: 100000, intervalMs: 20, tag: \"{tag}\") }}"));
        await Poll.UntilAsync(() => server.Streams.Open(tag) == 2, "both streams run");
        await client.DisposeAsync();
        await Poll.UntilAsync(() => server.Streams.Open(tag) == 0, "both streams are disposed");
    }

    [Fact]
    public async Task Aborted_socket_disposes_its_subscriptions()
    {
        var tag = UniqueTag();
        var client = await ConnectAndInitAsync();
        await client.SendAsync(WsClient.Subscribe("a", $"subscription {{ ticks(count: 100000, intervalMs: 20, tag: \"{tag}\") }}"));
        await Poll.UntilAsync(() => server.Streams.Open(tag) == 1, "the stream runs");
        client.Socket.Abort();
        await Poll.UntilAsync(() => server.Streams.Open(tag) == 0, "the stream is disposed");
        await client.DisposeAsync();
    }

    [Fact]
    public async Task A_client_that_stops_reading_is_dropped_and_its_streams_disposed()
    {
        var tag = UniqueTag();
        var client = await ConnectAndInitAsync();
        // 64 KiB per event, never read: socket buffers fill, then the 64-message send queue, then the server gives up.
        await client.SendAsync(WsClient.Subscribe("flood", $"subscription {{ flood(count: 100000, size: 65536, tag: \"{tag}\") }}"));
        await Poll.UntilAsync(() => server.Streams.Started(tag) == 1, "the flood starts");
        await Poll.UntilAsync(() => server.Streams.Open(tag) == 0, "the stalled connection is dropped", TimeSpan.FromSeconds(30));
        client.Socket.Abort();
        await client.DisposeAsync();
    }
}
