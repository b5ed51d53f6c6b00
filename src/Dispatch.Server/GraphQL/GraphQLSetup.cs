using Dispatch.GraphQL.Transport;
using Dispatch.Server.Identity;
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
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(30);
    public bool Introspection { get; set; } = true;
}

public static class GraphQLSetup
{
    public static IServiceCollection AddDispatchGraphQL(this IServiceCollection services, IConfiguration configuration)
    {
        var limits = configuration.GetSection(GraphQLLimits.SectionName).Get<GraphQLLimits>() ?? new GraphQLLimits();
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
                });
            if (!limits.Introspection)
            {
                b.AddValidationRule<NoIntrospectionValidationRule>();
            }
        });

        services.AddGraphQLTransport(o =>
        {
            o.OperationTimeout = limits.OperationTimeout;
            o.AuthenticateConnection = (http, payload) =>
                http.RequestServices.GetRequiredService<BearerTokenValidator>().ValidateAsync(BearerTokenValidator.TokenFromPayload(payload), http.RequestAborted);
        });
        return services;
    }
}
