namespace Dispatch.Domain.Common;

/// <summary>
/// Grain keys carry the tenant ("{tenant}/{id}") so that no lookup can reach another tenant's grain by id alone.
/// </summary>
public static class TenantKey
{
    public const string DefaultTenant = "default";
    private const char Separator = '/';

    public static string Compose(string tenant, string id)
    {
        ValidatePart(tenant, nameof(tenant));
        ValidatePart(id, nameof(id));
        return string.Concat(tenant, "/", id);
    }

    public static (string Tenant, string Id) Parse(string key)
    {
        var slash = key.IndexOf(Separator);
        if (slash <= 0 || slash == key.Length - 1)
        {
            throw new FormatException($"Grain key '{key}' is not of the form tenant/id.");
        }

        return (key[..slash], key[(slash + 1)..]);
    }

    /// <summary>Tenants and ids are short, printable and free of the separator, so a key parses one way only.</summary>
    public static bool IsValidPart(string? value) =>
        !string.IsNullOrWhiteSpace(value)
        && value.Length <= 64
        && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    private static void ValidatePart(string value, string name)
    {
        if (!IsValidPart(value))
        {
            throw DomainException.Validation(name, $"'{value}' is not a valid {name}: use 1-64 letters, digits, '-', '_' or '.'.");
        }
    }
}
