using Dispatch.Domain.Geo;
using Dispatch.Domain.Identity;
using Dispatch.Domain.Technicians;
using Dispatch.Domain.Tracking;
using Dispatch.Grains.Hosting;
using Dispatch.Grains.Technicians;
using Dispatch.Grains.Tests.Storage;
using Dispatch.Grains.Tracking;
using Dispatch.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Dispatch.Grains.Tests.Tracking;

/// <summary>The last known position on a real SQLite file, across a silo restart.</summary>
public class LocationPersistenceTests
{
    [Fact]
    public async Task Last_known_positions_and_the_recent_trail_survive_a_restart_on_sqlite()
    {
        using var directory = TempDirectory.Create("dispatch-tracking");
        var options = TestSilo.Options(StorageMode.Embedded, dataDirectory: directory.Path);
        var actor = new Actor("ada", "Admin", "acme", [Roles.Admin]); // devices are registered by admins
        var t0 = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeMilliseconds());
        var key = DeviceKeys.Generate();

        var first = await TestSilo.StartAsync(options, silo => silo.AddDispatchTracking());
        try
        {
            var grains = first.Grains();
            await grains.GetGrain<ITechnicianGrain>("acme/tech-1").Create(new NewTechnician { Name = "Ana" }, actor);
            await grains.GetGrain<IDeviceGrain>("acme/dev-1").Register(new NewDevice { TechnicianId = "tech-1" }, DeviceKeys.Hash(key), actor);
            var fixes = Enumerable.Range(0, 5).Select(i => new FixInput { Latitude = 29.7 + i * 0.01, Longitude = -95.3, Timestamp = t0.AddSeconds(i * 10) }).ToArray();
            var result = await grains.GetGrain<IDeviceGrain>("acme/dev-1").Ingest(DeviceKeys.Hash(key), fixes);
            Assert.Equal(5, result.Accepted);
        }
        finally
        {
            await TestSilo.StopAsync(first); // graceful: deactivation writes what the throttle had not yet written
        }

        var second = await TestSilo.StartAsync(options.WithNewPorts(), silo => silo.AddDispatchTracking());
        try
        {
            var location = second.Grains().GetGrain<ITechnicianLocationGrain>("acme/tech-1");
            var current = await location.GetCurrent();
            Assert.NotNull(current);
            Assert.Equal((29.74, t0.AddSeconds(40)), (Math.Round(current.Fix.Position.Latitude, 6), current.Fix.Timestamp));
            Assert.Equal(5, (await location.GetTrail(t0, t0.AddMinutes(1), 100)).Length);

            // A host that just started finds the tenant's last known positions for the map.
            var positions = second.Services.GetRequiredService<LivePositions>();
            var onMap = await positions.WithinAsync("acme", new BoundingBox(29, -96, 30, -95), 10);
            Assert.Equal(["tech-1"], onMap.Select(u => u.TechnicianId));

            // The device key still works after the restart, and a retry of an old fix is still a duplicate.
            var again = await second.Grains().GetGrain<IDeviceGrain>("acme/dev-1").Ingest(DeviceKeys.Hash(key),
                [new FixInput { Latitude = 29.74, Longitude = -95.3, Timestamp = t0.AddSeconds(40) }]);
            Assert.Equal((IngestStatus.Ok, 1), (again.Status, again.Duplicates));
        }
        finally
        {
            await TestSilo.StopAsync(second);
        }
    }
}
