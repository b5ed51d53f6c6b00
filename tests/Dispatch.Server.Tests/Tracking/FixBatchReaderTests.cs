using System.Text;
using Dispatch.Server.Tracking;

namespace Dispatch.Server.Tests.Tracking;

/// <summary>The ingest body reader: every field, the error per field or per request, nothing half-read.</summary>
public sealed class FixBatchReaderTests
{
    private static FixBatchReader.Result Read(string json, int max = 500) => FixBatchReader.Read(Encoding.UTF8.GetBytes(json), max);

    [Fact]
    public void Reads_every_field_and_skips_unknown_ones()
    {
        var result = Read("""
            {"device":"x","fixes":[
              {"lat":29.76,"lon":-95.37,"timestamp":"2026-03-02T15:04:05Z","accuracy":8,"speed":12.5,"heading":270,"altitude":15,"battery":81,"extra":{"a":[1,2]}},
              {"lat":29.7611,"lon":-95.3702,"timestamp":1772463850,"speed":null},
              {"l\u0061t":1,"lon":2,"timestamp":1772463850123}
            ],"more":true}
            """);
        Assert.Null(result.Errors);
        var fixes = result.Fixes!;
        Assert.Equal(3, fixes.Length);
        Assert.Equal(29.76, fixes[0].Latitude);
        Assert.Equal(-95.37, fixes[0].Longitude);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 15, 4, 5, TimeSpan.Zero), fixes[0].Timestamp);
        Assert.Equal(8.0, fixes[0].AccuracyMeters);
        Assert.Equal(12.5, fixes[0].SpeedMetersPerSecond);
        Assert.Equal(270.0, fixes[0].HeadingDegrees);
        Assert.Equal(15.0, fixes[0].AltitudeMeters);
        Assert.Equal(81.0, fixes[0].BatteryPercent);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1772463850), fixes[1].Timestamp);
        Assert.Null(fixes[1].SpeedMetersPerSecond);
        Assert.Equal(1.0, fixes[2].Latitude); // an escaped property name is still "lat"
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1772463850123), fixes[2].Timestamp);
    }

    [Theory]
    [InlineData("{\"fixes\":[{\"lat\":1}", "body")]
    [InlineData("{\"fixes\":[]} trailing", "body")]
    [InlineData("[1,2]", "fixes")]
    [InlineData("{\"points\":[]}", "fixes")]
    [InlineData("{\"fixes\":{}}", "fixes")]
    [InlineData("{\"fixes\":[1]}", "fixes[0]")]
    [InlineData("{\"fixes\":[{\"lat\":\"29.7\",\"lon\":1}]}", "fixes[0].lat")]
    [InlineData("{\"fixes\":[{\"lat\":1,\"lon\":1,\"timestamp\":\"yesterday\"}]}", "fixes[0].timestamp")]
    [InlineData("{\"fixes\":[{\"lat\":1,\"lon\":1,\"timestamp\":true}]}", "fixes[0].timestamp")]
    public void A_malformed_body_is_an_error_for_the_whole_request(string json, string field)
    {
        var result = Read(json);
        Assert.Null(result.Fixes);
        Assert.Contains(field, result.Errors!.Keys);
    }

    [Fact]
    public void More_fixes_than_allowed_are_refused_before_any_is_read()
    {
        var result = Read("{\"fixes\":[{\"lat\":\"bad\"},{},{}]}", max: 2);
        Assert.Null(result.Fixes);
        Assert.Equal(["At most 2 fixes per request."], result.Errors!["fixes"]);
        Assert.Single(result.Errors);
    }

    [Fact]
    public void An_empty_batch_is_valid()
    {
        var result = Read("{\"fixes\":[]}");
        Assert.Null(result.Errors);
        Assert.Empty(result.Fixes!);
    }
}
