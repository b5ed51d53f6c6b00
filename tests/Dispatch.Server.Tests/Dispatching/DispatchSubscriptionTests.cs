using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dispatch.Testing;

namespace Dispatch.Server.Tests.Dispatching;

/// <summary>
/// Live work-order feeds through third-party and plain clients: the real graphql-ws node client over WebSocket, and an
/// SSE reader over HttpClient. A subscription may start a moment after the client asks, so the test keeps changing the
/// work order (one note per poll) until the client has what it expects, within a deadline.
/// </summary>
public class DispatchSubscriptionTests(SharedServer server) : IClassFixture<SharedServer>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(45);

    private async Task<(DispatchApi Api, string Token)> DispatcherAsync()
    {
        var token = await server.TokenAsync("dana", "Dispatcher", "t" + Guid.NewGuid().ToString("N")[..10]);
        return (new DispatchApi(server.Process.AuthorizedClient(token)), token);
    }

    private string WsUrl => new UriBuilder(server.Process.BaseAddress) { Scheme = "ws", Path = "/graphql" }.Uri.ToString();

    private static Task Note(DispatchApi api, string id) =>
        api.Client.DataAsync("mutation($input: AddWorkOrderNoteInput!) { addWorkOrderNote(input: $input) { version } }", new { input = new { id, note = "poke" } });

    /// <summary>Changes the order until <paramref name="done"/> completes (or the deadline passes), then returns its result.</summary>
    private static async Task<T> ChangeUntil<T>(Task<T> done, Func<Task> change)
    {
        var until = DateTimeOffset.UtcNow + Deadline;
        while (!done.IsCompleted && DateTimeOffset.UtcNow < until)
        {
            await change();
            await Task.WhenAny(done, Task.Delay(TimeSpan.FromMilliseconds(250), TestContext.Current.CancellationToken));
        }

        Assert.True(done.IsCompleted, "the client did not receive the expected events in time");
        return await done;
    }

    [Fact]
    public async Task The_graphql_ws_client_sees_workOrderUpdated_and_boardUpdated_events_then_completes()
    {
        var (api, token) = await DispatcherAsync();
        var tech = await api.CreateTechnicianAsync();
        var order = await api.CreateOrderAsync();
        var init = JsonSerializer.Serialize(new { token });

        var single = NodeE2E.RunAsync("dispatch-subscriber.mjs", WsUrl,
            $$"""subscription { workOrderUpdated(id: "{{order}}") { kind version actor { userId } workOrder { id version } } }""", "2", init);
        var board = NodeE2E.RunAsync("dispatch-subscriber.mjs", WsUrl,
            "subscription { boardUpdated { kind workOrderId version workOrder { status } } }", "2", init);
        var both = Task.WhenAll(single, board);
        await ChangeUntil(both, () => Note(api, order));

        var (singleExit, singleOutput) = await single;
        var (boardExit, boardOutput) = await board;
        Assert.True(singleExit == 0, singleOutput);
        Assert.True(boardExit == 0, boardOutput);
        Assert.Contains("\"kind\":\"NOTE_ADDED\"", singleOutput, StringComparison.Ordinal);
        Assert.Contains("\"userId\":\"dana\"", singleOutput, StringComparison.Ordinal);
        Assert.Contains($"\"workOrderId\":\"{order}\"", boardOutput, StringComparison.Ordinal);

        // A dispatch shows on the order's feed too.
        var dispatched = NodeE2E.RunAsync("dispatch-subscriber.mjs", WsUrl,
            $$"""subscription { workOrderUpdated(id: "{{order}}") { kind workOrder { status } } }""", "1", init);
        var dispatchOnce = false;
        var output = await ChangeUntil(dispatched, async () =>
        {
            // Notes until the subscription is live is not what we want here: dispatch once, then unassign/redispatch if it was missed.
            if (dispatchOnce) await api.Client.PostAsync("mutation($input: UnassignWorkOrderInput!) { unassignWorkOrder(input: $input) { id } }", new { input = new { id = order } });
            await api.DispatchAsync(order, [tech], DispatchApi.Slot(0, 10));
            dispatchOnce = true;
        });
        Assert.True(output.ExitCode == 0, output.Output);
        Assert.Matches("\"kind\":\"(DISPATCHED|UNASSIGNED)\"", output.Output);
    }

    [Fact]
    public async Task An_sse_client_receives_the_same_events()
    {
        var (api, _) = await DispatcherAsync();
        var order = await api.CreateOrderAsync();

        using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql")
        {
            Content = new StringContent(new JsonObject
            {
                ["query"] = "subscription($id: ID!) { workOrderUpdated(id: $id) { kind version workOrder { id } } }",
                ["variables"] = new JsonObject { ["id"] = order },
            }.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cancel.CancelAfter(Deadline);
        using var response = await api.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var stream = await response.Content.ReadAsStreamAsync(cancel.Token);

        var read = Task.Run(async () =>
        {
            using var reader = new StreamReader(stream);
            var events = new List<JsonElement>();
            while (events.Count(e => Kind(e) == "NOTE_ADDED") < 2 && await reader.ReadLineAsync(cancel.Token) is { } line)
            {
                if (line.StartsWith("data:", StringComparison.Ordinal) && line.Length > 5)
                    events.Add(JsonDocument.Parse(line[5..]).RootElement.GetProperty("data").GetProperty("workOrderUpdated").Clone());
            }

            return events;
        }, cancel.Token);
        var events = await ChangeUntil(read, () => Note(api, order));

        // The order's creation was acknowledged before the stream opened, but its event may still have been on its way
        // and arrive first; every later event is one of the notes, and versions only grow.
        Assert.Equal(2, events.Count(e => Kind(e) == "NOTE_ADDED"));
        Assert.All(events, e => Assert.Contains(Kind(e), new[] { "CREATED", "NOTE_ADDED" }));
        Assert.All(events.Skip(1), e => Assert.Equal("NOTE_ADDED", Kind(e)));
        var versions = events.Select(e => e.GetProperty("version").GetInt64()).ToList();
        Assert.Equal(versions.Order().Distinct(), versions);

        static string? Kind(JsonElement e) => e.GetProperty("kind").GetString();
    }

    [Fact]
    public async Task The_board_is_for_the_office()
    {
        var technician = new DispatchApi(server.Process.AuthorizedClient(await server.TokenAsync("tess", "Technician")));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql")
        {
            Content = new StringContent("""{"query":"subscription { boardUpdated { kind } }"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await technician.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Contains("FORBIDDEN", body, StringComparison.Ordinal);
    }
}
