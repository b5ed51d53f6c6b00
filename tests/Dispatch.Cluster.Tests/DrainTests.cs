using System.Net;
using System.Text;
using System.Text.Json;
using Dispatch.Testing;

namespace Dispatch.Cluster.Tests;

/// <summary>SIGTERM on a busy silo: readiness turns 503 while the silo is still a member, and a request in flight finishes.</summary>
[Collection(ClusterCollection.Name)]
public class DrainTests(PostgresServer postgres)
{
    public const string Tenant = "drain";

    [Fact]
    public async Task A_request_in_flight_during_SIGTERM_completes_and_readiness_fails_before_the_silo_leaves()
    {
        await using var cluster = await SiloCluster.StartAsync(postgres, size: 2,
            new Dictionary<string, string> { ["Dispatch__ShutdownDrainSeconds"] = "3" });
        var token = cluster.Token("dana", "Dispatcher", Tenant);
        var id = "drain-" + Guid.NewGuid().ToString("N")[..8];

        // A mutation whose body arrives in two parts: the server has the request and waits for the rest.
        var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
        {
            query = "mutation($input: CreateWorkOrderInput!) { createWorkOrder(input: $input) { id status } }",
            variables = new { input = new { id, title = "Held", customer = new { name = "C" }, site = new { address = "1 Main St" } } },
        }));
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var content = new HeldBody(body[..(body.Length / 2)], body[(body.Length / 2)..], release.Task);
        content.Headers.ContentType = new("application/json");
        using var client = cluster.Client(1, token);
        client.Timeout = TimeSpan.FromSeconds(90);
        var inFlight = client.PostAsync("/graphql", content);
        await content.FirstPartSent;

        var stopped = cluster[1].StopAsync(TimeSpan.FromSeconds(60));

        // Readiness fails at once, while the silo is still an active member (the other silo still sees two).
        await Eventually.Until(async () => (await cluster[1].Http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.ServiceUnavailable,
            TimeSpan.FromSeconds(3), "readiness turns 503 during the drain", TimeSpan.FromMilliseconds(50));
        Assert.Equal(2, (await cluster.MembershipAsync(0)).Silos.Length);

        // After the drain the listener closes; the request already in flight is still being served.
        await Eventually.Until(async () =>
        {
            try
            {
                using var probe = new HttpClient { BaseAddress = cluster[1].BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
                await probe.GetAsync("/health/live");
                return false;
            }
            catch (HttpRequestException)
            {
                return true;
            }
        }, TimeSpan.FromSeconds(20), "the listener closes after the drain", TimeSpan.FromMilliseconds(100));
        Assert.False(cluster[1].HasExited, "the process waits for the request in flight");
        Assert.Equal(2, (await cluster.MembershipAsync(0)).Silos.Length);

        release.SetResult();
        using var response = await inFlight;
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(id, JsonDocument.Parse(text).RootElement.GetProperty("data").GetProperty("createWorkOrder").GetProperty("id").GetString());

        // Then it exits cleanly and leaves the cluster; the write is there.
        Assert.Equal(0, await stopped);
        await cluster.WaitForMembersAsync(1, TimeSpan.FromSeconds(20));
        using var survivor = cluster.Client(0, token);
        Assert.Equal("CREATED", (await survivor.DataAsync("query($id: ID!) { workOrder(id: $id) { status } }", new { id }))
            .GetProperty("workOrder").GetProperty("status").GetString());
    }

    /// <summary>A body sent in two parts, the second only once <c>release</c> completes.</summary>
    private sealed class HeldBody(byte[] first, byte[] rest, Task release) : HttpContent
    {
        private readonly TaskCompletionSource _firstSent = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task FirstPartSent => _firstSent.Task;

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            await stream.WriteAsync(first);
            await stream.FlushAsync();
            _firstSent.TrySetResult();
            await release;
            await stream.WriteAsync(rest);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = first.Length + rest.Length;
            return true;
        }
    }
}
