using Dispatch.Domain.Tracking;

namespace Dispatch.Domain.Tests.Tracking;

public class DeviceAdmissionsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    private static readonly string Key = DeviceKeys.Hash("the-key");

    private static TokenBucket NewBucket() => new(capacity: 10, refillPerSecond: 1, T0);

    [Fact]
    public void An_admitted_device_is_found_with_its_key_and_not_with_another_or_none()
    {
        var admissions = new DeviceAdmissions(Lifetime);
        var bucket = admissions.Admit(new DeviceAdmission("dev-1", Key, OsmAnd: false), T0, NewBucket);

        Assert.Same(bucket, admissions.Find("dev-1", Key, T0.AddMinutes(1)));
        Assert.Null(admissions.Find("dev-1", DeviceKeys.Hash("another-key"), T0));
        Assert.Null(admissions.Find("dev-1", null, T0)); // keyless only for OsmAnd devices
        Assert.Null(admissions.Find("dev-2", Key, T0));
    }

    [Fact]
    public void An_osmand_device_is_found_by_its_id_alone_or_with_its_key()
    {
        var admissions = new DeviceAdmissions(Lifetime);
        var bucket = admissions.Admit(new DeviceAdmission("osm-1", Key, OsmAnd: true), T0, NewBucket);

        Assert.Same(bucket, admissions.Find("osm-1", null, T0));
        Assert.Same(bucket, admissions.Find("osm-1", Key, T0));
        Assert.Null(admissions.Find("osm-1", DeviceKeys.Hash("wrong"), T0));
    }

    [Fact]
    public void An_admission_lapses_after_its_lifetime_so_the_device_grain_is_asked_again()
    {
        var admissions = new DeviceAdmissions(Lifetime);
        admissions.Admit(new DeviceAdmission("dev-1", Key, false), T0, NewBucket);

        Assert.NotNull(admissions.Find("dev-1", Key, T0 + Lifetime - TimeSpan.FromMilliseconds(1)));
        Assert.Null(admissions.Find("dev-1", Key, T0 + Lifetime));
        Assert.Equal(0, admissions.Count); // a lapsed entry is dropped, not kept
    }

    [Fact]
    public void A_withdrawn_device_is_no_longer_found()
    {
        var admissions = new DeviceAdmissions(Lifetime);
        admissions.Admit(new DeviceAdmission("dev-1", Key, false), T0, NewBucket);

        Assert.True(admissions.Withdraw("dev-1"));
        Assert.Null(admissions.Find("dev-1", Key, T0));
        Assert.False(admissions.Withdraw("dev-1"));
    }

    [Fact]
    public void Readmitting_with_the_same_key_keeps_the_rate_limit_and_a_new_key_starts_afresh()
    {
        var admissions = new DeviceAdmissions(Lifetime);
        var first = admissions.Admit(new DeviceAdmission("dev-1", Key, false), T0, NewBucket);
        Assert.True(first.TryTake(10, T0, out _));

        // The periodic check with the device grain must not forgive a burst.
        var again = admissions.Admit(new DeviceAdmission("dev-1", Key, false), T0 + Lifetime, NewBucket);
        var newKey = DeviceKeys.Hash("a-new-key");
        var reissued = admissions.Admit(new DeviceAdmission("dev-1", newKey, false), T0 + Lifetime, NewBucket);

        Assert.Same(first, again);
        Assert.NotSame(first, reissued);
        Assert.Null(admissions.Find("dev-1", Key, T0 + Lifetime)); // the old key is gone with the new admission
        Assert.Same(reissued, admissions.Find("dev-1", newKey, T0 + Lifetime + TimeSpan.FromMinutes(4)));
    }
}
