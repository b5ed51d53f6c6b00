namespace Dispatch.Server.Identity;

/// <summary>
/// How users prove who they are. Production points <see cref="Authority"/> at an OIDC provider; embedded mode signs its
/// own tokens with a key it keeps in the data directory (or <see cref="SigningKey"/> when an operator supplies one).
/// </summary>
public sealed class AuthOptions
{
    public const string SectionName = "Dispatch:Auth";

    /// <summary>OIDC authority (issuer URL). When set, tokens are validated against its published keys.</summary>
    public string? Authority { get; set; }

    public string Issuer { get; set; } = "dispatch";

    public string Audience { get; set; } = "dispatch";

    /// <summary>Base64 HMAC key (at least 256 bits). Overrides the key file.</summary>
    public string? SigningKey { get; set; }

    /// <summary>Where the embedded signing key is kept; relative paths are under the data directory.</summary>
    public string SigningKeyFile { get; set; } = "signing-key";

    /// <summary>Lifetime of tokens minted by the <c>token</c> verb.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Tolerance for clock differences between the token's issuer and this server.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);
}
