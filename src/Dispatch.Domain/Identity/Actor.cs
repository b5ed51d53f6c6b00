namespace Dispatch.Domain.Identity;

/// <summary>Who is acting: taken from the authenticated principal and carried into every grain command.</summary>
[GenerateSerializer, Immutable, Alias("Dispatch.Actor")]
public sealed record Actor(
    [property: Id(0)] string UserId,
    [property: Id(1)] string DisplayName,
    [property: Id(2)] string Tenant,
    [property: Id(3)] IReadOnlyList<string> Roles)
{
    /// <summary>Work the platform does by itself (a scheduled dispatch firing, an overrun alert).</summary>
    public static Actor System(string tenant) => new("system", "Dispatch", tenant, [Identity.Roles.System]);

    public bool IsInRole(string role) => Roles.Contains(role, StringComparer.OrdinalIgnoreCase);
}

public static class Roles
{
    public const string Admin = "Admin";
    public const string Dispatcher = "Dispatcher";
    /// <summary>The product's "Field role": only technicians with it can be dispatched.</summary>
    public const string Technician = "Technician";
    public const string Device = "Device";
    /// <summary>Not a user role: marks changes the platform made on its own.</summary>
    public const string System = "System";

    public static readonly IReadOnlyList<string> UserRoles = [Admin, Dispatcher, Technician, Device];

    public static bool IsKnown(string role) => UserRoles.Contains(role, StringComparer.OrdinalIgnoreCase);

    /// <summary>Canonical casing, so "dispatcher" on a command line becomes "Dispatcher" in a token.</summary>
    public static string Normalize(string role) =>
        UserRoles.FirstOrDefault(r => string.Equals(r, role, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown role '{role}'. Known roles: {string.Join(", ", UserRoles)}.", nameof(role));
}
