using System.Text.Json;
using Dispatch.Domain.Tracking;

namespace Dispatch.Server.Tracking;

/// <summary>
/// Reads <c>{ "fixes": [ … ] }</c> from the request bytes with a forward-only reader: no document tree per request, one
/// <see cref="FixInput"/> per fix. The ingest hot path (S1) parses every fix a fleet sends, so this avoids the
/// allocations of <see cref="JsonDocument"/>. Wrong JSON or wrong types are errors for the whole request; unknown
/// fields are skipped.
/// </summary>
public static class FixBatchReader
{
    public sealed record Result(FixInput[]? Fixes, Dictionary<string, string[]>? Errors);

    public static Result Read(ReadOnlySpan<byte> json, int maxBatch)
    {
        static Result Error(string field, string message) => new(null, new() { [field] = [message] });

        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                // The whole body must still be valid JSON for this message; anything else reports the parse error.
                if (reader.TokenType != JsonTokenType.None)
                    reader.Skip();
                while (reader.Read())
                {
                }

                return Error("fixes", "The body must be an object with a \"fixes\" array.");
            }

            FixInput[]? fixes = null;
            Dictionary<string, string[]>? errors = null;
            var sawFixes = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isFixes = reader.ValueTextEquals("fixes"u8);
                reader.Read();
                if (!isFixes || sawFixes)
                {
                    reader.Skip();
                    continue;
                }

                sawFixes = true;
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    reader.Skip();
                    continue;
                }

                // Count first (a copy of the reader walks ahead), so the batch is one exact array and an oversized one is
                // refused before any fix is read.
                var ahead = reader;
                var count = 0;
                while (ahead.Read() && ahead.TokenType != JsonTokenType.EndArray)
                {
                    ahead.Skip();
                    count++;
                }

                if (count > maxBatch)
                {
                    reader.Skip();
                    while (reader.Read())
                    {
                    }

                    return Error("fixes", $"At most {maxBatch} fixes per request.");
                }

                fixes = new FixInput[count];
                var i = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        reader.Skip();
                        (errors ??= [])[$"fixes[{i}]"] = ["Each fix must be an object."];
                        i++;
                        continue;
                    }

                    fixes[i] = ReadFix(ref reader, i, ref errors);
                    i++;
                }
            }

            // Trailing content after the root object is a JSON error, as it was with a parsed document.
            while (reader.Read())
            {
            }

            if (!sawFixes || fixes is null)
                return Error("fixes", "The body must be an object with a \"fixes\" array.");
            return errors is { Count: > 0 } ? new Result(null, errors) : new Result(fixes, null);
        }
        catch (JsonException e)
        {
            return Error("body", "Not valid JSON: " + e.Message);
        }
    }

    private static FixInput ReadFix(ref Utf8JsonReader reader, int index, ref Dictionary<string, string[]>? errors)
    {
        double? lat = null, lon = null, accuracy = null, speed = null, heading = null, altitude = null, battery = null;
        DateTimeOffset? timestamp = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = reader.ValueSpan.Length switch
            {
                3 when reader.ValueTextEquals("lat"u8) => Field.Lat,
                3 when reader.ValueTextEquals("lon"u8) => Field.Lon,
                5 when reader.ValueTextEquals("speed"u8) => Field.Speed,
                7 when reader.ValueTextEquals("heading"u8) => Field.Heading,
                7 when reader.ValueTextEquals("battery"u8) => Field.Battery,
                8 when reader.ValueTextEquals("accuracy"u8) => Field.Accuracy,
                8 when reader.ValueTextEquals("altitude"u8) => Field.Altitude,
                9 when reader.ValueTextEquals("timestamp"u8) => Field.Timestamp,
                _ => reader.ValueIsEscaped ? Unescaped(reader.GetString()) : Field.Other,
            };
            reader.Read();
            switch (field)
            {
                case Field.Other:
                    reader.Skip();
                    break;
                case Field.Timestamp:
                    timestamp = ReadTimestamp(ref reader, index, ref errors);
                    break;
                default:
                    var value = ReadNumber(ref reader, index, field, ref errors);
                    switch (field)
                    {
                        case Field.Lat: lat = value; break;
                        case Field.Lon: lon = value; break;
                        case Field.Accuracy: accuracy = value; break;
                        case Field.Speed: speed = value; break;
                        case Field.Heading: heading = value; break;
                        case Field.Altitude: altitude = value; break;
                        case Field.Battery: battery = value; break;
                    }

                    break;
            }
        }

        return new FixInput
        {
            Latitude = lat,
            Longitude = lon,
            Timestamp = timestamp,
            AccuracyMeters = accuracy,
            SpeedMetersPerSecond = speed,
            HeadingDegrees = heading,
            AltitudeMeters = altitude,
            BatteryPercent = battery,
        };
    }

    private enum Field { Other, Lat, Lon, Timestamp, Accuracy, Speed, Heading, Altitude, Battery }

    /// <summary>A property name written with escapes (rare): compare its decoded text.</summary>
    private static Field Unescaped(string? name) => name switch
    {
        "lat" => Field.Lat,
        "lon" => Field.Lon,
        "timestamp" => Field.Timestamp,
        "accuracy" => Field.Accuracy,
        "speed" => Field.Speed,
        "heading" => Field.Heading,
        "altitude" => Field.Altitude,
        "battery" => Field.Battery,
        _ => Field.Other,
    };

    private static readonly Dictionary<Field, string> Names = new()
    {
        [Field.Lat] = "lat", [Field.Lon] = "lon", [Field.Accuracy] = "accuracy", [Field.Speed] = "speed",
        [Field.Heading] = "heading", [Field.Altitude] = "altitude", [Field.Battery] = "battery",
    };

    private static double? ReadNumber(ref Utf8JsonReader reader, int index, Field field, ref Dictionary<string, string[]>? errors)
    {
        if (reader.TokenType == JsonTokenType.Null)
            return null;
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var number))
            return number;
        reader.Skip();
        (errors ??= [])[$"fixes[{index}].{Names[field]}"] = ["Must be a number."];
        return null;
    }

    private static DateTimeOffset? ReadTimestamp(ref Utf8JsonReader reader, int index, ref Dictionary<string, string[]>? errors)
    {
        DateTimeOffset? parsed;
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                parsed = DeviceIngestApi.ParseTimestamp(reader.GetString(), isoOnly: true);
                break;
            case JsonTokenType.Number:
                parsed = DeviceIngestApi.ParseTimestamp(System.Text.Encoding.UTF8.GetString(reader.ValueSpan), isoOnly: false);
                break;
            default:
                reader.Skip();
                parsed = null;
                break;
        }

        if (parsed is null)
            (errors ??= [])[$"fixes[{index}].timestamp"] = ["Use ISO 8601 (2026-03-02T15:04:05Z) or Unix seconds."];
        return parsed;
    }
}
