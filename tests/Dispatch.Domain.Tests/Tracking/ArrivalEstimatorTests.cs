using Dispatch.Domain.Geo;
using Dispatch.Domain.Tracking;

namespace Dispatch.Domain.Tests.Tracking;

public class ArrivalEstimatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 14, 0, 0, TimeSpan.Zero);
    private static readonly GeoPoint Site = new(29.76, -95.37);
    private static readonly EtaOptions Options = new();

    /// <summary>0.1° of latitude due north of the site: 11 119.5 m in a straight line, 14 455 m by road at the default factor 1.3.</summary>
    private static readonly GeoPoint TenKmNorth = new(29.86, -95.37);

    private const double StraightMeters = 11_119.5;
    private const double RoadMeters = StraightMeters * 1.3;

    private static LocationFix Fix(GeoPoint at, double? speed, DateTimeOffset? timestamp = null) =>
        new() { Position = at, Timestamp = timestamp ?? Now, SpeedMetersPerSecond = speed, Source = "dev" };

    private static TravelDestination To(DateTimeOffset? windowEnd = null) => new(Site, "wo-1", windowEnd);

    private static double Seconds(ArrivalEstimate estimate) => (estimate.ArrivesAt - estimate.BasedOnFixAt).TotalSeconds;

    [Fact]
    public void A_moving_technician_arrives_after_road_distance_at_the_current_speed()
    {
        var estimate = ArrivalEstimator.Estimate(Fix(TenKmNorth, speed: 13), To(), Now, Options)!;

        Assert.Equal(RoadMeters, estimate.DistanceMeters, 0);
        Assert.InRange(Seconds(estimate), RoadMeters / 13 - 1, RoadMeters / 13 + 1);
        Assert.Equal(Now, estimate.BasedOnFixAt);
        Assert.False(estimate.Arrived);
        Assert.False(estimate.LateRisk);
    }

    [Theory]
    [InlineData(0.0)]   // stationary: stuck at a light
    [InlineData(1.5)]   // walking pace: not driving
    [InlineData(null)]  // the device sends no speed
    [InlineData(80.0)]  // 288 km/h: a glitch
    public void Without_a_plausible_driving_speed_the_default_urban_speed_is_used(double? speed)
    {
        var estimate = ArrivalEstimator.Estimate(Fix(TenKmNorth, speed), To(), Now, Options)!;

        var atThirtyKmh = RoadMeters / (30 / 3.6);
        Assert.InRange(Seconds(estimate), atThirtyKmh - 1, atThirtyKmh + 1);
    }

    [Fact]
    public void Road_factor_and_default_speed_are_configurable()
    {
        var options = new EtaOptions { RoadFactor = 1.0, DefaultSpeedKmh = 60 };

        var estimate = ArrivalEstimator.Estimate(Fix(TenKmNorth, speed: null), To(), Now, options)!;

        Assert.Equal(StraightMeters, estimate.DistanceMeters, 0);
        Assert.InRange(Seconds(estimate), StraightMeters / (60 / 3.6) - 1, StraightMeters / (60 / 3.6) + 1);
    }

    [Fact]
    public void Late_risk_when_the_estimate_passes_the_end_of_the_arrival_window()
    {
        // About 18.5 minutes away at 13 m/s.
        var early = ArrivalEstimator.Estimate(Fix(TenKmNorth, 13), To(Now.AddMinutes(20)), Now, Options)!;
        var late = ArrivalEstimator.Estimate(Fix(TenKmNorth, 13), To(Now.AddMinutes(18)), Now, Options)!;
        var noWindow = ArrivalEstimator.Estimate(Fix(TenKmNorth, 13), To(windowEnd: null), Now, Options)!;

        Assert.False(early.LateRisk);
        Assert.True(late.LateRisk);
        Assert.False(noWindow.LateRisk);
    }

    [Fact]
    public void Already_past_the_window_and_not_there_is_late_and_never_estimated_in_the_past()
    {
        // A five-minute-old fix 300 m out, driving fast: by the fix it should have arrived a minute ago.
        var fix = Fix(new GeoPoint(29.7627, -95.37), speed: 20, timestamp: Now.AddMinutes(-5));

        var estimate = ArrivalEstimator.Estimate(fix, To(Now.AddMinutes(-1)), Now, Options)!;

        Assert.Equal(Now, estimate.ArrivesAt);
        Assert.True(estimate.LateRisk);
        Assert.False(estimate.Arrived);
    }

    [Fact]
    public void Inside_the_geofence_the_technician_has_arrived()
    {
        var atTheGate = new GeoPoint(29.761, -95.37); // 111 m from the site

        var inTime = ArrivalEstimator.Estimate(Fix(atTheGate, 0, Now.AddSeconds(-20)), To(Now.AddMinutes(5)), Now, Options)!;
        var afterTheWindow = ArrivalEstimator.Estimate(Fix(atTheGate, 0), To(Now.AddMinutes(-5)), Now, Options)!;

        Assert.True(inTime.Arrived);
        Assert.Equal(0, inTime.DistanceMeters);
        Assert.Equal(Now.AddSeconds(-20), inTime.ArrivesAt);
        Assert.False(inTime.LateRisk);
        Assert.True(afterTheWindow is { Arrived: true, LateRisk: true });
    }

    [Fact]
    public void A_stale_position_gives_no_estimate()
    {
        var stale = Fix(TenKmNorth, 13, Now - Options.MaxFixAge - TimeSpan.FromSeconds(1));
        var fresh = Fix(TenKmNorth, 13, Now - Options.MaxFixAge);

        Assert.Null(ArrivalEstimator.Estimate(stale, To(), Now, Options));
        Assert.NotNull(ArrivalEstimator.Estimate(fresh, To(), Now, Options));
    }

    [Fact]
    public void The_work_order_hears_the_first_estimate_a_minute_of_change_or_a_flip_and_no_more_often_than_allowed()
    {
        var sent = new ArrivalEstimate(Now.AddMinutes(20), 10_000, Now, LateRisk: false, Arrived: false);
        var sentAt = Now;
        var later = Now + Options.ReportEvery;
        var soon = Now + Options.ReportEvery - TimeSpan.FromSeconds(1);

        EtaReportDecision Decide(ArrivalEstimate next, DateTimeOffset at) => ArrivalEstimator.Decide(sent, sentAt, next, at, Options);

        Assert.Equal(EtaReportDecision.Send, ArrivalEstimator.Decide(null, null, sent, Now, Options));
        Assert.Equal(EtaReportDecision.Skip, Decide(sent with { ArrivesAt = sent.ArrivesAt.AddSeconds(59), BasedOnFixAt = later }, later));
        Assert.Equal(EtaReportDecision.Send, Decide(sent with { ArrivesAt = sent.ArrivesAt.AddMinutes(1) }, later));
        Assert.Equal(EtaReportDecision.Send, Decide(sent with { ArrivesAt = sent.ArrivesAt.AddMinutes(-1) }, later));
        Assert.Equal(EtaReportDecision.Send, Decide(sent with { LateRisk = true }, later));
        Assert.Equal(EtaReportDecision.Send, Decide(sent with { Arrived = true }, later));
        Assert.Equal(EtaReportDecision.Later, Decide(sent with { LateRisk = true }, soon));
        Assert.Equal(EtaReportDecision.Skip, Decide(sent with { DistanceMeters = 9_000 }, soon));
    }
}
