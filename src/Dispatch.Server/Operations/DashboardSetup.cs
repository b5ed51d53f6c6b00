using System.IdentityModel.Tokens.Jwt;
using System.Net;
using Dispatch.Domain.Identity;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Orleans.Dashboard;

namespace Dispatch.Server.Operations;

/// <summary>
/// The Orleans Dashboard at <see cref="Path"/>, for Admins only. It has no authentication of its own, and a browser cannot
/// attach a bearer token to the page's own requests, so an Admin exchanges a token for a cookie at <see cref="SessionPath"/>
/// (a form for browsers, or POST with the bearer header). The cookie carries that same token, so it expires with it, works
/// on every silo (no per-silo session state or data-protection keys) and is validated by the API's own bearer scheme;
/// it is HttpOnly, SameSite=Strict and sent only to <see cref="Path"/>.
/// </summary>
public static class DashboardSetup
{
    public const string Path = "/dashboard";
    public const string SessionPath = "/api/v1/dashboard/session";
    public const string CookieName = "dispatch_dashboard";
    public const string EnabledKey = "Dispatch:Dashboard:Enabled";

    public const string Policy = "DashboardAdmin";

    public static bool IsEnabled(IConfiguration configuration) => configuration.GetValue(EnabledKey, true);

    public static IServiceCollection AddDispatchDashboard(this IServiceCollection services)
    {
        // The API's own bearer scheme (same authority, keys, issuer, audience, lifetime rules) also takes the token from
        // the dashboard cookie, or from the sign-in form, but only on those paths: the cookie opens nothing else.
        services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, options =>
        {
            var inner = options.Events ?? new JwtBearerEvents();
            var previous = inner.OnMessageReceived;
            inner.OnMessageReceived = async context =>
            {
                await previous(context);
                var request = context.Request;
                if (context.Token is not null || !string.IsNullOrEmpty(request.Headers.Authorization))
                {
                    return;
                }

                if (request.Path.StartsWithSegments(SessionPath) && HttpMethods.IsPost(request.Method) && request.HasFormContentType)
                {
                    var form = await request.ReadFormAsync(context.HttpContext.RequestAborted);
                    context.Token = form["token"].ToString() is { Length: > 0 } token ? token : null;
                }
                else if (request.Path.StartsWithSegments(Path) && request.Cookies.TryGetValue(CookieName, out var cookie) && cookie.Length > 0)
                {
                    context.Token = cookie;
                }
            };
            options.Events = inner;
        });
        services.AddAuthorizationBuilder().AddPolicy(Policy, p => p.RequireAuthenticatedUser().RequireRole(Roles.Admin));
        return services;
    }

    public static IEndpointRouteBuilder MapDispatchDashboard(this IEndpointRouteBuilder app)
    {
        app.MapOrleansDashboard(Path).RequireAuthorization(Policy);

        // A browser's way in: paste a token (e.g. `token --user ops --role Admin --hours 1`), get the cookie, land on the dashboard.
        app.MapGet(SessionPath, () => Results.Content($$"""
            <!doctype html><html><head><meta charset="utf-8"><title>Dispatch dashboard sign-in</title></head>
            <body><form method="post" action="{{SessionPath}}">
            <label>Admin token <input type="password" name="token" autocomplete="off" required></label>
            <button type="submit">Open the dashboard</button></form></body></html>
            """, "text/html")).AllowAnonymous();

        app.MapPost(SessionPath, async (HttpContext http) =>
        {
            // The token that authenticated this request: the bearer header if there is one, else the form's.
            var header = http.Request.Headers.Authorization.ToString();
            var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                ? header["Bearer ".Length..].Trim()
                : (await http.Request.ReadFormAsync(http.RequestAborted))["token"].ToString();
            var expires = new JwtSecurityTokenHandler().CanReadToken(token)
                ? new DateTimeOffset(new JwtSecurityTokenHandler().ReadJwtToken(token).ValidTo, TimeSpan.Zero)
                : DateTimeOffset.UtcNow.AddMinutes(5);
            http.Response.Cookies.Append(CookieName, token, new CookieOptions
            {
                HttpOnly = true,
                Secure = http.Request.IsHttps,
                SameSite = SameSiteMode.Strict,
                Path = Path,
                Expires = expires,
            });
            return http.Request.HasFormContentType
                ? Results.Redirect(Path + "/", permanent: false, preserveMethod: false)
                : Results.StatusCode((int)HttpStatusCode.NoContent);
        }).RequireAuthorization(Policy).DisableAntiforgery();
        return app;
    }
}
