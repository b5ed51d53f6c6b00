using GraphQL;
using GraphQL.DataLoader;

namespace Dispatch.Server.GraphQL.Dispatching;

/// <summary>
/// A per-request batch loader: resolvers ask for keys and get an <see cref="IDataLoaderResult{T}"/>; graphql-dotnet
/// defers those until every field of the level has been resolved, so the first result awaited fetches all keys
/// queued so far in one call (for grains: one <c>Task.WhenAll</c> instead of a call per row). Values are cached for
/// the rest of the request.
/// </summary>
/// <remarks>
/// GraphQL.DataLoader (the package with <c>DataLoaderContext</c>) is not in our feed; core graphql-dotnet only has the
/// deferral contract, and this is the small part of a loader we need.
/// </remarks>
public sealed class BatchLoader<TValue>(Func<IReadOnlyList<string>, CancellationToken, Task<IReadOnlyDictionary<string, TValue>>> fetch)
    where TValue : class
{
    private readonly Lock _gate = new();
    private readonly List<string> _queued = [];
    private readonly Dictionary<string, Task<IReadOnlyDictionary<string, TValue>>> _batches = new(StringComparer.Ordinal);

    /// <summary>How many fetches ran (tests and diagnostics).</summary>
    public int Fetches { get; private set; }

    public IDataLoaderResult<TValue?> Load(string key)
    {
        lock (_gate)
        {
            if (!_batches.ContainsKey(key) && !_queued.Contains(key)) _queued.Add(key);
        }

        return new Pending(this, key);
    }

    /// <summary>Many keys at once, now (for a page of nodes); cached for later loads in the request.</summary>
    public async Task<IReadOnlyDictionary<string, TValue>> LoadManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var missing = keys.Where(k => !_batches.ContainsKey(k)).Distinct(StringComparer.Ordinal).ToList();
            if (missing.Count > 0)
            {
                Fetches++;
                var batch = fetch(missing, cancellationToken);
                foreach (var k in missing) _batches[k] = batch;
            }
        }

        var result = new Dictionary<string, TValue>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            Task<IReadOnlyDictionary<string, TValue>> source;
            lock (_gate) source = _batches[key];
            if ((await source.ConfigureAwait(false)).TryGetValue(key, out var value)) result[key] = value;
        }

        return result;
    }

    private Task<IReadOnlyDictionary<string, TValue>> BatchFor(string key, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_batches.TryGetValue(key, out var running)) return running;
            var keys = _queued.ToList();
            if (!keys.Contains(key)) keys.Add(key);
            _queued.Clear();
            Fetches++;
            var batch = fetch(keys, cancellationToken);
            foreach (var k in keys) _batches[k] = batch;
            return batch;
        }
    }

    private sealed class Pending(BatchLoader<TValue> loader, string key) : IDataLoaderResult<TValue?>
    {
        public async Task<TValue?> GetResultAsync(CancellationToken cancellationToken = default)
        {
            var values = await loader.BatchFor(key, cancellationToken).ConfigureAwait(false);
            return values.TryGetValue(key, out var value) ? value : null;
        }

        async Task<object?> IDataLoaderResult.GetResultAsync(CancellationToken cancellationToken) =>
            await GetResultAsync(cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>The request's loaders, kept in the execution's user context so they live exactly as long as the request.</summary>
public static class Loaders
{
    public static BatchLoader<TValue> For<TValue>(IResolveFieldContext context, string name,
        Func<IReadOnlyList<string>, CancellationToken, Task<IReadOnlyDictionary<string, TValue>>> fetch) where TValue : class
    {
        var key = "loader:" + name;
        lock (context.UserContext)
        {
            if (context.UserContext.TryGetValue(key, out var existing) && existing is BatchLoader<TValue> loader) return loader;
            var created = new BatchLoader<TValue>(fetch);
            context.UserContext[key] = created;
            return created;
        }
    }

    /// <summary>Loads grains by id in one <c>Task.WhenAll</c> per batch; missing ones are left out.</summary>
    public static async Task<IReadOnlyDictionary<string, TValue>> FromGrains<TValue>(IReadOnlyList<string> ids, Func<string, Task<TValue?>> get)
        where TValue : class
    {
        var values = await Task.WhenAll(ids.Select(get));
        var result = new Dictionary<string, TValue>(StringComparer.Ordinal);
        for (var i = 0; i < ids.Count; i++)
        {
            if (values[i] is { } value) result[ids[i]] = value;
        }

        return result;
    }
}
