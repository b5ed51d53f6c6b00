using Dispatch.Domain.Common;
using Dispatch.Domain.Identity;
using Dispatch.Domain.Tracking;
using Dispatch.Grains.Tracking;

namespace Dispatch.Grains.Tests.Tracking;

[Collection(TrackingClusterCollection.Name)]
public class DeviceIngestGrainTests(TrackingCluster cluster)
{
    private static FixInput Fix(DateTimeOffset at, double lat = 29.76, double lon = -95.37) =>
        new() { Latitude = lat, Longitude = lon, Timestamp = at, AccuracyMeters = 5 };

    [Fact]
    public async Task A_valid_batch_moves_the_technician_and_reports_the_interval()
    {
        var (tech, device, key) = await cluster.NewDeviceAsync("acme");
        var now = DateTimeOffset.UtcNow;

        var result = await cluster.Grains.GetGrain<IDeviceGrain>($"acme/{device}")
            .Ingest(DeviceKeys.Hash(key), [Fix(now.AddSeconds(-10), 29.70), Fix(now.AddSeconds(-5), 29.71)]);
        var current = await cluster.Grains.GetGrain<ITechnicianLocationGrain>($"acme/{tech}").GetCurrent();

        Assert.Equal((IngestStatus.Ok, 2, 0, 30), (result.Status, result.Accepted, result.Duplicates, result.ReportingIntervalSeconds));
        Assert.Equal(29.71, current!.Fix.Position.Latitude);
        Assert.Equal(device, current.Fix.Source);
    }

    [Fact]
    public async Task Duplicates_are_idempotent_and_late_fixes_never_move_the_position_back()
    {
        var (tech, device, key) = await cluster.NewDeviceAsync("acme");
        var grain = cluster.Grains.GetGrain<IDeviceGrain>($"acme/{device}");
        var now = DateTimeOffset.UtcNow;
        var batch = new[] { Fix(now.AddSeconds(-30), 29.70), Fix(now.AddSeconds(-10), 29.72) };

        var first = await grain.Ingest(DeviceKeys.Hash(key), batch);
        var retry = await grain.Ingest(DeviceKeys.Hash(key), batch);
        var late = await grain.Ingest(DeviceKeys.Hash(key), [Fix(now.AddSeconds(-20), 29.71)]);
        var location = cluster.Grains.GetGrain<ITechnicianLocationGrain>($"acme/{tech}");

        Assert.Equal((2, 0), (first.Accepted, first.Duplicates));
        Assert.Equal((2, 2), (retry.Accepted, retry.Duplicates));
        Assert.Equal((1, 0), (late.Accepted, late.Duplicates));
        Assert.Equal(29.72, (await location.GetCurrent())!.Fix.Position.Latitude);
        var trail = await location.GetTrail(now.AddMinutes(-1), now, 100);
        Assert.Equal([29.70, 29.71, 29.72], trail.Select(f => f.Position.Latitude));
    }

    [Fact]
    public async Task Invalid_fixes_are_rejected_with_reasons_and_the_rest_is_kept()
    {
        var (tech, device, key) = await cluster.NewDeviceAsync("acme");
        var now = DateTimeOffset.UtcNow;

        var result = await cluster.Grains.GetGrain<IDeviceGrain>($"acme/{device}").Ingest(DeviceKeys.Hash(key),
        [
            Fix(now.AddSeconds(-3)),
            Fix(now.AddSeconds(-2), lat: 95),
            Fix(now.AddHours(1)),
            Fix(now.AddSeconds(-1)) with { AccuracyMeters = 50_000 },
        ]);

        Assert.Equal(1, result.Accepted);
        Assert.Equal([(1, FixRejectionCodes.InvalidCoordinates), (2, FixRejectionCodes.TimestampInFuture), (3, FixRejectionCodes.InvalidAccuracy)],
            result.Rejected.Select(r => (r.Index, r.Code)));
        Assert.NotNull(await cluster.Grains.GetGrain<ITechnicianLocationGrain>($"acme/{tech}").GetCurrent());
    }

    [Fact]
    public async Task Wrong_keys_unknown_and_revoked_devices_store_nothing()
    {
        var (tech, device, key) = await cluster.NewDeviceAsync("acme");
        var grain = cluster.Grains.GetGrain<IDeviceGrain>($"acme/{device}");
        var now = DateTimeOffset.UtcNow;

        var wrongKey = await grain.Ingest(DeviceKeys.Hash(key + "x"), [Fix(now)]);
        var noKey = await grain.Ingest(null, [Fix(now)]); // only OsmAnd devices may go without a key
        var unknown = await cluster.Grains.GetGrain<IDeviceGrain>("acme/never-registered").Ingest(DeviceKeys.Hash(key), [Fix(now)]);
        var info = await grain.Revoke(TrackingCluster.Admin("acme"));
        var revoked = await grain.Ingest(DeviceKeys.Hash(key), [Fix(now)]);

        Assert.All(new[] { wrongKey, noKey, unknown, revoked }, r => Assert.Equal(IngestStatus.Unauthorized, r.Status));
        Assert.NotNull(info.RevokedAt);
        Assert.Null(await cluster.Grains.GetGrain<ITechnicianLocationGrain>($"acme/{tech}").GetCurrent());
    }

    [Fact]
    public async Task The_rate_limit_refuses_a_whole_batch_beyond_the_burst()
    {
        var (tech, device, key) = await cluster.NewDeviceAsync("acme");
        var grain = cluster.Grains.GetGrain<IDeviceGrain>($"acme/{device}");
        var now = DateTimeOffset.UtcNow;
        FixInput[] Batch(int offset, int count) => Enumerable.Range(offset, count).Select(i => Fix(now.AddSeconds(-200 + i))).ToArray();

        var first = await grain.Ingest(DeviceKeys.Hash(key), Batch(0, TrackingCluster.Burst - 5));
        var overflow = await grain.Ingest(DeviceKeys.Hash(key), Batch(100, 10));

        Assert.Equal(IngestStatus.Ok, first.Status);
        Assert.Equal(IngestStatus.RateLimited, overflow.Status);
        Assert.True(overflow.RetryAfterSeconds > 0);
        var trail = await cluster.Grains.GetGrain<ITechnicianLocationGrain>($"acme/{tech}").GetTrail(now.AddHours(-1), now, 1000);
        Assert.Equal(TrackingCluster.Burst - 5, trail.Length);
    }

    [Fact]
    public async Task An_admitted_device_is_taken_by_its_location_grain_alone_until_its_revocation_withdraws_it()
    {
        var (tech, device, key) = await cluster.NewDeviceAsync("acme");
        var grain = cluster.Grains.GetGrain<IDeviceGrain>($"acme/{device}");
        var location = cluster.Grains.GetGrain<ITechnicianLocationGrain>($"acme/{tech}");
        var now = DateTimeOffset.UtcNow;

        var beforeAdmission = await location.IngestFromDevice(device, DeviceKeys.Hash(key), [Fix(now.AddSeconds(-9), 29.70)]);
        var admitting = await grain.Ingest(DeviceKeys.Hash(key), [Fix(now.AddSeconds(-8), 29.71)]);
        var direct = await location.IngestFromDevice(device, DeviceKeys.Hash(key), [Fix(now.AddSeconds(-7), 29.72), Fix(now.AddHours(1))]);
        var wrongKey = await location.IngestFromDevice(device, DeviceKeys.Hash(key + "x"), [Fix(now.AddSeconds(-6), 29.73)]);
        var keyless = await location.IngestFromDevice(device, null, [Fix(now.AddSeconds(-6), 29.73)]);
        await grain.Revoke(TrackingCluster.Admin("acme"));
        var afterRevocation = await location.IngestFromDevice(device, DeviceKeys.Hash(key), [Fix(now.AddSeconds(-5), 29.74)]);

        Assert.Equal(IngestStatus.NotAdmitted, beforeAdmission.Status);
        Assert.Equal((IngestStatus.Ok, tech), (admitting.Status, admitting.TechnicianId));
        Assert.Equal((IngestStatus.Ok, 1, tech), (direct.Status, direct.Accepted, direct.TechnicianId));
        Assert.Equal([FixRejectionCodes.TimestampInFuture], direct.Rejected.Select(r => r.Code));
        Assert.All(new[] { wrongKey, keyless, afterRevocation }, r => Assert.Equal(IngestStatus.NotAdmitted, r.Status));
        Assert.Equal(29.72, (await location.GetCurrent())!.Fix.Position.Latitude);
    }

    [Fact]
    public async Task The_rate_limit_is_one_bucket_whichever_path_a_request_takes()
    {
        var (tech, device, key) = await cluster.NewDeviceAsync("acme");
        var now = DateTimeOffset.UtcNow;
        FixInput[] Batch(int offset, int count) => Enumerable.Range(offset, count).Select(i => Fix(now.AddSeconds(-200 + i))).ToArray();

        var throughDevice = await cluster.Grains.GetGrain<IDeviceGrain>($"acme/{device}").Ingest(DeviceKeys.Hash(key), Batch(0, TrackingCluster.Burst - 5));
        var direct = await cluster.Grains.GetGrain<ITechnicianLocationGrain>($"acme/{tech}").IngestFromDevice(device, DeviceKeys.Hash(key), Batch(100, 10));

        Assert.Equal(IngestStatus.Ok, throughDevice.Status);
        Assert.Equal(IngestStatus.RateLimited, direct.Status);
    }

    [Fact]
    public async Task Registration_checks_roles_tenant_technician_and_osmand_identifiers()
    {
        var (tech, device, _) = await cluster.NewDeviceAsync("acme", osmAnd: true);
        var technicianActor = new Actor("t", "T", "acme", [Roles.Technician]);
        var hash = DeviceKeys.Hash(DeviceKeys.Generate());

        var forbidden = await Assert.ThrowsAsync<DomainException>(() =>
            cluster.Grains.GetGrain<IDeviceGrain>("acme/x-1").Register(new NewDevice { TechnicianId = tech }, hash, technicianActor));
        var stranger = await Assert.ThrowsAsync<DomainException>(() =>
            cluster.Grains.GetGrain<IDeviceGrain>("acme/x-2").Register(new NewDevice { TechnicianId = tech }, hash, TrackingCluster.Admin("globex")));
        var noTechnician = await Assert.ThrowsAsync<DomainException>(() =>
            cluster.Grains.GetGrain<IDeviceGrain>("acme/x-3").Register(new NewDevice { TechnicianId = "nobody" }, hash, TrackingCluster.Admin("acme")));
        var twice = await Assert.ThrowsAsync<DomainException>(() =>
            cluster.Grains.GetGrain<IDeviceGrain>($"acme/{device}").Register(new NewDevice { TechnicianId = tech }, hash, TrackingCluster.Admin("acme")));
        var (otherTech, _, _) = await cluster.NewDeviceAsync("globex");
        var idTaken = await Assert.ThrowsAsync<DomainException>(() =>
            cluster.Grains.GetGrain<IDeviceGrain>($"globex/{device}").Register(new NewDevice { TechnicianId = otherTech, OsmAnd = true }, hash, TrackingCluster.Admin("globex")));

        Assert.Equal([ErrorCodes.Forbidden, ErrorCodes.Forbidden, ErrorCodes.NotFound, ErrorCodes.AlreadyExists, ErrorCodes.AlreadyExists],
            new[] { forbidden, stranger, noTechnician, twice, idTaken }.Select(e => e.Code));
        Assert.Equal(new OsmAndTarget("acme", device), await cluster.Grains.GetGrain<IOsmAndIdGrain>(device).Resolve());
    }

    [Fact]
    public async Task An_osmand_device_may_ingest_by_its_registered_id_and_revocation_frees_the_id()
    {
        var (_, device, _) = await cluster.NewDeviceAsync("acme", osmAnd: true);
        var grain = cluster.Grains.GetGrain<IDeviceGrain>($"acme/{device}");

        var byId = await grain.Ingest(null, [Fix(DateTimeOffset.UtcNow)]);
        await grain.Revoke(TrackingCluster.Admin("acme"));

        Assert.Equal(IngestStatus.Ok, byId.Status);
        Assert.Null(await cluster.Grains.GetGrain<IOsmAndIdGrain>(device).Resolve());
    }

    [Fact]
    public async Task The_app_path_accepts_only_the_technicians_own_user()
    {
        var (tech, _, _) = await cluster.NewDeviceAsync("acme");
        var location = cluster.Grains.GetGrain<ITechnicianLocationGrain>($"acme/{tech}");
        var fix = FixValidator.Validate(Fix(DateTimeOffset.UtcNow), 0, "app:x", DateTimeOffset.UtcNow, new FixLimits()).Fix!;

        var own = await location.ReportAsUser("user-" + tech, [fix]);
        var other = await Assert.ThrowsAsync<DomainException>(() => location.ReportAsUser("someone-else", [fix]));

        Assert.Equal(FixOutcome.Current, own.Outcomes[0]);
        Assert.Equal(ErrorCodes.Forbidden, other.Code);
    }

    [Fact]
    public async Task The_reporting_interval_follows_the_activity_set_by_the_lifecycle()
    {
        var (tech, device, key) = await cluster.NewDeviceAsync("acme");
        var location = cluster.Grains.GetGrain<ITechnicianLocationGrain>($"acme/{tech}");
        await cluster.Grains.GetGrain<IDeviceGrain>($"acme/{device}").Ingest(DeviceKeys.Hash(key), [Fix(DateTimeOffset.UtcNow, 29.76, -95.37)]);

        await location.SetActivity(TechnicianActivity.EnRoute, new TravelDestination(new Domain.Geo.GeoPoint(29.90, -95.37)), TrackingCluster.Dispatcher("acme"));
        var farAway = await location.GetReportingIntervalSeconds();
        await location.SetActivity(TechnicianActivity.EnRoute, new TravelDestination(new Domain.Geo.GeoPoint(29.77, -95.37)), TrackingCluster.Dispatcher("acme"));
        var near = await location.GetReportingIntervalSeconds();
        await location.SetActivity(TechnicianActivity.OffShift, null, TrackingCluster.Dispatcher("acme"));

        Assert.Equal((15, 5, 300), (farAway, near, await location.GetReportingIntervalSeconds()));
    }
}
