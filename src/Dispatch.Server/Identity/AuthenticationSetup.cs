using Dispatch.Server.Security;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace Dispatch.Server.Identity;

public static class AuthenticationSetup
{
    /// <summary>Where a refused token's reason waits for <see cref="TokenRefusalMiddleware"/> to answer with it.</summary>
    internal const string RefusalItem = "dispatch:token-refusal";

    /// <summary>
    /// JWT bearer for every API. With an authority configured, keys come from its discovery document; otherwise the
    /// embedded key in the data directory signs and validates (see <see cref="SigningKeyStore"/>), re-read when
    /// <c>keys rotate</c> replaces it (see <see cref="SigningKeyRing"/>). A validated token must also pass
    /// <see cref="IdentityGate"/> (known roles, registered tenant).
    /// </summary>
    public static IServiceCollection AddDispatchAuthentication(this IServiceCollection services, AuthOptions options, string dataDirectory)
    {
        services.AddSingleton(options);
        var embedded = string.IsNullOrWhiteSpace(options.Authority);
        if (embedded)
        {
            // Created (0600) at start-up, so a fresh install has its key before the first token is minted.
            SigningKeyStore.Load(options, dataDirectory);
            services.AddSingleton(sp => new SigningKeyRing(options, dataDirectory, sp.GetRequiredService<ILogger<SigningKeyRing>>()));
        }

        services.AddSingleton<IdentityGate>();
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
                    ValidIssuer = embedded ? options.Issuer : options.Authority,
                    ValidateAudience = true,
                    ValidAudience = options.Audience,
                    ValidateLifetime = true,
                    RequireExpirationTime = true,
                    ClockSkew = options.ClockSkew,
                    ValidateIssuerSigningKey = true,
                    NameClaimType = DispatchClaims.Name,
                    RoleClaimType = DispatchClaims.Role,
                };
                jwt.Events = new JwtBearerEvents
                {
                    OnMessageReceived = context =>
                    {
                        // "Bearer device:{tenant}/{id}:{key}" is a device credential for the SignalR hub, not a JWT.
                        var header = context.Request.Headers.Authorization.ToString();
                        if (header.StartsWith("Bearer device:", StringComparison.OrdinalIgnoreCase))
                        {
                            context.NoResult();
                        }

                        return Task.CompletedTask;
                    },
                    OnAuthenticationFailed = context =>
                    {
                        context.HttpContext.Items[RefusalItem] = new TokenRefusal(StatusCodes.Status401Unauthorized,
                            "The bearer token is not valid.", "The token is expired, not yet valid, or not signed for this installation. Get a new one.");
                        return Task.CompletedTask;
                    },
                    OnTokenValidated = async context =>
                    {
                        var gate = context.HttpContext.RequestServices.GetRequiredService<IdentityGate>();
                        if (await gate.CheckAsync(context.Principal!, context.HttpContext.RequestAborted) is { } refusal)
                        {
                            context.HttpContext.Items[RefusalItem] = refusal;
                            context.Fail(refusal.Detail);
                        }
                    },
                };
            });
        if (embedded)
        {
            // After AddJwtBearer's own configuration (which sets the parameters); asked per token, so a rotated key file
            // takes effect without a restart.
            services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<SigningKeyRing>((jwt, ring) =>
                jwt.TokenValidationParameters.IssuerSigningKeyResolver = (_, _, _, _) => [ring.Current]);
        }

        services.AddAuthorization();
        return services;
    }
}

/// <summary>
/// A request that presented a bearer token which was not accepted gets 401 (invalid, expired, wrong key) or 403 (unknown
/// tenant or role) with a problem body, instead of quietly running as an anonymous caller.
/// </summary>
public static class TokenRefusalMiddleware
{
    public static IApplicationBuilder UseTokenRefusals(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (http.Items[AuthenticationSetup.RefusalItem] is TokenRefusal refusal && http.User.Identity?.IsAuthenticated != true)
        {
            if (refusal.StatusCode == StatusCodes.Status401Unauthorized)
            {
                http.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
            }

            await Results.Problem(statusCode: refusal.StatusCode, title: refusal.Title, detail: refusal.Detail).ExecuteAsync(http);
            return;
        }

        await next(http);
    });
}
