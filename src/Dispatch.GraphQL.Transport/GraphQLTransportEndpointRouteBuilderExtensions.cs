using Dispatch.GraphQL.Transport.Http;
using Dispatch.GraphQL.Transport.WebSockets;
using GraphQL;
using GraphQL.Execution;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dispatch.GraphQL.Transport;

public static class GraphQLTransportEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Serves GraphQL on one path: GraphQL-over-HTTP (GET, POST), graphql-transport-ws on WebSocket upgrade and
    /// graphql-sse for requests that accept <c>text/event-stream</c>. WebSocket support is switched on for this
    /// endpoint only, so the host needs no <c>UseWebSockets()</c> (its own settings win if it has one).
    /// </summary>
    /// <param name="pattern">Route pattern; <see cref="GraphQLTransportOptions.Path"/> when null.</param>
    /// <param name="configure">Overrides for this endpoint on top of the options given to <c>AddGraphQLTransport</c>.</param>
    public static IEndpointConventionBuilder MapGraphQLTransport(
        this IEndpointRouteBuilder endpoints, string? pattern = null, Action<GraphQLTransportOptions>? configure = null)
    {
        var services = endpoints.ServiceProvider;
        var cache = services.GetService<GraphQLDocumentCacheHolder>()
            ?? throw new InvalidOperationException("Call services.AddGraphQLTransport() before MapGraphQLTransport().");
        var options = services.GetRequiredService<IOptions<GraphQLTransportOptions>>().Value.Clone();
        configure?.Invoke(options);
        options.Validate();

        var runner = new GraphQLOperationRunner(
            options,
            services.GetRequiredService<IDocumentExecuter>(),
            services.GetRequiredService<IGraphQLTextSerializer>(),
            services.GetRequiredService<IDocumentBuilder>(),
            cache.Cache);
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(GraphQLTransportOptions).Namespace!);
        var http = new GraphQLHttpHandler(runner, logger);

        var pipeline = endpoints.CreateApplicationBuilder();
        var webSockets = new WebSocketOptions();
        foreach (var origin in options.WebSocketAllowedOrigins)
            webSockets.AllowedOrigins.Add(origin);
        pipeline.UseWebSockets(webSockets);
        pipeline.Run(context => context.WebSockets.IsWebSocketRequest
            ? GraphQLWebSocketConnection.AcceptAsync(context, runner, logger)
            : http.HandleAsync(context));

        pattern ??= options.Path;
        return endpoints.Map(pattern, pipeline.Build()).WithDisplayName("GraphQL " + pattern);
    }
}
