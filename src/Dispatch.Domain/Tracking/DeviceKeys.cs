using System.Security.Cryptography;
using System.Text;

namespace Dispatch.Domain.Tracking;

/// <summary>
/// Per-device secrets: 256 random bits shown once at registration, kept only as a SHA-256 hash. A plain hash (no salt,
/// no slow KDF) is right here because the key is random and long: there is nothing to guess, and ingest checks it on
/// every request.
/// </summary>
public static class DeviceKeys
{
    public const int KeyBytes = 32;

    /// <summary>A new key, base64url without padding (43 characters).</summary>
    public static string Generate() => Base64Url(RandomNumberGenerator.GetBytes(KeyBytes));

    /// <summary>The stored form: lowercase hex SHA-256 of the key's UTF-8 bytes.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>Constant-time comparison of two stored-form hashes.</summary>
    public static bool HashesEqual(string? presentedHash, string? storedHash) =>
        presentedHash is not null && storedHash is not null
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(presentedHash), Encoding.ASCII.GetBytes(storedHash));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>
/// What a device presents: "<c>{tenant}/{deviceId}:{key}</c>" (the tenant part may be left out in a one-tenant
/// installation). Parsing is strict so a malformed header is a 401, never a lookup of something odd.
/// </summary>
public readonly record struct DeviceCredential(string Tenant, string DeviceId, string Key)
{
    public static bool TryParse(string? text, string defaultTenant, out DeviceCredential credential)
    {
        credential = default;
        if (string.IsNullOrWhiteSpace(text))
            return false;
        var colon = text.IndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
            return false;
        var identity = text[..colon].Trim();
        var key = text[(colon + 1)..].Trim();
        var slash = identity.IndexOf('/');
        var tenant = slash < 0 ? defaultTenant : identity[..slash];
        var deviceId = slash < 0 ? identity : identity[(slash + 1)..];
        if (!Common.TenantKey.IsValidPart(tenant) || !Common.TenantKey.IsValidPart(deviceId) || key.Length is 0 or > 256)
            return false;
        credential = new DeviceCredential(tenant, deviceId, key);
        return true;
    }

    public override string ToString() => $"{Tenant}/{DeviceId}:{Key}";
}
