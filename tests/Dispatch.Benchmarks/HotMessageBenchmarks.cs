using System.Globalization;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Dispatch.Domain.Geo;
using Dispatch.Domain.Tracking;
using Dispatch.Server.GraphQL.Tracking;
using Dispatch.Server.Tracking;
using GraphQL;
using GraphQL.SystemTextJson;
using GraphQL.Types;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace Dispatch.Benchmarks;

/// <summary>Sample messages of the live-tracking hot path, shaped as devices and the fan-out produce them.</summary>
internal static class HotMessages
{
    public static byte[] FixBatchJson(int fixes)
    {
        var baseMs = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds();
        var body = new StringBuilder("{\"fixes\":[");
        for (var i = 0; i < fixes; i++)
        {
            if (i > 0)
                body.Append(',');
            body.Append(CultureInfo.InvariantCulture,
                $"{{\"lat\":{29.7 + i * 0.0001:0.000000},\"lon\":{-95.4 + i * 0.0001:0.000000},\"timestamp\":{baseMs + i},\"accuracy\":6.5,\"speed\":11.2,\"heading\":{i % 360},\"battery\":87}}");
        }

        return Encoding.UTF8.GetBytes(body.Append("]}").ToString());
    }

    public static LocationFix Fix(int i) => new()
    {
        Position = new GeoPoint(29.7 + i * 0.0001, -95.4 + i * 0.0001),
        Timestamp = DateTimeOffset.UtcNow.AddSeconds(-i),
        AccuracyMeters = 6.5,
        SpeedMetersPerSecond = 11.2,
        HeadingDegrees = i % 360,
        BatteryPercent = 87,
        Source = "truck-" + i,
    };

    public static LocationUpdate Update(int i) => new("default", $"tech-{i:000000}", Fix(i));
}

/// <summary>
/// Parsing a device's <c>POST /api/v1/locations</c> body: the server's forward-only <see cref="FixBatchReader"/> (what
/// ingest runs) against the <see cref="JsonDocument"/> tree it replaced.
/// </summary>
[MemoryDiagnoser]
public class FixBatchParseBenchmarks
{
    private byte[] _json = null!;

    [Params(1, 20)]
    public int Fixes { get; set; }

    [GlobalSetup]
    public void Setup() => _json = HotMessages.FixBatchJson(Fixes);

    [Benchmark(Baseline = true)]
    public int FixBatchReader_Read() => FixBatchReader.Read(_json, 500).Fixes!.Length;

    /// <summary>What ingest did before: a <see cref="JsonDocument"/> tree, then a property lookup per field of each fix.</summary>
    [Benchmark]
    public int JsonDocument_Previous()
    {
        using var document = JsonDocument.Parse(_json);
        var array = document.RootElement.GetProperty("fixes");
        var fixes = new FixInput[array.GetArrayLength()];
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            double? Number(string name) =>
                item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var d) ? d : null;
            DateTimeOffset? timestamp = item.TryGetProperty("timestamp", out var ts)
                ? DeviceIngestApi.ParseTimestamp(ts.ValueKind == JsonValueKind.String ? ts.GetString() : ts.GetRawText(), ts.ValueKind == JsonValueKind.String)
                : null;
            fixes[i++] = new FixInput
            {
                Latitude = Number("lat"), Longitude = Number("lon"), Timestamp = timestamp, AccuracyMeters = Number("accuracy"),
                SpeedMetersPerSecond = Number("speed"), HeadingDegrees = Number("heading"), AltitudeMeters = Number("altitude"),
                BatteryPercent = Number("battery"),
            };
        }

        return fixes.Length;
    }
}

/// <summary>
/// The Orleans serializer on the records every fix crosses: a device's 20 validated fixes (device grain → location grain)
/// and a fan-out batch of 256 updates (batcher → each host). Round trip = serialize + deserialize.
/// </summary>
[MemoryDiagnoser]
public class OrleansSerializationBenchmarks
{
    private Serializer _serializer = null!;
    private LocationFix[] _fixes = null!;
    private LocationUpdate[] _updates = null!;
    private FixInput[] _inputs = null!;

    [GlobalSetup]
    public void Setup()
    {
        _serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
        _fixes = [.. Enumerable.Range(0, 20).Select(HotMessages.Fix)];
        _updates = [.. Enumerable.Range(0, 256).Select(HotMessages.Update)];
        _inputs = FixBatchReader.Read(HotMessages.FixBatchJson(20), 500).Fixes!;
    }

    [Benchmark]
    public int FixInputs20_RoundTrip() => _serializer.Deserialize<FixInput[]>(_serializer.SerializeToArray(_inputs))!.Length;

    [Benchmark]
    public int LocationFixes20_RoundTrip() => _serializer.Deserialize<LocationFix[]>(_serializer.SerializeToArray(_fixes))!.Length;

    [Benchmark]
    public int LocationUpdates256_RoundTrip() => _serializer.Deserialize<LocationUpdate[]>(_serializer.SerializeToArray(_updates))!.Length;

    [Benchmark]
    public int LocationUpdates256_SerializeOnly() => _serializer.SerializeToArray(_updates).Length;
}

/// <summary>
/// One <c>technicianLocations</c> event as a subscriber receives it: the server's <see cref="TechnicianLocationType"/>
/// resolving the dashboard's selection over a coalesced batch, then serialized to JSON (graphql-dotnet's executer and
/// System.Text.Json serializer, as the WebSocket transport does per event and subscriber).
/// </summary>
[MemoryDiagnoser]
public class GraphQLLocationPayloadBenchmarks
{
    private const string Query = "{ technicianLocations { technicianId position { latitude longitude } timestamp speed heading accuracy } }";
    private ISchema _schema = null!;
    private IDocumentExecuter _executer = null!;
    private GraphQLSerializer _serializer = null!;
    private LocationUpdate[] _batch = null!;

    [Params(1, 20)]
    public int Locations { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _batch = [.. Enumerable.Range(0, Locations).Select(HotMessages.Update)];
        var query = new ObjectGraphType { Name = "Query" };
        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<TechnicianLocationType>>>>("technicianLocations").Resolve(_ => _batch);
        _schema = new Schema { Query = query };
        _schema.Initialize();
        _executer = new DocumentExecuter();
        _serializer = new GraphQLSerializer();
    }

    [Benchmark]
    public async Task<int> Execute_and_serialize()
    {
        var result = await _executer.ExecuteAsync(new ExecutionOptions { Schema = _schema, Query = Query });
        return _serializer.Serialize(result).Length;
    }
}
