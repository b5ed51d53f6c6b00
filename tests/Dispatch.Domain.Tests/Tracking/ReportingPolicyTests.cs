using Dispatch.Domain.Tracking;

namespace Dispatch.Domain.Tests.Tracking;

public class ReportingPolicyTests
{
    private static readonly ReportingIntervals Intervals = new();

    [Theory]
    [InlineData(TechnicianActivity.EnRoute, 5, 5)]
    [InlineData(TechnicianActivity.EnRoute, 10, 5)]
    [InlineData(TechnicianActivity.EnRoute, 11, 15)]
    [InlineData(TechnicianActivity.EnRoute, null, 15)]
    [InlineData(TechnicianActivity.OnSite, null, 60)]
    [InlineData(TechnicianActivity.OnSite, 1, 60)]
    [InlineData(TechnicianActivity.Idle, null, 30)]
    [InlineData(TechnicianActivity.OffShift, null, 300)]
    public void Interval_follows_what_the_technician_is_doing(TechnicianActivity activity, int? minutesToArrival, int expectedSeconds)
    {
        var eta = minutesToArrival is { } m ? TimeSpan.FromMinutes(m) : (TimeSpan?)null;
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), ReportingPolicy.IntervalFor(new ReportingSituation(activity, eta), Intervals));
    }

    [Fact]
    public void Intervals_are_configurable()
    {
        var custom = new ReportingIntervals { EnRouteNearArrival = TimeSpan.FromSeconds(2), NearArrivalWithin = TimeSpan.FromMinutes(3) };

        Assert.Equal(TimeSpan.FromSeconds(2), ReportingPolicy.IntervalFor(new(TechnicianActivity.EnRoute, TimeSpan.FromMinutes(3)), custom));
        Assert.Equal(custom.EnRoute, ReportingPolicy.IntervalFor(new(TechnicianActivity.EnRoute, TimeSpan.FromMinutes(4)), custom));
    }
}
