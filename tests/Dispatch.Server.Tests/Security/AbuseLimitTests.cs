using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Dispatch.Testing;

namespace Dispatch.Server.Tests.Security;

/// <summary>A server with tight limits, so each abuse limit is reached by a handful of requests.</summary>
public sealed class LimitedServer : IAsyncLifetime
{
    private readonly EmbeddedServer _server = EmbeddedServer.InNewDirectory();

    public ServerProcess Process => _server.Process;

    public Task<string> TokenAsync(string user, string role = "Dispatcher") => _server.TokenAsync(user, role);

    public async ValueTask InitializeAsync() => await _server.StartAsync(
        "--Dispatch:Limits:RequestsPerSecond=1", "--Dispatch:Limits:RequestBurst=3", "--Dispatch:Limits:WebSocketsPerUser=2",
        "--Dispatch:Limits:RequestHeadersTimeout=00:00:02", "--Dispatch:GraphQL:MaxAliases=3");

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}

/// <summary>
/// Abuse limits on the real process: per-user rate limit (429, Retry-After, problem body or GraphQL RATE_LIMITED), per-user
/// WebSocket limit (4429), alias limit, no batching, body size, slow-header timeout, introspection off in production,
/// security headers on every response.
/// </summary>
public class AbuseLimitTests(LimitedServer server) : IClassFixture<LimitedServer>
{
    [Fact]
    public async Task A_user_over_its_rate_gets_429_with_retry_after_while_another_user_is_served()
    {
        using var greedy = server.Process.AuthorizedClient(await server.TokenAsync("greedy-" + Guid.NewGuid().ToString("N")[..6]));
        using var calm = server.Process.AuthorizedClient(await server.TokenAsync("calm-" + Guid.NewGuid().ToString("N")[..6]));

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 10 && limited is null; i++)
        {
            var response = await greedy.GetAsync("/api/v1/me");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests) limited = response;
            else response.Dispose();
        }

        Assert.True(limited is not null, "no 429 among: " + string.Join(", ", statuses));
        using (limited)
        {
            Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
            Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
            Assert.Equal("RATE_LIMITED", (await limited.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        }

        using var graphql = await greedy.PostAsJsonAsync("/graphql", new { query = "{ __typename }" });
        Assert.Equal(HttpStatusCode.TooManyRequests, graphql.StatusCode);
        Assert.Equal("RATE_LIMITED", (await graphql.Content.ReadFromJsonAsync<JsonElement>()).ErrorCode());
        using var other = await calm.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task A_user_holds_at_most_its_websocket_allowance_and_gets_a_slot_back_when_one_closes()
    {
        var token = await server.TokenAsync("sockets-" + Guid.NewGuid().ToString("N")[..6]);
        // Empty this address's anonymous bucket first: a socket's upgrade carries no token (it comes in connection_init),
        // and must not be counted there, or every dashboard behind one proxy would share it.
        var drained = false;
        for (var i = 0; i < 20 && !drained; i++)
        {
            using var response = await server.Process.Http.GetAsync("/api/v1/me");
            drained = response.StatusCode == HttpStatusCode.TooManyRequests;
        }

        Assert.True(drained, "the anonymous bucket never ran out");

        var first = await SecurityProbes.InitAsync(server.Process.BaseAddress, token);
        var second = await SecurityProbes.InitAsync(server.Process.BaseAddress, token);
        var third = await SecurityProbes.InitAsync(server.Process.BaseAddress, token);
        third.Socket.Dispose();
        Assert.Equal(("ack", "ack", "4429"), (first.Outcome, second.Outcome, third.Outcome));

        await first.Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        first.Socket.Dispose();
        var again = "";
        await Eventually.Until(async () =>
        {
            var attempt = await SecurityProbes.InitAsync(server.Process.BaseAddress, token);
            again = attempt.Outcome;
            if (again != "ack") attempt.Socket.Dispose();
            else second.Socket.Dispose();
            return again == "ack";
        }, TimeSpan.FromSeconds(15), "a closed socket gives its slot back");
    }

    [Fact]
    public async Task Aliases_batches_and_oversized_bodies_are_refused_before_anything_runs()
    {
        // Two users, so the burst of 3 (Dispatch:Limits:RequestBurst) is not what answers.
        using var client = server.Process.AuthorizedClient(await server.TokenAsync("shape-" + Guid.NewGuid().ToString("N")[..6]));
        using var other = server.Process.AuthorizedClient(await server.TokenAsync("shape-" + Guid.NewGuid().ToString("N")[..6]));

        var three = await client.PostAsync("{ a: __typename b: __typename c: __typename }");
        var four = await client.PostAsync("{ a: __typename b: __typename c: __typename d: __typename }");
        using var batch = await other.PostAsync("/graphql", new StringContent("""[{"query":"{ __typename }"},{"query":"{ __typename }"}]""", Encoding.UTF8, "application/json"));
        // Sent as curl sends large bodies (Expect: 100-continue), so the 413 is read instead of racing the server's
        // close of a connection whose oversized body it will not read.
        using var hugeRequest = new HttpRequestMessage(HttpMethod.Post, "/graphql")
        {
            Content = new StringContent(
                JsonSerializer.Serialize(new { query = "{ __typename }", variables = new { pad = new string('x', 1_100_000) } }), Encoding.UTF8, "application/json"),
        };
        hugeRequest.Headers.ExpectContinue = true;
        using var huge = await other.SendAsync(hugeRequest);

        Assert.Null(three.ErrorCode());
        Assert.Equal("TOO_MANY_ALIASES", four.ErrorCode());
        Assert.Equal(HttpStatusCode.BadRequest, batch.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
    }

    [Fact]
    public async Task Introspection_is_off_in_production_by_default()
    {
        using var client = server.Process.AuthorizedClient(await server.TokenAsync("curious-" + Guid.NewGuid().ToString("N")[..6]));

        var schema = await client.PostAsync("{ __schema { queryType { name } } }");

        Assert.NotNull(schema.ErrorCode());
        Assert.DoesNotContain("\"Query\"", schema.ToString());
    }

    [Fact]
    public async Task A_client_that_never_finishes_its_headers_is_disconnected()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Process.BaseAddress.Host, server.Process.BaseAddress.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync("GET /health/live HTTP/1.1\r\nHost: localhost\r\nX-Slow: "u8.ToArray());

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var buffer = new byte[1024];
        var answer = new StringBuilder();
        int read;
        while ((read = await stream.ReadAsync(buffer, deadline.Token)) > 0)
        {
            answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        // Kestrel answers 408 (or just closes) once RequestHeadersTimeout (2 s here) passes; never a 200.
        Assert.DoesNotContain("200 OK", answer.ToString());
    }

    [Fact]
    public async Task Device_ingest_answers_for_itself_and_skips_the_user_token_pipeline()
    {
        // A bearer token means nothing to the ingest endpoints (devices present their own key): even a malformed one is
        // not refused by the token pipeline, the endpoint asks for the device key instead.
        using var badToken = server.Process.AuthorizedClient("not-a-token");
        using var response = await badToken.PostAsJsonAsync("/api/v1/locations", new { fixes = Array.Empty<object>() });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Device", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Every_response_carries_the_security_headers_and_no_server_banner()
    {
        using var anonymous = new HttpClient { BaseAddress = server.Process.BaseAddress };
        using var badToken = server.Process.AuthorizedClient("not-a-token");
        var responses = new[]
        {
            await anonymous.GetAsync("/health/live"),
            await anonymous.PostAsJsonAsync("/graphql", new { query = "{ __typename }" }),
            await badToken.GetAsync("/api/v1/me"),
            await anonymous.GetAsync("/no/such/path"),
            // Device ingest is short-circuited in routing (no user pipeline): the headers are set before it.
            await anonymous.PostAsJsonAsync("/api/v1/locations", new { fixes = Array.Empty<object>() }),
            await anonymous.GetAsync("/osmand?id=nobody&lat=1&lon=1"),
        };

        foreach (var response in responses)
        {
            using (response)
            {
                var path = response.RequestMessage!.RequestUri!.AbsolutePath;
                Assert.True(response.Headers.TryGetValues("X-Content-Type-Options", out var nosniff) && nosniff.Single() == "nosniff", path);
                Assert.True(response.Headers.TryGetValues("X-Frame-Options", out var frames) && frames.Single() == "DENY", path);
                Assert.True(response.Headers.TryGetValues("Referrer-Policy", out var referrer) && referrer.Single() == "no-referrer", path);
                Assert.True(response.Headers.TryGetValues("Content-Security-Policy", out var csp) && csp.Single().Contains("frame-ancestors 'none'"), path);
                Assert.False(response.Headers.Contains("Server"), path);
            }
        }
    }
}
