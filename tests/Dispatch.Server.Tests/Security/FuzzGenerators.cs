using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Dispatch.Server.Tests.Security;

/// <summary>What the fuzz run requires of an answer beyond "no 5xx".</summary>
public enum FuzzExpectation
{
    /// <summary>Anything below 500 (random reads may happen to be valid).</summary>
    Any,
    /// <summary>A mutation built to fail coercion or validation: never answered with data and no error.</summary>
    RefusedGraphQL,
    /// <summary>A batch whose every fix is invalid: never a 2xx that accepted a fix.</summary>
    RefusedFixes,
    /// <summary>An OsmAnd fix that is invalid: never a 2xx without the rejection header.</summary>
    RefusedOsmAnd,
}

/// <summary>Random and malformed GraphQL requests. Mutations only ever appear in forms that must be refused.</summary>
public static class FuzzGraphQL
{
    private static readonly string[] Vocabulary =
    [
        "{", "}", "(", ")", "[", "]", ":", "$", "!", "@", "...", "=", "|", "&", ",", "#", "\"", "\"\"\"",
        "query", "mutation", "subscription", "fragment", "on", "null", "true", "false", "__typename", "__schema", "__type",
        "workOrder", "workOrders", "technician", "technicians", "technicianPositions", "schedule", "device", "id", "title", "status",
        "edges", "node", "totalCount", "first", "after", "filter", "boundingBox", "limit", "$id", "ID", "Int", "String", "Float",
        "0", "-1", "1e400", "99999999999999999999999999", "-0", "NaN", "Infinity", "0x1F", "\"NaN\"", "\"\\u0000\"", "\"\\uD800\"",
        "\u0000", "\u00e9", "\u202e", "\uFFFF", "\t", "\n", "\r", "CREATED", "FOO", "URGENT",
    ];

    private static readonly string[] QueryTemplates =
    [
        "{ workOrder(id: \"wo-1\") { id title status assignment { primary { technicianId } } } }",
        "query($id: ID!) { technician(id: $id) { id name schedule { bookings { workOrderId } } } }",
        "{ workOrders(first: 10, filter: { statuses: [CREATED], customerText: \"a\" }, orderBy: { field: PRIORITY }) { totalCount edges { cursor node { id } } } }",
        "{ technicians(first: 5, filter: { skill: \"pump\" }) { edges { node { id skills } } } }",
        "query($b: BoundingBoxInput!) { technicianPositions(boundingBox: $b, limit: 10) { technicianId } }",
        "{ technicianTrail(technicianId: \"t\", from: \"2020-01-01T00:00:00Z\", limit: 5) { timestamp } }",
        "{ schedule(technicianIds: [\"a\", \"b\"], from: \"2026-01-01T00:00:00Z\", to: \"2026-01-02T00:00:00Z\") { technicianId } }",
        "{ suggestTechnicians(workOrderId: \"wo-1\", count: 3) { ranked { technicianId } } }",
        "query Q { __schema { types { name fields { name } } } }",
        "fragment F on WorkOrder { id title } query { workOrder(id: \"x\") { ...F } }",
    ];

    /// <summary>The nesting path through the schema that a deep query follows, looping.</summary>
    private static readonly string[] DeepPath = ["assignment", "primary", "technician", "schedule", "bookings", "workOrder"];

    public static FuzzRequest Next(Random random) => random.Next(12) switch
    {
        0 or 1 => Document("soup", Soup(random), random),
        2 or 3 => Document("mutated", Mutate(random, Pick(random, QueryTemplates)), random),
        4 => Document("deep", Deep(random), random),
        5 => Document("aliases", Aliases(random), random),
        6 or 7 => BadMutation(random),
        8 => Document("numbers", Numbers(random), random),
        9 => BadVariables(random),
        10 => Body(random),
        _ => Truncated(random),
    };

    private static FuzzRequest Truncated(Random random)
    {
        var template = Pick(random, QueryTemplates);
        return Document("truncated", template[..random.Next(1, template.Length)], random);
    }

    private static FuzzRequest Document(string kind, string query, Random random, object? variables = null) =>
        FuzzRequest.Json("graphql-" + kind, "/graphql", JsonSerializer.Serialize(new { query, variables = variables ?? RandomVariables(random) }));

    private static string Soup(Random random) =>
        string.Join(random.Next(3) == 0 ? "" : " ", Enumerable.Range(0, random.Next(1, 200)).Select(_ => Pick(random, Vocabulary)));

    private static string Mutate(Random random, string text)
    {
        var chars = new StringBuilder(text);
        for (var n = random.Next(1, 6); n > 0 && chars.Length > 0; n--)
        {
            var at = random.Next(chars.Length);
            switch (random.Next(4))
            {
                case 0: chars.Remove(at, 1); break;
                case 1: chars.Insert(at, Pick(random, Vocabulary)); break;
                case 2: chars[at] = (char)random.Next(0, 0xFFFF); break;
                default: chars.Insert(at, chars.ToString(0, Math.Min(chars.Length - at, random.Next(1, 40)))); break;
            }
        }

        return chars.ToString();
    }

    private static string Deep(Random random)
    {
        var depth = random.Next(2) == 0 ? random.Next(10, 60) : random.Next(200, 5000);
        return random.Next(3) switch
        {
            // Real fields, far past the depth limit.
            0 => "{ workOrder(id: \"x\") { " + string.Concat(Enumerable.Range(0, depth).Select(i => DeepPath[i % DeepPath.Length] + " { ")) + "__typename"
                 + new string('}', depth) + " } }",
            // Braces only.
            1 => new string('{', depth) + "a" + new string('}', random.Next(depth + 1)),
            // A list value nested in an argument.
            _ => "{ schedule(technicianIds: " + new string('[', depth) + "\"a\"" + new string(']', depth) + ", from: \"x\", to: \"y\") { technicianId } }",
        };
    }

    private static string Aliases(Random random)
    {
        var count = random.Next(2) == 0 ? random.Next(50, 500) : random.Next(2000, 20000);
        var field = Pick(random, ["__typename", "workOrders(first: 200) { totalCount }", "technicians(first: 200) { totalCount }", "workOrder(id: \"x\") { id }"]);
        return "{ " + string.Join(" ", Enumerable.Range(0, count).Select(i => $"a{i}: {field}")) + " }";
    }

    private static string Numbers(Random random)
    {
        var number = Pick(random, ["99999999999999999999999999999", "-2147483649", "2147483648", "1e400", "-1e400", "1.5", "-1", "0", "NaN", "Infinity",
            "\"NaN\"", "\"Infinity\"", "\"1e400\"", "null", "FOO"]);
        return Pick(random,
        [
            $"{{ workOrders(first: {number}) {{ totalCount }} }}",
            $"{{ technicians(first: {number}, after: \"{number}\") {{ totalCount }} }}",
            $"{{ technicianPositions(boundingBox: {{ minLatitude: {number}, minLongitude: -1, maxLatitude: {number}, maxLongitude: 1 }}, limit: {number}) {{ technicianId }} }}",
            $"{{ technicianTrail(technicianId: \"t\", limit: {number}) {{ timestamp }} }}",
            $"{{ workOrders(orderBy: {{ field: {number} }}, filter: {{ priorities: [{number}] }}) {{ totalCount }} }}",
            $"{{ suggestTechnicians(workOrderId: \"x\", count: {number}, explainExcluded: {number}) {{ considered }} }}",
        ]);
    }

    /// <summary>Mutations whose input cannot be coerced or validated: each must be refused whoever sends it.</summary>
    private static FuzzRequest BadMutation(Random random)
    {
        var bad = BadValue(random);
        var notANumber = NotANumber(random);
        var (query, variables) = random.Next(8) switch
        {
            0 => ("mutation($input: CreateWorkOrderInput!) { createWorkOrder(input: $input) { id } }",
                (object)new Dictionary<string, object?> { ["input"] = new Dictionary<string, object?> { ["title"] = "t", ["customer"] = new { name = "c" }, ["site"] = new { address = "a" }, [Pick(random, ["priority", "estimatedDurationMinutes", "customer"])] = bad } }),
            1 => ("mutation($input: CreateWorkOrderInput!) { createWorkOrder(input: $input) { id } }",
                new Dictionary<string, object?> { ["input"] = new Dictionary<string, object?> { ["title"] = bad, ["site"] = new { address = "a" } } }),
            2 => ("mutation($input: UpdateWorkOrderStatusInput!) { updateWorkOrderStatus(input: $input) { id } }",
                new Dictionary<string, object?> { ["input"] = new Dictionary<string, object?> { ["id"] = "wo-x", ["status"] = bad } }),
            3 => ("mutation($input: ReportLocationInput!) { reportLocation(input: $input) { accepted } }",
                new Dictionary<string, object?> { ["input"] = new Dictionary<string, object?> { ["technicianId"] = "t", ["fixes"] = new[] { new Dictionary<string, object?> { ["latitude"] = notANumber, ["longitude"] = 1, ["timestamp"] = "2026-01-01T00:00:00Z" } } } }),
            4 => ("mutation($input: DispatchWorkOrderInput!) { dispatchWorkOrder(input: $input) { outcome } }",
                new Dictionary<string, object?> { ["input"] = new Dictionary<string, object?> { ["id"] = "wo-x", ["technicianIds"] = new[] { "t" }, ["arrivalWindow"] = new { start = notANumber, end = "2026-01-01T00:00:00Z" } } }),
            5 => ("mutation($input: CreateTechnicianInput!) { createTechnician(input: $input) { id } }",
                new Dictionary<string, object?> { ["input"] = new Dictionary<string, object?> { ["name"] = "n", [Pick(random, ["homeBase", "certifications"])] = bad } }),
            6 => ("mutation($input: SetTechnicianCapacityInput!) { setTechnicianCapacity(input: $input) { id } }",
                new Dictionary<string, object?> { ["input"] = new Dictionary<string, object?> { ["technicianId"] = "t", ["maxActiveWorkOrders"] = bad } }),
            _ => ("mutation { createWorkOrder(input: { title: " + Pick(random, ["123", "null", "[\"a\"]", "{ a: 1 }", "FOO", "$undeclared"]) + ", customer: { name: \"c\" }, site: { address: \"a\" } }) { id } }",
                null!),
        };
        return FuzzRequest.Json("graphql-bad-mutation", "/graphql", JsonSerializer.Serialize(new { query, variables })) with { Expect = FuzzExpectation.RefusedGraphQL };
    }

    /// <summary>A value an Int, an enum or an input object refuses (not used for lists: one value coerces to a list of one).</summary>
    private static object? BadValue(Random random) => random.Next(10) switch
    {
        0 => new { unexpected = 1 },
        1 => new[] { new[] { 1 } },
        2 => 1e300,
        3 => "NaN",
        4 => "Infinity",
        5 => "NOT_AN_ENUM_VALUE",
        6 => new Dictionary<string, object?> { ["$ref"] = "#" },
        7 => -99999999999999999999.0,
        8 => true,
        _ => new string('x', 3) + "\u0000" + "\uD800",
    };

    /// <summary>Bad where a Float or a date is expected: a finite number would be a valid Float.</summary>
    private static object? NotANumber(Random random) => random.Next(6) switch
    {
        0 => new { unexpected = 1 },
        1 => new[] { 1.0 },
        2 => "NaN",
        3 => "Infinity",
        4 => true,
        _ => "x\u0000\uD800",
    };

    private static FuzzRequest BadVariables(Random random)
    {
        var raw = Pick(random,
        [
            "[1,2,3]", "\"a string\"", "123", "true", "{\"id\": {\"nested\": [1, {\"deeper\": null}]}}", "{\"b\": {\"minLatitude\": \"NaN\"}}",
            "{\"b\": {\"minLatitude\": 1e400, \"minLongitude\": 0, \"maxLatitude\": 1, \"maxLongitude\": 1}}",
            "{\"id\": " + new string('[', 3000) + new string(']', 3000) + "}", "{\"id\": 99999999999999999999999999999999}",
        ]);
        var query = Pick(random, QueryTemplates);
        return new FuzzRequest("graphql-bad-variables", HttpMethod.Post, "/graphql", "application/json",
            Encoding.UTF8.GetBytes($"{{\"query\": {JsonSerializer.Serialize(query)}, \"variables\": {raw}}}"));
    }

    private static FuzzRequest Body(Random random) => random.Next(9) switch
    {
        0 => new FuzzRequest("graphql-invalid-utf8", HttpMethod.Post, "/graphql", "application/json",
            [.. "{\"query\": \"{ workOrder(id: \\\""u8.ToArray(), .. Garbage(random, 64), .. "\\\") { id } }\"}"u8.ToArray()]),
        1 => new FuzzRequest("graphql-garbage", HttpMethod.Post, "/graphql", "application/json", Garbage(random, random.Next(1, 4096))),
        2 => FuzzRequest.Json("graphql-query-type", "/graphql", Pick(random, ["{\"query\": 1}", "{\"query\": null}", "{\"query\": [\"{a}\"]}", "{\"query\": {}}", "[]", "null", "\"{ a }\""])),
        3 => FuzzRequest.Json("graphql-fields", "/graphql", Pick(random,
            ["{\"query\": \"{ __typename }\", \"operationName\": {}}", "{\"query\": \"{ __typename }\", \"extensions\": 5}", "{\"query\": \"query A { __typename } query A { __typename }\"}",
             "{\"query\": \"query A { __typename } query B { __typename }\", \"operationName\": \"C\"}"])),
        4 => FuzzRequest.Json("graphql-batch", "/graphql", "[" + string.Join(",", Enumerable.Repeat("{\"query\": \"{ __typename }\"}", random.Next(2, 2000))) + "]"),
        5 => new FuzzRequest("graphql-content-type", HttpMethod.Post, "/graphql", Pick(random, ["text/plain", "application/xml", "multipart/form-data; boundary=x", "application/json; charset=latin1"]),
            Encoding.UTF8.GetBytes("{\"query\": \"{ __typename }\"}")),
        6 => FuzzRequest.Json("graphql-huge", "/graphql", JsonSerializer.Serialize(new { query = "{ __typename " + new string(' ', random.Next(100_000, 2_000_000)) + "}" })),
        7 => new FuzzRequest("graphql-get", HttpMethod.Get, "/graphql?query=" + Uri.EscapeDataString(Soup(random)) + "&variables=" + Uri.EscapeDataString(Pick(random, ["{", "[]", "null", "%%"])), null, null),
        _ => new FuzzRequest("graphql-get-mutation", HttpMethod.Get, "/graphql?query=" + Uri.EscapeDataString("mutation { createTechnician(input: { name: \"get\" }) { id } }"), null, null)
            with { Expect = FuzzExpectation.RefusedGraphQL },
    };

    private static object RandomVariables(Random random) => random.Next(4) switch
    {
        0 => new { },
        1 => new { id = Pick(random, ["wo-1", "", "../../etc", "default/x", new string('a', 5000), "\u0000"]) },
        2 => new { b = new { minLatitude = -91, minLongitude = 0, maxLatitude = 95, maxLongitude = 1 } },
        _ => new { id = 5, b = "box" },
    };

    internal static byte[] Garbage(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        // Make sure the bytes are not valid UTF-8: a lone continuation byte and an overlong encoding.
        bytes[0] = 0x80;
        if (length > 2)
        {
            bytes[^2] = 0xC0;
            bytes[^1] = 0xAF;
        }

        return bytes;
    }

    internal static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];
}

/// <summary>Malformed device payloads; every fix in them is invalid, so none may be stored.</summary>
public static class FuzzDevice
{
    public static FuzzRequest Next(Random random, string osmAndId, string osmAndKey) => random.Next(10) switch
    {
        < 4 => Batch(random),
        < 6 => WholeBody(random),
        _ => OsmAnd(random, osmAndId, osmAndKey),
    };

    private static FuzzRequest Batch(Random random)
    {
        var fixes = Enumerable.Range(0, random.Next(1, 20)).Select(_ => BadFix(random)).ToArray();
        return FuzzRequest.Json("locations-bad-fixes", "/api/v1/locations", "{\"fixes\": [" + string.Join(",", fixes) + "]}") with { Expect = FuzzExpectation.RefusedFixes };
    }

    /// <summary>A fix with at least one fatal defect, written as raw JSON so wrong types and absurd numbers survive.</summary>
    private static string BadFix(Random random)
    {
        var now = DateTimeOffset.UtcNow;
        var fields = new Dictionary<string, string>
        {
            ["lat"] = "29.76",
            ["lon"] = "-95.37",
            ["timestamp"] = JsonSerializer.Serialize(now.AddSeconds(-random.Next(1, 600)).ToString("O")),
        };
        foreach (var _ in Enumerable.Range(0, random.Next(1, 3)))
        {
            var (name, value) = random.Next(14) switch
            {
                0 => ("lat", (string?)null),
                1 => ("lon", null),
                2 => ("lat", FuzzGraphQL.Pick(random, ["90.0001", "-91", "1e308", "1e400", "-1e400", "12345"])),
                3 => ("lon", FuzzGraphQL.Pick(random, ["180.0001", "-181", "1e308", "99999"])),
                4 => ("lat", FuzzGraphQL.Pick(random, ["\"NaN\"", "\"Infinity\"", "\"29.76\"", "true", "[]", "{}", "\"\""])),
                5 => ("timestamp", JsonSerializer.Serialize(now.AddDays(random.Next(1, 4000)).ToString("O"))),
                6 => ("timestamp", JsonSerializer.Serialize(now.AddDays(-random.Next(8, 4000)).ToString("O"))),
                7 => ("timestamp", FuzzGraphQL.Pick(random, ["\"yesterday\"", "\"\"", "{}", "[1]", "-1", "1e30", "\"2026-13-45T99:99:99Z\""])),
                8 => ("timestamp", null),
                9 => ("speed", FuzzGraphQL.Pick(random, ["-1", "151", "1e300", "\"fast\""])),
                10 => ("heading", FuzzGraphQL.Pick(random, ["-0.1", "360.5", "1e300", "\"north\""])),
                11 => ("accuracy", FuzzGraphQL.Pick(random, ["-5", "10001", "1e300", "[]"])),
                12 => ("altitude", FuzzGraphQL.Pick(random, ["20001", "-1e9", "1e300", "{}"])),
                _ => ("lat", "null"),
            };
            if (value is null) fields.Remove(name);
            else fields[name] = value;
        }

        // Every fix must be refused: if the corruption happened to leave lat, lon and timestamp usable and valid, break lat.
        if (fields.GetValueOrDefault("lat") == "29.76" && fields.GetValueOrDefault("lon") == "-95.37" && fields.TryGetValue("timestamp", out var ts)
            && ts.StartsWith("\"", StringComparison.Ordinal) && DateTimeOffset.TryParse(JsonSerializer.Deserialize<string>(ts), CultureInfo.InvariantCulture, out var t)
            && (t - now).Duration() < TimeSpan.FromDays(1) && !fields.Keys.Any(k => k is "speed" or "heading" or "accuracy" or "altitude"))
            fields["lat"] = "-90.5";
        return "{" + string.Join(",", fields.Select(f => $"\"{f.Key}\": {f.Value}")) + "}";
    }

    private static FuzzRequest WholeBody(Random random) => random.Next(9) switch
    {
        0 => new FuzzRequest("locations-garbage", HttpMethod.Post, "/api/v1/locations", "application/json", FuzzGraphQL.Garbage(random, random.Next(1, 8192))),
        1 => FuzzRequest.Json("locations-truncated", "/api/v1/locations", "{\"fixes\": [{\"lat\": 29.7, \"lon\": -95.3, \"timestamp\": \"2026"[..random.Next(1, 50)]),
        2 => FuzzRequest.Json("locations-shape", "/api/v1/locations", FuzzGraphQL.Pick(random, ["[]", "null", "{}", "{\"fixes\": {}}", "{\"fixes\": \"x\"}", "{\"fixes\": [1, \"a\", null]}", "42"])),
        3 => FuzzRequest.Json("locations-huge-array", "/api/v1/locations", "{\"fixes\": [" + string.Join(",", Enumerable.Repeat("{\"lat\": 29.7, \"lon\": -95.3}", random.Next(501, 20000))) + "]}"),
        4 => FuzzRequest.Json("locations-deep", "/api/v1/locations", "{\"fixes\": " + new string('[', random.Next(65, 5000)) + "]"),
        5 => new FuzzRequest("locations-content-type", HttpMethod.Post, "/api/v1/locations", FuzzGraphQL.Pick(random, ["text/plain", "application/x-www-form-urlencoded"]),
            Encoding.UTF8.GetBytes("{\"fixes\": [{\"lat\": 29.7, \"lon\": -95.3, \"timestamp\": \"" + DateTimeOffset.UtcNow.ToString("O") + "\"}]}")),
        6 => FuzzRequest.Json("locations-too-large", "/api/v1/locations", "{\"fixes\": [], \"pad\": \"" + new string('x', random.Next(600_000, 1_500_000)) + "\"}"),
        7 => new FuzzRequest("locations-invalid-utf8", HttpMethod.Post, "/api/v1/locations", "application/json",
            [.. "{\"fixes\": [{\"lat\": \""u8.ToArray(), .. FuzzGraphQL.Garbage(random, 16), .. "\"}]}"u8.ToArray()]),
        _ => new FuzzRequest("locations-empty", HttpMethod.Post, "/api/v1/locations", "application/json", []),
    };

    private static FuzzRequest OsmAnd(Random random, string id, string key)
    {
        var fields = new Dictionary<string, string>
        {
            ["id"] = random.Next(8) == 0 ? FuzzGraphQL.Pick(random, ["", "../x", "a/b", new string('z', 3000), "unknown-" + random.Next()]) : id,
            ["lat"] = "29.76",
            ["lon"] = "-95.37",
            ["timestamp"] = DateTimeOffset.UtcNow.AddSeconds(-random.Next(1, 600)).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
        };
        if (random.Next(2) == 0)
            fields["key"] = key;
        switch (random.Next(9))
        {
            case 0: fields.Remove(FuzzGraphQL.Pick(random, ["lat", "lon"])); break;
            case 1: fields["lat"] = FuzzGraphQL.Pick(random, ["91", "-90.01", "1e400", "NaN", "Infinity", "-Infinity", "abc", "29,76", "0x1D"]); break;
            case 2: fields["lon"] = FuzzGraphQL.Pick(random, ["181", "-180.5", "1e308", "NaN", "--1", ""]); fields["lon"] = fields["lon"] == "" ? "x" : fields["lon"]; break;
            case 3: fields["timestamp"] = FuzzGraphQL.Pick(random, ["yesterday", "-1", "1e30", "99999999999999999999", "2026-13-45 99:99:99", "NaN"]); break;
            case 4: fields["timestamp"] = DateTimeOffset.UtcNow.AddDays(random.Next(2, 3000)).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture); break;
            case 5: fields["timestamp"] = DateTimeOffset.UtcNow.AddDays(-random.Next(8, 3000)).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture); break;
            case 6: fields.Remove("lat"); fields.Remove("lon"); fields["location"] = FuzzGraphQL.Pick(random, ["a,b", "1", "95,200", ",", "1,2,3"]); break;
            case 7: fields["altitude"] = FuzzGraphQL.Pick(random, ["20001", "-1e9", "1e300"]); break;
            default: fields["lat"] = "-95.5"; fields["speed"] = FuzzGraphQL.Pick(random, ["NaN", "1e400", "fast"]); break;
        }

        var query = string.Join("&", fields.Select(f => Uri.EscapeDataString(f.Key) + "=" + Uri.EscapeDataString(f.Value)));
        var request = random.Next(4) switch
        {
            0 => new FuzzRequest("osmand-get", HttpMethod.Get, "/osmand?" + query, null, null),
            1 => new FuzzRequest("osmand-form", HttpMethod.Post, "/osmand", "application/x-www-form-urlencoded", Encoding.UTF8.GetBytes(query)),
            2 => FuzzRequest.Json("osmand-json", "/osmand", JsonSerializer.Serialize(fields)),
            _ => FuzzRequest.Json("osmand-json-garbage", "/osmand", FuzzGraphQL.Pick(random,
                ["{\"device_id\": {}, \"location\": []}", "[1,2]", "{\"location\": {\"coords\": {\"latitude\": \"x\"}}}", "{\"device_id\": \"" + id + "\", \"location\": {\"coords\": {\"latitude\": 95, \"longitude\": 1}}}", "{"])),
        };
        return request with { Expect = FuzzExpectation.RefusedOsmAnd };
    }
}
