using Dispatch.Server.GraphQL.Dispatching;

namespace Dispatch.Server.Tests;

/// <summary>The per-request loader behind connections and nested technicians: one fetch per level, not one per row.</summary>
public class BatchLoaderTests
{
    private sealed class FakeSource
    {
        public List<IReadOnlyList<string>> Calls { get; } = [];

        public Task<IReadOnlyDictionary<string, string>> Fetch(IReadOnlyList<string> keys, CancellationToken _)
        {
            lock (Calls)
            {
                Calls.Add([.. keys]);
            }

            IReadOnlyDictionary<string, string> values = keys.Where(k => !k.StartsWith("missing", StringComparison.Ordinal))
                .ToDictionary(k => k, k => "value of " + k);
            return Task.FromResult(values);
        }
    }

    [Fact]
    public async Task Deferred_loads_of_one_level_are_fetched_in_one_call()
    {
        var source = new FakeSource();
        var loader = new BatchLoader<string>(source.Fetch);

        var pending = Enumerable.Range(0, 50).Select(i => loader.Load($"t{i}")).ToArray();
        var values = await Task.WhenAll(pending.Select(p => p.GetResultAsync()));

        Assert.Equal(1, loader.Fetches);
        Assert.Equal(50, Assert.Single(source.Calls).Count);
        Assert.Equal("value of t7", values[7]);
    }

    [Fact]
    public async Task A_page_loaded_at_once_serves_later_loads_from_the_request_cache()
    {
        var source = new FakeSource();
        var loader = new BatchLoader<string>(source.Fetch);

        var page = await loader.LoadManyAsync([.. Enumerable.Range(0, 50).Select(i => $"w{i}")], CancellationToken.None);
        var again = await loader.Load("w3").GetResultAsync();
        var samePage = await loader.LoadManyAsync(["w1", "w2"], CancellationToken.None);

        Assert.Equal(50, page.Count);
        Assert.Equal("value of w3", again);
        Assert.Equal(2, samePage.Count);
        Assert.Equal(1, loader.Fetches);
    }

    [Fact]
    public async Task Unknown_keys_resolve_to_null()
    {
        var loader = new BatchLoader<string>(new FakeSource().Fetch);

        Assert.Null(await loader.Load("missing-1").GetResultAsync());
        Assert.Empty(await loader.LoadManyAsync(["missing-2"], CancellationToken.None));
    }
}
