using System.Globalization;
using System.Text.Json;
using Dispatch.Domain.Common;
using Dispatch.Domain.Tracking;
using Dispatch.Grains.Telemetry;
using Dispatch.Grains.Tracking;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Dispatch.Server.Tracking;

/// <summary>
/// Device ingest over plain HTTP: our JSON batch API (<c>POST /api/v1/locations</c>) and the OsmAnd protocol that
/// Traccar Client and many trackers speak (<c>/osmand</c>). Both authenticate, rate-limit and validate in grains
/// (<see cref="DeviceIngest"/>); a refused request stores nothing.
/// </summary>
public static class DeviceIngestApi
{
    public const string IntervalHeader = "X-Reporting-Interval";
    public const string RejectedHeader = "X-Fix-Rejected";
    private const int MaxBodyBytes = 512 * 1024;
    private const double MetersPerSecondPerKnot = 1852.0 / 3600.0;

    public static IEndpointRouteBuilder MapDeviceIngest(this IEndpointRouteBuilder app)
    {
        // Short-circuited: routing runs them directly, without the bearer-token authentication, token refusals, per-user
        // rate limiter and authorization that follow it. Devices authenticate in grains with their own keys and have their
        // own rate limit, so none of those applied to them; passing through them cost ~6 % of the server's CPU per
        // request (S1 profile in docs/benchmarks.md). The security headers are set before routing, so they still apply.
        app.MapPost("/api/v1/locations", PostBatchAsync).DisableAntiforgery().ShortCircuit().WithDisplayName("Device location batch");
        app.MapMethods("/osmand", ["GET", "POST"], OsmAndAsync).DisableAntiforgery().ShortCircuit().WithDisplayName("OsmAnd ingest");
        return app;
    }

    // ---- JSON batch ----

    private static async Task<IResult> PostBatchAsync(HttpContext http, DeviceIngest ingest, IOptions<TrackingOptions> options)
    {
        if (!DeviceAuthentication.TryRead(http, out var credential))
            return Unauthorized(http, "Send the device key: Authorization: Device {tenant}/{deviceId}:{key}.");
        if (!(http.Request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) ?? false))
            return Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Send the batch as application/json.");

        var (fixes, errors) = await ReadBatchAsync(http, options.Value.Limits.MaxBatchSize);
        if (errors is not null)
            return Results.ValidationProblem(errors, title: "The batch is malformed; nothing was stored.");

        using var activity = DispatchMetrics.Activities.StartActivity("ingest batch");
        var result = await ingest.IngestAsync(credential.Tenant, credential.DeviceId, DeviceKeys.Hash(credential.Key), fixes!);
        Record(result, fixes!.Length, activity);
        switch (result.Status)
        {
            case IngestStatus.Unauthorized:
                return Unauthorized(http, "Unknown or revoked device, or wrong key; nothing was stored.");
            case IngestStatus.RateLimited:
                return RateLimited(http, result.RetryAfterSeconds);
            case IngestStatus.TooLarge:
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["fixes"] = [$"At most {options.Value.Limits.MaxBatchSize} fixes per request."] });
        }

        http.Response.Headers[IntervalHeader] = result.ReportingIntervalSeconds.ToString(CultureInfo.InvariantCulture);
        // Serialized first so the answer goes out with its Content-Length in the same write as the headers; written as a
        // stream it was chunked, and the closing chunk cost a second send per request (S1 in docs/benchmarks.md).
        return Results.Bytes(JsonSerializer.SerializeToUtf8Bytes(IngestAnswer.From(result), TrackingJsonContext.Default.IngestAnswer),
            "application/json; charset=utf-8");
    }

    /// <summary>
    /// Reads the body (at most <see cref="MaxBodyBytes"/>) and parses <c>{ "fixes": [ … ] }</c> with <see cref="FixBatchReader"/>.
    /// Wrong JSON or wrong types are errors for the whole request (400).
    /// </summary>
    private static async Task<(FixInput[]? Fixes, Dictionary<string, string[]>? Errors)> ReadBatchAsync(HttpContext http, int maxBatch)
    {
        static (FixInput[]?, Dictionary<string, string[]>?) Error(string field, string message) => (null, new() { [field] = [message] });
        var tooLarge = $"The body is larger than {MaxBodyBytes / 1024} KiB.";

        if (http.Request.ContentLength > MaxBodyBytes)
            return Error("body", tooLarge);
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = MaxBodyBytes; // a chunked body without a length stops there too
        var body = http.Request.BodyReader;
        try
        {
            while (true)
            {
                var read = await body.ReadAsync(http.RequestAborted);
                if (read.Buffer.Length > MaxBodyBytes)
                {
                    body.AdvanceTo(read.Buffer.Start, read.Buffer.End);
                    return Error("body", tooLarge);
                }

                if (!read.IsCompleted)
                {
                    body.AdvanceTo(read.Buffer.Start, read.Buffer.End); // nothing consumed, wait for the rest
                    continue;
                }

                var buffer = read.Buffer;
                var parsed = buffer.IsSingleSegment
                    ? FixBatchReader.Read(buffer.FirstSpan, maxBatch)
                    : FixBatchReader.Read(System.Buffers.BuffersExtensions.ToArray(buffer), maxBatch);
                body.AdvanceTo(buffer.End);
                return (parsed.Fixes, parsed.Errors);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Error("body", tooLarge);
        }
    }

    /// <summary>Fixes accepted and rejected (by reason) for the metrics, and the span's outcome.</summary>
    private static void Record(IngestResult result, int sent, System.Diagnostics.Activity? activity)
    {
        activity?.SetTag("ingest.fixes", sent);
        activity?.SetTag("ingest.status", result.Status.ToString());
        if (result.Status != IngestStatus.Ok)
        {
            DispatchMetrics.FixesRejected.Add(sent, new KeyValuePair<string, object?>("reason", result.Status switch
            {
                IngestStatus.Unauthorized => "unauthorized",
                IngestStatus.RateLimited => "rate_limited",
                _ => "too_large",
            }));
            return;
        }

        if (result.Accepted > 0)
            DispatchMetrics.FixesAccepted.Add(result.Accepted);
        foreach (var rejection in result.Rejected)
            DispatchMetrics.FixesRejected.Add(1, new KeyValuePair<string, object?>("reason", rejection.Code));
    }

    // ---- OsmAnd ----

    /// <summary>
    /// The OsmAnd protocol as Traccar's own server reads it: parameters in the query string (GET, and Traccar Client's
    /// POST) or a form body; plus the JSON body newer Traccar Client versions post. Success is 200 with an empty body.
    /// </summary>
    private static async Task<IResult> OsmAndAsync(HttpContext http, DeviceIngest ingest)
    {
        Dictionary<string, string> fields;
        try
        {
            fields = await ReadOsmAndFieldsAsync(http.Request);
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or FormatException or BadHttpRequestException)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed OsmAnd request: " + e.Message);
        }

        var (id, fix, error) = ParseOsmAnd(fields);
        if (error is not null)
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: error);

        var target = await ingest.OsmAndId(id!).Resolve();
        if (target is null)
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: $"No device is registered for OsmAnd id '{id}'.");

        var key = fields.GetValueOrDefault("key");
        using var activity = DispatchMetrics.Activities.StartActivity("ingest osmand");
        var result = await ingest.IngestAsync(target.Tenant, target.DeviceId, string.IsNullOrEmpty(key) ? null : DeviceKeys.Hash(key), [fix]);
        Record(result, 1, activity);
        switch (result.Status)
        {
            case IngestStatus.Unauthorized:
                return Unauthorized(http, "The device is revoked or the key is wrong.");
            case IngestStatus.RateLimited:
                return RateLimited(http, result.RetryAfterSeconds);
        }

        http.Response.Headers[IntervalHeader] = result.ReportingIntervalSeconds.ToString(CultureInfo.InvariantCulture);
        if (result.Rejected is [{ Code: FixRejectionCodes.InvalidCoordinates or FixRejectionCodes.MissingPosition } bad])
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: bad.Message);
        if (result.Rejected is [var rejected])
        {
            // A fix that can never be accepted (a clock years off) is answered 200 so Traccar Client drops it instead of
            // retrying it forever ahead of every later fix; the header says why.
            http.Response.Headers[RejectedHeader] = rejected.Code;
        }

        return Results.Empty; // 200, empty body: what Traccar Client expects
    }

    private static async Task<Dictionary<string, string>> ReadOsmAndFieldsAsync(HttpRequest request)
    {
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in request.Query)
            fields[name] = value.ToString();
        if (!HttpMethods.IsPost(request.Method))
            return fields;

        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
            foreach (var (name, value) in form)
                fields[name] = value.ToString();
        }
        else if (request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) == true)
        {
            if (request.ContentLength > MaxBodyBytes)
                throw new InvalidDataException("The body is too large.");
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
            ReadOsmAndJson(document.RootElement, fields);
        }

        return fields;
    }

    /// <summary>
    /// Flat JSON with the OsmAnd names, or Traccar Client's nested form:
    /// <c>{ "device_id", "location": { "timestamp", "coords": { "latitude", "longitude", "speed" (m/s), "heading",
    /// "altitude", "accuracy" }, "battery": { "level" (0..1) } } }</c>.
    /// </summary>
    private static void ReadOsmAndJson(JsonElement root, Dictionary<string, string> fields)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException("The JSON body must be an object.");
        static string Text(JsonElement e) => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText();

        foreach (var property in root.EnumerateObject())
        {
            if (property.Value.ValueKind is not JsonValueKind.Object and not JsonValueKind.Array and not JsonValueKind.Null)
                fields[property.Name] = Text(property.Value);
        }

        if (root.TryGetProperty("device_id", out var deviceId))
            fields["id"] = Text(deviceId);
        if (!root.TryGetProperty("location", out var location) || location.ValueKind != JsonValueKind.Object)
            return;
        if (location.TryGetProperty("timestamp", out var timestamp))
            fields["timestamp"] = Text(timestamp);
        if (location.TryGetProperty("coords", out var coords) && coords.ValueKind == JsonValueKind.Object)
        {
            foreach (var (from, to) in new[] { ("latitude", "lat"), ("longitude", "lon"), ("heading", "heading"), ("altitude", "altitude"), ("accuracy", "accuracy") })
            {
                if (coords.TryGetProperty(from, out var value) && value.ValueKind == JsonValueKind.Number)
                    fields[to] = value.GetRawText();
            }
            // Already metres per second in this form (the OsmAnd query form uses knots).
            if (coords.TryGetProperty("speed", out var speed) && speed.ValueKind == JsonValueKind.Number)
                fields["speed_mps"] = speed.GetRawText();
        }

        if (location.TryGetProperty("battery", out var battery) && battery.ValueKind == JsonValueKind.Object
            && battery.TryGetProperty("level", out var level) && level.ValueKind == JsonValueKind.Number)
            fields["batt"] = (level.GetDouble() * 100).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>OsmAnd fields → our fix. Speed arrives in knots; negative speed, heading or accuracy mean "unknown".</summary>
    internal static (string? Id, FixInput Fix, string? Error) ParseOsmAnd(IReadOnlyDictionary<string, string> fields)
    {
        var id = fields.GetValueOrDefault("id") ?? fields.GetValueOrDefault("deviceid");
        if (string.IsNullOrWhiteSpace(id))
            return (null, default, "Missing id (the device identifier).");
        if (!TenantKey.IsValidPart(id))
            return (null, default, $"'{id}' is not a valid device identifier.");

        double? lat = null, lon = null;
        if (fields.TryGetValue("location", out var pair) && pair.Split(',') is [var a, var b])
        {
            lat = Number(a);
            lon = Number(b);
            if (lat is null || lon is null)
                return (id, default, "location must be \"lat,lon\".");
        }

        string? bad = null;
        double? Field(string name)
        {
            if (!fields.TryGetValue(name, out var text) || string.IsNullOrWhiteSpace(text))
                return null;
            var value = Number(text);
            if (value is null)
                bad ??= $"{name} must be a number.";
            return value;
        }

        lat = Field("lat") ?? lat;
        lon = Field("lon") ?? lon;
        if (lat is null || lon is null)
            return (id, default, bad ?? "Missing lat and lon.");

        var knots = Field("speed");
        var metersPerSecond = Field("speed_mps") ?? knots * MetersPerSecondPerKnot;
        var heading = Field("bearing") ?? Field("heading");
        var accuracy = Field("accuracy");
        var altitude = Field("altitude");
        var battery = Field("batt");

        DateTimeOffset? timestamp = null;
        if (fields.TryGetValue("timestamp", out var ts) && !string.IsNullOrWhiteSpace(ts))
        {
            timestamp = ParseTimestamp(ts, isoOnly: false);
            if (timestamp is null)
                bad ??= "timestamp must be Unix seconds or milliseconds, ISO 8601, or yyyy-MM-dd HH:mm:ss.";
        }

        if (bad is not null)
            return (id, default, bad);
        return (id, new FixInput
        {
            Latitude = lat,
            Longitude = lon,
            // Traccar's server stamps a fix without a time with its arrival; so do we.
            Timestamp = timestamp ?? DateTimeOffset.UtcNow,
            SpeedMetersPerSecond = metersPerSecond is < 0 ? null : metersPerSecond,
            HeadingDegrees = heading is < 0 ? null : heading,
            AccuracyMeters = accuracy is < 0 ? null : accuracy,
            AltitudeMeters = altitude,
            BatteryPercent = battery,
        }, null);
    }

    private static double? Number(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) ? value : null;

    /// <summary>Unix seconds (or milliseconds, when too large for seconds, as Traccar decides), ISO 8601, or "yyyy-MM-dd HH:mm:ss" UTC.</summary>
    internal static DateTimeOffset? ParseTimestamp(string? text, bool isoOnly)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        if (!isoOnly && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
        {
            var ms = number < int.MaxValue ? number * 1000 : number;
            return ms is >= 0 and < 253402300800000 ? DateTimeOffset.FromUnixTimeMilliseconds((long)ms) : null;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
            ? parsed
            : null;
    }

    private static IResult Unauthorized(HttpContext http, string title)
    {
        http.Response.Headers.WWWAuthenticate = DeviceAuthentication.Scheme;
        return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: title);
    }

    private static IResult RateLimited(HttpContext http, int retryAfterSeconds)
    {
        http.Response.Headers.RetryAfter = Math.Max(1, retryAfterSeconds).ToString(CultureInfo.InvariantCulture);
        return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests,
            title: "This device is over its rate limit; nothing was stored. Retry the same batch after Retry-After seconds.");
    }
}
