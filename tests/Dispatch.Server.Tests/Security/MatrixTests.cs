using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dispatch.Server.Tracking;
using Dispatch.Testing;

namespace Dispatch.Server.Tests.Security;

/// <summary>
/// The security matrix for queries and mutations over GraphQL-over-HTTP: every row of
/// <see cref="MatrixExpectations.GraphQL"/> × every <see cref="Principal"/>, one test case per cell. A refused cell must
/// also leave its target as it was, read back as tenant A's admin.
/// </summary>
public sealed partial class MatrixTests(SecurityWorld world) : IClassFixture<SecurityWorld>
{
    public static TheoryData<string, Principal, Outcome> QueriesAndMutations
    {
        get
        {
            var data = new TheoryData<string, Principal, Outcome>();
            foreach (var (row, principal, expected) in Cells(OperationKind.Query, OperationKind.Mutation))
                data.Add(row, principal, expected);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(QueriesAndMutations))]
    public async Task GraphQL_over_HTTP(string operation, Principal principal, Outcome expected)
    {
        var op = MatrixOperations.Find(operation);
        var cell = await op.Arrange(world, principal);
        var before = cell.Snapshot is null ? null : await cell.Snapshot();

        using var client = world.Client(principal);
        var answer = await client.PostGraphQLAsync(cell.Document, cell.Variables);

        var after = cell.Snapshot is null ? null : await cell.Snapshot();
        Assert.True(answer.HttpStatus < 500, $"5xx: {answer}");
        var actual = Actual(answer, op.Field, before, after);
        var refusals = MatrixVerdict.RefusalsOf(answer);
        if (expected == Outcome.Allowed)
        {
            Assert.True(refusals.Count == 0 && answer.Field(op.Field) is not null, $"expected Allowed, actual {actual}: {answer}");
            Assert.True(before is null || before != after, $"expected Allowed, actual: answered but the target did not change ({after})");
            return;
        }

        var wrong = MatrixVerdict.CheckRefusal(expected, refusals);
        Assert.True(wrong is null, $"expected {expected}, actual {actual}: {wrong} — {answer}");
        if (expected is Outcome.Denied or Outcome.Unauthenticated)
            Assert.True(answer.Field(op.Field) is null, $"expected {expected}, actual: data alongside the refusal — {answer}");
        var leak = MatrixVerdict.Leak(MatrixOperations.DataText(answer.Json), MatrixVerdict.Markers(world, principal));
        Assert.True(leak is null, $"expected {expected}, actual leak: {leak}");
        Assert.True(before == after, $"expected {expected}, actual: the target changed\nbefore: {before}\nafter:  {after}");
    }

    /// <summary>A field added to the schema without a matrix row fails here (and so does a row for a field that is gone).</summary>
    [Fact]
    public async Task Every_schema_root_field_has_matrix_rows()
    {
        var schema = await world.AdminA.DataAsync("""
            { __schema { queryType { fields { name } } mutationType { fields { name } } subscriptionType { fields { name } } } }
            """);
        var fields = new[] { "queryType", "mutationType", "subscriptionType" }
            .SelectMany(t => schema.GetProperty("__schema").GetProperty(t).GetProperty("fields").EnumerateArray())
            .Select(f => f.GetProperty("name").GetString()!)
            .ToHashSet();

        var covered = MatrixOperations.All.Select(o => o.Field).ToHashSet();
        Assert.Equal(fields.Order(), covered.Order());
        Assert.Equal(MatrixExpectations.GraphQL.Keys.Order(), MatrixOperations.All.Select(o => o.Row).Order());
    }

    /// <summary>A hub method added without a row fails here.</summary>
    [Fact]
    public void Every_hub_method_has_matrix_rows()
    {
        var methods = typeof(TrackingHub).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName && m.GetBaseDefinition().DeclaringType == typeof(TrackingHub))
            .Select(m => m.Name);

        Assert.Equal(methods.Order(), MatrixExpectations.Hub.Keys.Order());
    }

    /// <summary>
    /// Every route the server maps (read from its source, where a new endpoint appears) is covered: the HTTP rows, the
    /// hub rows, GraphQL (the rows above, over HTTP, WebSocket and SSE) and the device credential cases.
    /// </summary>
    [Fact]
    public void Every_mapped_route_is_covered()
    {
        // Literal routes, or "File.cs:Constant" where a route is a named constant.
        var covered = new Dictionary<string, string>
        {
            ["/api/v1/locations"] = "POST /api/v1/locations row + Device_credential cases",
            ["/osmand"] = "Device_credential cases",
            ["/api/v1"] = "group of /me and /cluster",
            ["/me"] = "GET /api/v1/me row",
            ["/cluster"] = "GET /api/v1/cluster row",
            ["/api/v1/tracking/stats"] = "GET /api/v1/tracking/stats row",
            ["/health/live"] = "GET /health/live row",
            ["/health/ready"] = "GET /health/ready row",
            ["TrackingSetup.cs:HubPath"] = "Hub rows (/hubs/tracking)",
            ["AccessPolicyApi.cs:Path"] = "GET /api/v1/access-policy row",
        };
        var mapped = new[] { "src/Dispatch.Server", "src/Dispatch.GraphQL.Transport" }
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, d), "*.cs", SearchOption.AllDirectories))
            .SelectMany(f => RouteArgument().Matches(File.ReadAllText(f))
                .Select(m => m.Groups["literal"].Success ? m.Groups["literal"].Value : $"{Path.GetFileName(f)}:{m.Groups["constant"].Value}"))
            .ToHashSet();

        var uncovered = mapped.Where(route => !covered.ContainsKey(route)).ToList();
        Assert.True(uncovered.Count == 0, $"routes without matrix rows: {string.Join(", ", uncovered)}");
        Assert.Equal("/hubs/tracking", TrackingSetup.HubPath);
    }

    internal static IEnumerable<(string Row, Principal Principal, Outcome Expected)> Cells(params OperationKind[] kinds) =>
        from op in MatrixOperations.All
        where kinds.Contains(op.Kind)
        from principal in Enum.GetValues<Principal>()
        select (op.Row, principal, MatrixExpectations.ForGraphQL(op.Row, principal));

    private static string Actual(GraphQLAnswer answer, string field, string? before, string? after)
    {
        var refusals = MatrixVerdict.RefusalsOf(answer);
        var what = refusals.Count > 0 ? "refused " + string.Join(",", refusals) : answer.Field(field) is null ? "null" : "Allowed";
        return before != after ? what + " (and the target changed)" : what;
    }

    [GeneratedRegex(@"\.Map(?:Get|Post|Put|Delete|Patch|Methods|HealthChecks|Group|Hub<\w+>)\(\s*(?:""(?<literal>[^""]+)""|(?<constant>[A-Za-z_][\w.]*)\s*[,)])")]
    private static partial Regex RouteArgument();
}
