using Dispatch.GraphQL.Transport.Caching;
using Dispatch.GraphQL.Transport.Tests.Support;
using GraphQL;
using GraphQL.Types;
using GraphQL.Validation;
using GraphQLParser.AST;
using Microsoft.Extensions.DependencyInjection;

namespace Dispatch.GraphQL.Transport.Tests;

/// <summary>The bounded document cache inside graphql-dotnet's real executer (no HTTP).</summary>
public sealed class DocumentCacheTests
{
    private static ServiceProvider Build(int cacheSize, CountingRule? rule = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<Counter>();
        services.AddSingleton<StreamRegistry>();
        services.AddGraphQL(b =>
        {
            b.AddSchema<TestSchema>().AddSystemTextJson();
            if (rule != null)
                b.AddValidationRule(rule);
        });
        services.AddGraphQLTransport(o => o.DocumentCacheSize = cacheSize);
        return services.BuildServiceProvider();
    }

    private static async Task<ExecutionResult> RunAsync(ServiceProvider services, string query, Inputs? variables = null)
    {
        using var scope = services.CreateScope();
        return await services.GetRequiredService<IDocumentExecuter>().ExecuteAsync(new ExecutionOptions
        {
            Query = query,
            Variables = variables,
            Schema = scope.ServiceProvider.GetRequiredService<ISchema>(),
            RequestServices = scope.ServiceProvider,
        });
    }

    private static GraphQLDocumentCache Cache(ServiceProvider services) =>
        services.GetRequiredService<GraphQLDocumentCacheHolder>().Cache!;

    [Fact]
    public async Task Repeated_query_is_parsed_once()
    {
        await using var services = Build(10);
        var first = await RunAsync(services, "{ hello }");
        var second = await RunAsync(services, "{ hello }");
        Assert.True(first.Executed && second.Executed);
        Assert.Same(first.Document, second.Document);
        Assert.Equal((1, 1L, 1L), (Cache(services).Count, Cache(services).Hits, Cache(services).Misses));
    }

    [Fact]
    public async Task Invalid_documents_are_not_cached()
    {
        await using var services = Build(10);
        await RunAsync(services, "{ noSuchField }");
        var again = await RunAsync(services, "{ noSuchField }");
        Assert.False(again.Executed);
        Assert.Equal(0, Cache(services).Count);
    }

    [Fact]
    public async Task Cached_documents_still_coerce_variables()
    {
        await using var services = Build(10);
        const string query = "subscription S($n: Int!) { ticks(count: $n) }";
        Assert.True((await RunAsync(services, query, new Dictionary<string, object?> { ["n"] = 1 }.ToInputs())).Executed);
        var bad = await RunAsync(services, query, new Dictionary<string, object?> { ["n"] = "x" }.ToInputs());
        Assert.False(bad.Executed);
        Assert.Equal(1, Cache(services).Hits);
    }

    [Fact]
    public async Task Custom_validation_rules_run_on_cache_hits()
    {
        var rule = new CountingRule();
        await using var services = Build(10, rule);
        await RunAsync(services, "{ hello }");
        await RunAsync(services, "{ hello }");
        Assert.Equal(1, Cache(services).Hits);
        Assert.Equal(2, rule.Runs); // e.g. complexity limits depend on variables, so they must run every time
    }

    [Fact]
    public async Task Least_recently_used_document_is_evicted()
    {
        await using var services = Build(2);
        await RunAsync(services, "{ hello }");
        await RunAsync(services, "{ counter }");
        await RunAsync(services, "{ hello }");          // hello is now the most recent
        await RunAsync(services, "{ hello counter }");  // evicts counter
        var schema = services.GetRequiredService<ISchema>();
        Assert.Equal(2, Cache(services).Count);
        Assert.NotNull(Cache(services).TryGet(schema, "{ hello }"));
        Assert.Null(Cache(services).TryGet(schema, "{ counter }"));
    }

    [Fact]
    public async Task Size_zero_disables_the_cache()
    {
        await using var services = Build(0);
        Assert.True((await RunAsync(services, "{ hello }")).Executed);
        Assert.Null(services.GetRequiredService<GraphQLDocumentCacheHolder>().Cache);
    }

    public sealed class CountingRule : ValidationRuleBase
    {
        private int _runs;

        public int Runs => Volatile.Read(ref _runs);

        public override ValueTask<INodeVisitor?> GetPreNodeVisitorAsync(ValidationContext context)
        {
            Interlocked.Increment(ref _runs);
            return default;
        }
    }
}
