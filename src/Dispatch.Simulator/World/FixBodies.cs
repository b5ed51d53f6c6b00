using System.Buffers;
using System.Globalization;
using System.Text;
using Dispatch.Domain.Geo;

namespace Dispatch.Simulator.World;

/// <summary>
/// Builds <c>POST /api/v1/locations</c> bodies the way a tracker would: every fix of a device a little later than its last
/// (Unix milliseconds), so nothing is a duplicate and nothing goes backwards. Timestamps start a minute in the past and
/// advance one millisecond per fix, which keeps even a 200k fixes/s run inside the server's future-skew limit.
/// </summary>
public sealed class FixBodies
{
    private readonly long[] _next;
    private readonly GeoPoint[] _positions;

    public FixBodies(IReadOnlyList<GeoPoint> starts)
    {
        var baseMs = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds();
        _next = Enumerable.Repeat(baseMs, starts.Count).ToArray();
        _positions = [.. starts];
    }

    /// <summary>A batch of <paramref name="count"/> fixes for device <paramref name="device"/> (only one caller per device at a time).</summary>
    public byte[] Batch(int device, int count)
    {
        var builder = new StringBuilder(40 + count * 110);
        builder.Append("{\"fixes\":[");
        for (var i = 0; i < count; i++)
        {
            var at = _next[device]++;
            var p = _positions[device] = Geography.Step(_positions[device], (at % 360), 3);
            if (i > 0)
                builder.Append(',');
            builder.Append(CultureInfo.InvariantCulture,
                $"{{\"lat\":{p.Latitude:0.000000},\"lon\":{p.Longitude:0.000000},\"timestamp\":{at},\"accuracy\":6.5,\"speed\":11.2,\"heading\":{at % 360},\"battery\":87}}");
        }

        builder.Append("]}");
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    /// <summary>One fix stamped with the current time (S2 measures from it), at a given position.</summary>
    public static byte[] Now(GeoPoint p, DateTimeOffset at, double heading) => Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
        $"{{\"fixes\":[{{\"lat\":{p.Latitude:0.000000},\"lon\":{p.Longitude:0.000000},\"timestamp\":{at.ToUnixTimeMilliseconds()},\"accuracy\":6.5,\"speed\":11.2,\"heading\":{heading:0}}}]}}"));
}
