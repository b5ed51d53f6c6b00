namespace Dispatch.Server.Tests.Security;

/// <summary>How an answer is judged against the expected <see cref="Outcome"/>; failures say what actually happened.</summary>
public static class MatrixVerdict
{
    private static readonly string[] RoleRefusals = ["FORBIDDEN", "UNAUTHENTICATED", "close:4403", "http:401", "http:403"];
    private static readonly string[] IdentityRefusals = ["UNAUTHENTICATED", "close:4403", "http:401"];
    private static readonly string[] HidingRefusals = ["NOT_FOUND", "FORBIDDEN", "http:403"];

    /// <summary>Strings whose presence in data shows the principal something it may not see.</summary>
    public static IReadOnlyList<string> Markers(SecurityWorld world, Principal principal) => principal switch
    {
        Principal.Technician => [world.TechOther, world.OrderOther, world.OrderOpen, "ALPHA other", "ALPHA open"],
        Principal.Admin or Principal.Dispatcher => [],
        // Anyone outside tenant A: none of A's names, A-only ids or A's positions.
        _ => [.. world.TenantAOnlyIds, "ALPHA", SecurityWorld.LatitudeAMarker],
    };

    public static IReadOnlyList<string> RefusalsOf(GraphQLAnswer answer)
    {
        var refusals = answer.ErrorCodes.ToList();
        if (answer.HttpStatus is 401 or 403)
            refusals.Add($"http:{answer.HttpStatus}");
        return refusals;
    }

    /// <summary>Null when the refusals fit the expected outcome, else why not.</summary>
    public static string? CheckRefusal(Outcome expected, IReadOnlyList<string> refusals) => expected switch
    {
        Outcome.Denied when refusals.Count == 0 || !refusals.All(RoleRefusals.Contains) => Describe(refusals, "FORBIDDEN or UNAUTHENTICATED"),
        Outcome.Unauthenticated when refusals.Count == 0 || !refusals.All(IdentityRefusals.Contains) => Describe(refusals, "UNAUTHENTICATED"),
        Outcome.Hidden or Outcome.Scoped when refusals.Count > 0 && !refusals.All(HidingRefusals.Contains) => Describe(refusals, "NOT_FOUND/FORBIDDEN or success"),
        _ => null,
    };

    public static string? Leak(string data, IReadOnlyList<string> markers) =>
        markers.FirstOrDefault(m => data.Contains(m, StringComparison.Ordinal)) is { } marker ? $"data shows '{marker}': {Shorten(data)}" : null;

    public static string Shorten(string text) => text.Length > 500 ? text[..500] + "…" : text;

    private static string Describe(IReadOnlyList<string> refusals, string wanted) =>
        refusals.Count == 0 ? $"wanted {wanted}, got no refusal" : $"wanted {wanted}, got {string.Join(", ", refusals)}";
}
