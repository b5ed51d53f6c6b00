using Dispatch.Domain.Common;
using Dispatch.Domain.Tracking;
using Microsoft.Extensions.Primitives;

namespace Dispatch.Server.Tracking;

/// <summary>
/// How devices present their key. HTTP: <c>Authorization: Device {tenant}/{deviceId}:{key}</c> (the tenant part may be
/// left out in a one-tenant installation). SignalR clients that can only supply a token send the same credential as
/// <c>device:{tenant}/{deviceId}:{key}</c> (JS client: <c>accessTokenFactory</c>, which arrives as the
/// <c>access_token</c> query parameter on WebSockets or as a bearer header).
/// </summary>
public static class DeviceAuthentication
{
    public const string Scheme = "Device";
    private const string TokenPrefix = "device:";

    public static bool TryRead(HttpContext http, out DeviceCredential credential)
    {
        credential = default;
        if (AuthorizationValue(http.Request.Headers.Authorization, Scheme) is { } header)
            return DeviceCredential.TryParse(header, TenantKey.DefaultTenant, out credential);

        var token = http.Request.Query["access_token"].ToString();
        if (string.IsNullOrEmpty(token))
            token = AuthorizationValue(http.Request.Headers.Authorization, "Bearer") ?? "";
        return token.StartsWith(TokenPrefix, StringComparison.OrdinalIgnoreCase)
            && DeviceCredential.TryParse(token[TokenPrefix.Length..], TenantKey.DefaultTenant, out credential);
    }

    private static string? AuthorizationValue(StringValues header, string scheme)
    {
        var value = header.ToString();
        return value.StartsWith(scheme + " ", StringComparison.OrdinalIgnoreCase) ? value[(scheme.Length + 1)..].Trim() : null;
    }
}
