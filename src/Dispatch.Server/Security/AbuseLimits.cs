using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Dispatch.Domain.Common;
using Dispatch.Server.Identity;
using Dispatch.Server.Tracking;
using Microsoft.AspNetCore.RateLimiting;

namespace Dispatch.Server.Security;

/// <summary>Limits against abuse and slow clients (section <c>Dispatch:Limits</c>); GraphQL's own are under <c>Dispatch:GraphQL</c>.</summary>
public sealed class LimitOptions
{
    public const string SectionName = "Dispatch:Limits";

    /// <summary>Sustained HTTP requests per second per user (tenant + subject; anonymous callers per IP address). 0 turns the limit off.</summary>
    public double RequestsPerSecond { get; set; } = 100;

    /// <summary>Requests a user may make at once above the sustained rate (token bucket size).</summary>
    public int RequestBurst { get; set; } = 500;

    /// <summary>Open GraphQL WebSockets and SignalR connections per user; one more is closed with 4429 (SignalR: refused).</summary>
    public int WebSocketsPerUser { get; set; } = 16;

    /// <summary>Largest request body (Kestrel, every endpoint; GraphQL and device ingest have their own lower limits).</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>A client must send its request headers within this time.</summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>A request body slower than this (after <see cref="MinRequestBodyGracePeriod"/>) is cut off.</summary>
    public double MinRequestBodyBytesPerSecond { get; set; } = 240;

    public TimeSpan MinRequestBodyGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>An idle keep-alive connection is closed after this.</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(130);

    /// <summary>A GraphQL WebSocket must send an accepted <c>connection_init</c> within this time, else it is closed (4408).</summary>
    public TimeSpan WebSocketInitTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

public static class AbuseLimits
{
    public const string RateLimitedCode = "RATE_LIMITED";

    public static LimitOptions Read(IConfiguration configuration) =>
        configuration.GetSection(LimitOptions.SectionName).Get<LimitOptions>() ?? new LimitOptions();

    public static WebApplicationBuilder AddDispatchLimits(this WebApplicationBuilder builder)
    {
        var limits = Read(builder.Configuration);
        builder.Services.AddSingleton(limits);
        builder.Services.AddSingleton<ConnectionCounter>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false; // say nothing about the server software
            kestrel.Limits.MaxRequestBodySize = limits.MaxRequestBodyBytes;
            kestrel.Limits.RequestHeadersTimeout = limits.RequestHeadersTimeout;
            kestrel.Limits.KeepAliveTimeout = limits.KeepAliveTimeout;
            kestrel.Limits.MinRequestBodyDataRate = new Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate(
                limits.MinRequestBodyBytesPerSecond, limits.MinRequestBodyGracePeriod);
        });

        if (limits.RequestsPerSecond > 0)
        {
            builder.Services.AddRateLimiter(o =>
            {
                o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http => PartitionFor(http) is { } key
                    ? RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = Math.Max(1, limits.RequestBurst),
                        TokensPerPeriod = Math.Max(1, (int)Math.Ceiling(limits.RequestsPerSecond / 10)),
                        ReplenishmentPeriod = TimeSpan.FromSeconds(Math.Max(1, (int)Math.Ceiling(limits.RequestsPerSecond / 10)) / limits.RequestsPerSecond),
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    })
                    : RateLimitPartition.GetNoLimiter(""));
                o.OnRejected = (context, _) => RejectAsync(context);
            });
        }

        return builder;
    }

    /// <summary>Security headers on every response, and the rate limiter (after authentication: it partitions by user).</summary>
    public static WebApplication UseDispatchSecurityHeaders(this WebApplication app)
    {
        app.Use((http, next) =>
        {
            var headers = http.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";
            headers["Referrer-Policy"] = "no-referrer";
            if (http.Request.IsHttps)
            {
                headers.StrictTransportSecurity = "max-age=31536000; includeSubDomains";
            }

            return next(http);
        });
        return app;
    }

    public static WebApplication UseDispatchRateLimits(this WebApplication app)
    {
        if (app.Services.GetRequiredService<LimitOptions>().RequestsPerSecond > 0)
        {
            app.UseRateLimiter();
        }

        return app;
    }

    /// <summary>Who a request counts against: the user (tenant/subject), or the IP address of an anonymous caller. Devices and probes have their own limits.</summary>
    private static string? PartitionFor(HttpContext http)
    {
        var path = http.Request.Path;
        if (path.StartsWithSegments("/health") || DeviceAuthentication.TryRead(http, out _))
        {
            // Devices on the hub: per-device token bucket in their grains (the ingest endpoints never reach this limiter,
            // they are short-circuited in routing); probes: never throttled.
            return null;
        }

        if (IsWebSocketUpgrade(http) && string.IsNullOrEmpty(http.Request.Headers.Authorization))
        {
            // A GraphQL socket's token arrives later, in connection_init, so its upgrade looks anonymous; counting it per IP
            // would make every dashboard behind one proxy share a bucket. Sockets are limited per user once the token is
            // known (WebSocketsPerUser, close 4429).
            return null;
        }

        return http.User.ToActor() is { } actor
            ? "u:" + TenantKey.Compose(actor.Tenant, actor.UserId.Length <= 64 && TenantKey.IsValidPart(actor.UserId) ? actor.UserId : Hash(actor.UserId))
            : "ip:" + (http.Connection.RemoteIpAddress ?? IPAddress.None);
    }

    /// <summary>
    /// A WebSocket upgrade, read from the request itself: <c>HttpContext.WebSockets.IsWebSocketRequest</c> needs the
    /// WebSockets middleware, which only the GraphQL endpoint's own pipeline adds, so out here it always said no (and a
    /// token-less upgrade was counted against the caller's IP after all).
    /// </summary>
    private static bool IsWebSocketUpgrade(HttpContext http) =>
        (http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpUpgradeFeature>()?.IsUpgradableRequest == true
         && string.Equals(http.Request.Headers.Upgrade, "websocket", StringComparison.OrdinalIgnoreCase))
        || (http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpExtendedConnectFeature>() is { IsExtendedConnect: true } connect
            && string.Equals(connect.Protocol, "websocket", StringComparison.OrdinalIgnoreCase));

    private static string Hash(string value) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(value)))[..32];

    private static async ValueTask RejectAsync(OnRejectedContext context)
    {
        var http = context.HttpContext;
        var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        const string Detail = "Too many requests from this user; slow down and retry after the Retry-After seconds. Nothing was done.";
        if (http.Request.Path.StartsWithSegments("/graphql") && !IsWebSocketUpgrade(http))
        {
            // GraphQL clients branch on extensions.code; the status and Retry-After say the same to HTTP clients.
            await http.Response.WriteAsJsonAsync(new
            {
                errors = new[] { new { message = Detail, extensions = new { code = RateLimitedCode, retryAfterSeconds = retryAfter } } },
            }, http.RequestAborted);
            return;
        }

        await Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Rate limited", detail: Detail,
            extensions: new Dictionary<string, object?> { ["code"] = RateLimitedCode, ["retryAfterSeconds"] = retryAfter }).ExecuteAsync(http);
    }
}

/// <summary>
/// Open long-lived connections per user (GraphQL WebSockets and SignalR). A lease is taken when the connection is
/// authenticated and given back when it ends.
/// </summary>
public sealed class ConnectionCounter(LimitOptions limits)
{
    private readonly ConcurrentDictionary<string, int> _open = new(StringComparer.Ordinal);

    public int OpenFor(string user) => _open.TryGetValue(user, out var count) ? count : 0;

    /// <summary>A lease to dispose when the connection ends, or null when the user already holds the maximum.</summary>
    public IDisposable? TryAcquire(string tenant, string userId)
    {
        var key = tenant + "\n" + userId;
        while (true)
        {
            var current = OpenFor(key);
            if (current >= limits.WebSocketsPerUser)
            {
                return null;
            }

            if (current == 0 ? _open.TryAdd(key, 1) : _open.TryUpdate(key, current + 1, current))
            {
                return new Lease(this, key);
            }
        }
    }

    private void Release(string key)
    {
        while (true)
        {
            var current = OpenFor(key);
            if (current == 0)
            {
                return;
            }

            if (current == 1 ? _open.TryRemove(new KeyValuePair<string, int>(key, current)) : _open.TryUpdate(key, current - 1, current))
            {
                return;
            }
        }
    }

    private sealed class Lease(ConnectionCounter owner, string key) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Release(key);
            }
        }
    }
}
