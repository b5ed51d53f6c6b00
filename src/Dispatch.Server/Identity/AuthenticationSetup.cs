using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace Dispatch.Server.Identity;

public static class AuthenticationSetup
{
    /// <summary>
    /// JWT bearer for every API. With an authority configured, keys come from its discovery document; otherwise the
    /// embedded key in the data directory signs and validates (see <see cref="SigningKeyStore"/>).
    /// </summary>
    public static IServiceCollection AddDispatchAuthentication(this IServiceCollection services, AuthOptions options, string dataDirectory)
    {
        services.AddSingleton(options);
        SecurityKey? embeddedKey = null;
        if (string.IsNullOrWhiteSpace(options.Authority))
        {
            embeddedKey = SigningKeyStore.Load(options, dataDirectory);
            services.AddSingleton(new TokenIssuer(options, embeddedKey, TimeProvider.System));
        }

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(jwt =>
            {
                // Keep claim names as issued ("sub", "role", "tenant") instead of the legacy SOAP-style URIs.
                jwt.MapInboundClaims = false;
                jwt.Authority = options.Authority;
                jwt.RequireHttpsMetadata = options.Authority?.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ?? false;
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidateIssuer = true,
                    ValidIssuer = embeddedKey is null ? options.Authority : options.Issuer,
                    ValidateAudience = true,
                    ValidAudience = options.Audience,
                    ValidateLifetime = true,
                    RequireExpirationTime = true,
                    ClockSkew = options.ClockSkew,
                    ValidateIssuerSigningKey = true,
                    IssuerSigningKey = embeddedKey,
                    NameClaimType = DispatchClaims.Name,
                    RoleClaimType = DispatchClaims.Role,
                };
            });
        services.AddAuthorization();
        return services;
    }
}
