using Dispatch.GraphQL.Transport;
using Dispatch.Server.Identity;
using Dispatch.Server.Security;
using GraphQL;
using GraphQL.Validation.Rules.Custom;

namespace Dispatch.Server.GraphQL;

/// <summary>Limits for the GraphQL endpoint (section <c>Dispatch:GraphQL</c>).</summary>
public sealed class GraphQLLimits
{
    public const string SectionName = "Dispatch:GraphQL";

    public int MaxDepth { get; set; } = 12;
    public int MaxComplexity { get; set; } = 5000;
    public int MaxPageSize { get; set; } = 200;

    /// <summary>Most aliased fields in one document (aliases multiply the work one request asks for).</summary>
    public int MaxAliases { get; set; } = 30;

    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Schema introspection; unset: on in the Development environment only, off in production.</summary>
    public bool? Introspection { get; set; }
}

public static class GraphQLSetup
{
    public static IServiceCollection AddDispatchGraphQL(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var limits = configuration.GetSection(GraphQLLimits.SectionName).Get<GraphQLLimits>() ?? new GraphQLLimits();
        var introspection = limits.Introspection ?? environment.IsDevelopment();
        services.AddSingleton(limits);
        services.AddSingleton<BearerTokenValidator>();
        services.AddGraphQL(b =>
        {
            b.AddSchema<DispatchSchema>()
                // '+' in offsets and '<' in notes stay readable; responses are JSON, never HTML, so relaxed escaping is safe.
                .AddSystemTextJson(json => json.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping)
                .AddGraphTypes(typeof(DispatchSchema).Assembly)
                .AddErrorInfoProvider<DispatchErrorInfoProvider>()
                .AddUnhandledExceptionHandler(DomainErrors.Translate)
                // Depth and cost are checked during validation, before any resolver runs.
                .AddComplexityAnalyzer(c =>
                {
                    c.MaxDepth = limits.MaxDepth;
                    c.MaxComplexity = limits.MaxComplexity;
                })
                .AddValidationRule(new AliasLimitRule(limits.MaxAliases));
            if (!introspection)
            {
                b.AddValidationRule<NoIntrospectionValidationRule>();
            }
        });

        services.AddGraphQLTransport(o =>
        {
            o.OperationTimeout = limits.OperationTimeout;
            o.ConnectionInitTimeout = AbuseLimits.Read(configuration).WebSocketInitTimeout;
            o.AuthenticateConnection = AuthenticateConnectionAsync;
        });
        return services;
    }

    /// <summary>
    /// A WebSocket's <c>connection_init</c>: the token (same rules as HTTP, 4403 when refused), then one of the user's
    /// connection slots (4429 when all are taken), given back when the socket's request ends.
    /// </summary>
    private static async ValueTask<System.Security.Claims.ClaimsPrincipal?> AuthenticateConnectionAsync(HttpContext http, IReadOnlyDictionary<string, object?>? payload)
    {
        var user = await http.RequestServices.GetRequiredService<BearerTokenValidator>()
            .ValidateAsync(BearerTokenValidator.TokenFromPayload(payload), http.RequestAborted);
        if (user?.ToActor() is not { } actor)
        {
            return null;
        }

        var lease = http.RequestServices.GetRequiredService<ConnectionCounter>().TryAcquire(actor.Tenant, actor.UserId)
            ?? throw new GraphQLConnectionRefusedException(4429, "Too many open connections for this user");
        http.Response.RegisterForDispose(lease);
        return user;
    }
}
