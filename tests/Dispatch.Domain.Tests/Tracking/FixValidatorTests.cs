using Dispatch.Domain.Tracking;

namespace Dispatch.Domain.Tests.Tracking;

public class FixValidatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 15, 0, 0, TimeSpan.Zero);
    private static readonly FixLimits Limits = new();

    private static FixInput Good() => new()
    {
        Latitude = 29.76, Longitude = -95.37, Timestamp = Now.AddSeconds(-3),
        AccuracyMeters = 8, SpeedMetersPerSecond = 12.5, HeadingDegrees = 270, AltitudeMeters = 15, BatteryPercent = 80,
    };

    private static string? CodeOf(FixInput input) => FixValidator.Validate(input, 0, "dev-1", Now, Limits).Rejection?.Code;

    [Fact]
    public void A_sane_fix_is_accepted_with_every_field()
    {
        var (fix, rejection) = FixValidator.Validate(Good(), 0, "dev-1", Now, Limits);

        Assert.Null(rejection);
        Assert.NotNull(fix);
        Assert.Equal((29.76, -95.37, 8d, 12.5, 270d, "dev-1"), (fix.Position.Latitude, fix.Position.Longitude, fix.AccuracyMeters!.Value,
            fix.SpeedMetersPerSecond!.Value, fix.HeadingDegrees!.Value, fix.Source));
        Assert.Equal(TimeSpan.Zero, fix.Timestamp.Offset);
    }

    [Theory]
    [InlineData(91, 0)]
    [InlineData(-90.000001, 0)]
    [InlineData(0, 180.5)]
    [InlineData(double.NaN, 0)]
    [InlineData(0, double.PositiveInfinity)]
    public void Coordinates_must_be_finite_and_in_range(double lat, double lon) =>
        Assert.Equal(FixRejectionCodes.InvalidCoordinates, CodeOf(Good() with { Latitude = lat, Longitude = lon }));

    [Fact]
    public void Edges_of_the_coordinate_range_are_valid() =>
        Assert.Null(CodeOf(Good() with { Latitude = -90, Longitude = 180 }));

    [Fact]
    public void Missing_position_or_timestamp_is_named()
    {
        Assert.Equal(FixRejectionCodes.MissingPosition, CodeOf(Good() with { Longitude = null }));
        Assert.Equal(FixRejectionCodes.MissingTimestamp, CodeOf(Good() with { Timestamp = null }));
    }

    [Fact]
    public void Future_timestamps_are_refused_beyond_the_configured_skew()
    {
        Assert.Null(CodeOf(Good() with { Timestamp = Now + Limits.MaxFutureSkew }));
        Assert.Equal(FixRejectionCodes.TimestampInFuture, CodeOf(Good() with { Timestamp = Now + Limits.MaxFutureSkew + TimeSpan.FromSeconds(1) }));

        var strict = new FixLimits { MaxFutureSkew = TimeSpan.FromSeconds(10) };
        Assert.Equal(FixRejectionCodes.TimestampInFuture,
            FixValidator.Validate(Good() with { Timestamp = Now.AddSeconds(11) }, 0, "d", Now, strict).Rejection?.Code);
    }

    [Fact]
    public void Absurdly_old_timestamps_are_refused_but_offline_uploads_are_not()
    {
        Assert.Null(CodeOf(Good() with { Timestamp = Now.AddDays(-2) }));
        Assert.Equal(FixRejectionCodes.TimestampTooOld, CodeOf(Good() with { Timestamp = Now.AddYears(-6) }));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(10_000.5)]
    [InlineData(double.NaN)]
    public void Accuracy_must_be_sane(double accuracy) =>
        Assert.Equal(FixRejectionCodes.InvalidAccuracy, CodeOf(Good() with { AccuracyMeters = accuracy }));

    [Fact]
    public void Speed_heading_altitude_and_battery_are_range_checked()
    {
        Assert.Equal(FixRejectionCodes.InvalidSpeed, CodeOf(Good() with { SpeedMetersPerSecond = -0.1 }));
        Assert.Equal(FixRejectionCodes.InvalidSpeed, CodeOf(Good() with { SpeedMetersPerSecond = 151 }));
        Assert.Equal(FixRejectionCodes.InvalidHeading, CodeOf(Good() with { HeadingDegrees = 361 }));
        Assert.Equal(FixRejectionCodes.InvalidAltitude, CodeOf(Good() with { AltitudeMeters = 50_000 }));
        Assert.Equal(FixRejectionCodes.InvalidBattery, CodeOf(Good() with { BatteryPercent = 101 }));
    }

    [Fact]
    public void Optional_fields_may_be_absent_and_heading_360_is_north()
    {
        var (fix, _) = FixValidator.Validate(new FixInput { Latitude = 1, Longitude = 2, Timestamp = Now, HeadingDegrees = 360 }, 0, "d", Now, Limits);

        Assert.NotNull(fix);
        Assert.Null(fix.AccuracyMeters);
        Assert.Equal(0, fix.HeadingDegrees);
    }

    [Fact]
    public void Timestamps_are_kept_to_the_millisecond_in_utc()
    {
        var local = new DateTimeOffset(2026, 3, 2, 9, 0, 0, 123, TimeSpan.FromHours(-6)).AddTicks(4567);
        var (fix, _) = FixValidator.Validate(Good() with { Timestamp = local }, 0, "d", Now, Limits);

        Assert.Equal(new DateTimeOffset(2026, 3, 2, 15, 0, 0, 123, TimeSpan.Zero), fix!.Timestamp);
    }

    [Fact]
    public void The_rejection_carries_the_index_in_the_batch()
    {
        var (_, rejection) = FixValidator.Validate(Good() with { Latitude = 100 }, 7, "d", Now, Limits);
        Assert.Equal(7, rejection!.Index);
        Assert.False(string.IsNullOrWhiteSpace(rejection.Message));
    }
}
