using Dispatch.GraphQL.Transport.Caching;
using GraphQL.DI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Dispatch.GraphQL.Transport;

public static class GraphQLTransportServiceCollectionExtensions
{
    /// <summary>
    /// Registers the GraphQL transports and, unless <see cref="GraphQLTransportOptions.DocumentCacheSize"/> is 0, the
    /// document cache. The schema, executer and serializer come from graphql-dotnet's own registration
    /// (<c>services.AddGraphQL(b => b.AddSchema&lt;…&gt;().AddSystemTextJson())</c>).
    /// </summary>
    public static IServiceCollection AddGraphQLTransport(this IServiceCollection services, Action<GraphQLTransportOptions>? configure = null)
    {
        var optionsBuilder = services.AddOptions<GraphQLTransportOptions>();
        if (configure != null)
            optionsBuilder.Configure(configure);
        optionsBuilder.Validate(o =>
        {
            o.Validate();
            return true;
        });

        services.TryAddSingleton(sp =>
        {
            var size = sp.GetRequiredService<IOptions<GraphQLTransportOptions>>().Value.DocumentCacheSize;
            return new GraphQLDocumentCacheHolder(size > 0 ? new GraphQLDocumentCache(size) : null);
        });
        // The executer asks for every IConfigureExecution; a disabled cache contributes a pass-through.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureExecution, DocumentCacheConfiguration>());
        return services;
    }
}

/// <summary>Lets the cache be optional while graphql-dotnet resolves IConfigureExecution as a plain list.</summary>
internal sealed record GraphQLDocumentCacheHolder(GraphQLDocumentCache? Cache);

internal sealed class DocumentCacheConfiguration(GraphQLDocumentCacheHolder holder) : IConfigureExecution
{
    public float SortOrder => 200;

    public Task<global::GraphQL.ExecutionResult> ExecuteAsync(global::GraphQL.ExecutionOptions options, ExecutionDelegate next) =>
        holder.Cache is { } cache ? cache.ExecuteAsync(options, next) : next(options);
}
