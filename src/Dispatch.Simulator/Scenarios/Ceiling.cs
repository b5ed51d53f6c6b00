using System.Text;
using Dispatch.Simulator.Infrastructure;

namespace Dispatch.Simulator.Scenarios;

/// <summary>Measured ceilings: the no-op HTTP endpoint driven by this simulator's own client.</summary>
public static class Ceiling
{
    public static async Task<LoadResult> NoOpHttpAsync(int connections, TimeSpan duration, int bodyBytes)
    {
        await using var server = await NoOpServer.StartAsync();
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = connections };
        using var http = new HttpClient(handler) { BaseAddress = server.Address };
        var body = Encoding.UTF8.GetBytes("{\"fixes\":[" + new string(' ', Math.Max(0, bodyBytes - 12)) + "]}");
        return await LoadRunner.RunAsync("no-op HTTP", connections, duration, async (_, _, ct) =>
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new("application/json");
            using var response = await http.PostAsync("/noop", content, ct);
            response.EnsureSuccessStatusCode();
        }, warmup: TimeSpan.FromSeconds(2));
    }
}
