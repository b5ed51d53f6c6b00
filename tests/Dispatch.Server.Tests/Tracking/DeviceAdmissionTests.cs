using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Dispatch.Testing;

namespace Dispatch.Server.Tests.Tracking;

/// <summary>
/// A device's requests go straight to its technician's location grain once its own grain has admitted it there
/// (<c>DeviceIngest</c>). These tests race that shortcut against what must stop it: a revocation, and a device id
/// re-registered to another technician.
/// </summary>
public class DeviceAdmissionTests(SharedTrackingServer shared) : IClassFixture<SharedTrackingServer>
{
    private const string Position = "query($id: ID!) { technicianPosition(technicianId: $id) { position { latitude } } }";
    private TrackingServer Server => shared.Server;

    [Fact]
    public async Task A_revocation_racing_many_posts_refuses_every_request_sent_after_it_and_stores_none_of_them()
    {
        var device = await Server.NewDeviceAsync();
        using var admin = Server.Client(Server.Token("ada", "Admin"));
        using var dispatcher = Server.Client(Server.Token("dana", "Dispatcher"));
        using var client = Server.DeviceClient(device.Credential);
        var origin = DateTimeOffset.UtcNow.AddMinutes(-10);
        // Request n carries one fix, later and further north the larger n is, so the stored position names the newest
        // request that was stored.
        static double Latitude(int n) => 29.0 + n * 0.0001;
        object Body(int n) => new { fixes = new[] { TrackingServer.Fix(Latitude(n), -95.3, origin.AddMilliseconds(100 * n)) } };
        await Server.PostFixesAsync(device, TrackingServer.Fix(Latitude(0), -95.3, origin)); // admitted: the shortcut is what races

        var next = 0;
        var accepted = 0;
        var fortyAccepted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var answers = new ConcurrentBag<(int N, long StartedAt, HttpStatusCode Status)>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        async Task PostUntilRefusedAsync()
        {
            while (DateTime.UtcNow < deadline)
            {
                var n = Interlocked.Increment(ref next);
                var startedAt = Stopwatch.GetTimestamp();
                using var response = await client.PostAsJsonAsync("/api/v1/locations", Body(n));
                answers.Add((n, startedAt, response.StatusCode));
                if (response.StatusCode != HttpStatusCode.OK)
                    return;
                if (Interlocked.Increment(ref accepted) == 40)
                    fortyAccepted.TrySetResult();
            }
        }

        var posters = Enumerable.Range(0, 8).Select(_ => Task.Run(PostUntilRefusedAsync)).ToArray();
        // Revoke mid-stream: once forty posts were stored (or the posters stopped without them; the assertions say so).
        await Task.WhenAny(fortyAccepted.Task, Task.WhenAll(posters)).WaitAsync(TimeSpan.FromSeconds(60));
        await admin.DataAsync("mutation($id: ID!) { revokeDevice(id: $id) { revokedAt } }", new { id = device.DeviceId });
        var revokedAt = Stopwatch.GetTimestamp();
        await Task.WhenAll(posters);

        Assert.All(answers, a => Assert.Contains(a.Status, new[] { HttpStatusCode.OK, HttpStatusCode.Unauthorized }));
        Assert.True(answers.Count(a => a.Status == HttpStatusCode.OK) >= 40, "the posters were refused before the revocation");
        Assert.All(answers.Where(a => a.StartedAt > revokedAt), a => Assert.Equal(HttpStatusCode.Unauthorized, a.Status));
        Assert.Equal(8, answers.Count(a => a.Status == HttpStatusCode.Unauthorized)); // each poster stopped on its refusal
        var newestStored = answers.Where(a => a.Status == HttpStatusCode.OK).Max(a => a.N);
        var position = (await dispatcher.DataAsync(Position, new { id = device.TechnicianId })).GetProperty("technicianPosition");
        Assert.Equal(Latitude(newestStored), position.GetProperty("position").GetProperty("latitude").GetDouble(), 9);
    }

    [Fact]
    public async Task A_device_id_registered_again_for_another_technician_moves_that_technician_from_its_first_request()
    {
        var first = await Server.NewDeviceAsync();
        var second = await Server.NewDeviceAsync(); // only its technician is used
        using var admin = Server.Client(Server.Token("ada", "Admin"));
        using var dispatcher = Server.Client(Server.Token("dana", "Dispatcher"));
        var now = DateTimeOffset.UtcNow;
        await Server.PostFixesAsync(first, TrackingServer.Fix(29.5, -95.3, now.AddSeconds(-30))); // the server now routes this id to the first technician

        await admin.DataAsync("mutation($id: ID!) { revokeDevice(id: $id) { revokedAt } }", new { id = first.DeviceId });
        var moved = await Server.RegisterDeviceAsync(second.TechnicianId, second.UserId, deviceId: first.DeviceId);
        using var oldKey = Server.DeviceClient(first.Credential);
        using var refused = await oldKey.PostAsJsonAsync("/api/v1/locations", new { fixes = new[] { TrackingServer.Fix(29.9, -95.3, now.AddSeconds(-20)) } });
        var answer = await Server.PostFixesAsync(moved, TrackingServer.Fix(29.6, -95.3, now.AddSeconds(-10)));

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(1, answer.GetProperty("accepted").GetInt32());
        async Task<double> LatitudeAsync(string technicianId) => (await dispatcher.DataAsync(Position, new { id = technicianId }))
            .GetProperty("technicianPosition").GetProperty("position").GetProperty("latitude").GetDouble();
        Assert.Equal(29.5, await LatitudeAsync(first.TechnicianId));
        Assert.Equal(29.6, await LatitudeAsync(second.TechnicianId));
    }
}
