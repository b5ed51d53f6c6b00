using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace Dispatch.GraphQL.Transport;

/// <summary>
/// Decides who opened a graphql-transport-ws connection from its <c>connection_init</c> payload.
/// Return <see langword="null"/> to refuse the connection (closed with 4403 Forbidden); return an
/// unauthenticated principal (<c>new ClaimsPrincipal(new ClaimsIdentity())</c>) to admit an anonymous user.
/// If the principal carries an <c>exp</c> claim (Unix seconds), the connection is closed with 4403 when it passes.
/// </summary>
public delegate ValueTask<ClaimsPrincipal?> GraphQLConnectionAuthenticator(
    HttpContext httpContext, IReadOnlyDictionary<string, object?>? connectionInitPayload);

/// <summary>
/// Adds host values to <c>ExecutionOptions.UserContext</c>. Called once per GraphQL operation (each HTTP request,
/// each SSE request, each WebSocket <c>subscribe</c>) with a fresh dictionary, so resolvers of concurrent
/// operations never share one. <paramref name="user"/> is the principal the operation runs as.
/// </summary>
public delegate ValueTask GraphQLUserContextBuilder(
    HttpContext httpContext, ClaimsPrincipal user, IDictionary<string, object?> userContext);

/// <summary>Settings of one GraphQL endpoint (HTTP, WebSocket and SSE on the same path).</summary>
public sealed class GraphQLTransportOptions
{
    /// <summary>Route pattern used by <c>MapGraphQLTransport()</c> when no pattern is passed.</summary>
    public string Path { get; set; } = "/graphql";

    /// <summary>Largest accepted POST body; larger bodies get 413. Also the largest accepted WebSocket message.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Longest accepted query text in characters; longer queries are refused before parsing.</summary>
    public int MaxQueryLength { get; set; } = 64 * 1024;

    /// <summary>
    /// Limit on executing one operation: for queries and mutations the whole execution, for subscriptions the
    /// set-up of the event stream (not its lifetime). <see cref="Timeout.InfiniteTimeSpan"/> disables it.
    /// </summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A WebSocket must be acknowledged (<c>connection_init</c> accepted) within this time, else 4408.</summary>
    public TimeSpan ConnectionInitTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Interval of server keep-alives: a <c>ping</c> message on acknowledged WebSockets and a <c>:</c> comment on
    /// SSE streams, so proxies keep idle connections open. <see cref="TimeSpan.Zero"/> disables them.
    /// </summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(12);

    /// <summary>Operations one WebSocket may run at once; a <c>subscribe</c> beyond it gets an <c>error</c>.</summary>
    public int MaxOperationsPerConnection { get; set; } = 100;

    /// <summary>
    /// Messages that may wait to be written to one WebSocket or SSE response. A client that falls this far behind
    /// is disconnected, so a stalled reader never holds up event sources or grows memory without bound.
    /// </summary>
    public int SendQueueCapacity { get; set; } = 1024;

    /// <summary>
    /// Refuse (400) POST requests that a browser could send cross-site without a CORS preflight — no content type
    /// or <c>text/plain</c>, <c>application/x-www-form-urlencoded</c>, <c>multipart/form-data</c> — unless they carry
    /// one of <see cref="CsrfPreflightHeaders"/>. GET requests are not guarded: they never run mutations.
    /// </summary>
    public bool CsrfProtection { get; set; } = true;

    /// <summary>Headers whose presence proves a preflighted (non-simple) request to the CSRF guard.</summary>
    public IList<string> CsrfPreflightHeaders { get; set; } = ["GraphQL-Require-Preflight", "X-Requested-With"];

    /// <summary>
    /// Origins (e.g. <c>https://app.example.com</c>) whose browser pages may open WebSockets here; others get 403.
    /// Empty (the default) allows any origin, which is safe while credentials travel in <c>connection_init</c>; set it
    /// when connections are authenticated by cookies (no <see cref="AuthenticateConnection"/>), against cross-site
    /// WebSocket hijacking. Requests without an Origin header (non-browser clients) are always allowed.
    /// </summary>
    public IList<string> WebSocketAllowedOrigins { get; set; } = [];

    /// <summary>
    /// Authenticates WebSocket connections from their <c>connection_init</c> payload. When not set, the principal
    /// of the upgrade request (<c>HttpContext.User</c>) is used and every connection is admitted.
    /// </summary>
    public GraphQLConnectionAuthenticator? AuthenticateConnection { get; set; }

    /// <summary>Fills <c>ExecutionOptions.UserContext</c> per operation; optional.</summary>
    public GraphQLUserContextBuilder? BuildUserContext { get; set; }

    /// <summary>Parsed and validated documents kept by <see cref="Caching.GraphQLDocumentCache"/>; 0 disables the cache.</summary>
    public int DocumentCacheSize { get; set; } = 1000;

    internal GraphQLTransportOptions Clone()
    {
        var copy = (GraphQLTransportOptions)MemberwiseClone();
        copy.CsrfPreflightHeaders = [.. CsrfPreflightHeaders];
        copy.WebSocketAllowedOrigins = [.. WebSocketAllowedOrigins];
        return copy;
    }

    internal void Validate()
    {
        static void Positive(bool ok, string name)
        {
            if (!ok)
                throw new InvalidOperationException($"GraphQLTransportOptions.{name} must be positive.");
        }

        Positive(MaxRequestBodyBytes is > 0 and < int.MaxValue, nameof(MaxRequestBodyBytes));
        Positive(MaxQueryLength > 0, nameof(MaxQueryLength));
        Positive(OperationTimeout > TimeSpan.Zero || OperationTimeout == Timeout.InfiniteTimeSpan, nameof(OperationTimeout));
        Positive(ConnectionInitTimeout > TimeSpan.Zero, nameof(ConnectionInitTimeout));
        Positive(KeepAliveInterval >= TimeSpan.Zero, nameof(KeepAliveInterval));
        Positive(MaxOperationsPerConnection > 0, nameof(MaxOperationsPerConnection));
        Positive(SendQueueCapacity > 0, nameof(SendQueueCapacity));
        Positive(DocumentCacheSize >= 0, nameof(DocumentCacheSize));
        if (string.IsNullOrEmpty(Path) || Path[0] != '/')
            throw new InvalidOperationException("GraphQLTransportOptions.Path must start with '/'.");
    }
}

/// <summary>
/// Thrown by a <see cref="GraphQLConnectionAuthenticator"/> to refuse a WebSocket with a specific close code (e.g. 4429
/// when a user already holds too many connections) instead of the generic 4403.
/// </summary>
public sealed class GraphQLConnectionRefusedException(int closeCode, string reason) : Exception(reason)
{
    /// <summary>A close code in the application range 4000-4999.</summary>
    public int CloseCode { get; } = closeCode is >= 4000 and <= 4999
        ? closeCode
        : throw new ArgumentOutOfRangeException(nameof(closeCode), closeCode, "Use an application close code (4000-4999).");
}
