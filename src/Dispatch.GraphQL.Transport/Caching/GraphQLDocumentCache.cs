using GraphQL;
using GraphQL.DI;
using GraphQL.Types;
using GraphQL.Validation;
using GraphQLParser.AST;

namespace Dispatch.GraphQL.Transport.Caching;

/// <summary>
/// Keeps parsed and validated documents by query text, least recently used evicted first, so a repeated query
/// skips parsing and the spec's validation rules. Plugs into graphql-dotnet's execution pipeline as an
/// <see cref="IConfigureExecution"/> (graphql-dotnet 8 has no <c>IDocumentCache</c> any more).
/// </summary>
/// <remarks>
/// Only documents that passed validation are stored. On a hit only <see cref="DocumentValidator.CoreRules"/> are
/// skipped: those depend on the document and schema alone. Every other rule configured for the request (complexity
/// limits, authorization, anything added with <c>AddValidationRule</c>) still runs, because such rules may depend on
/// variables or the user — graphql-dotnet's own cache would skip them unless registered for cached documents.
/// </remarks>
public sealed class GraphQLDocumentCache : IConfigureExecution
{
    private static readonly HashSet<IValidationRule> SchemaOnlyRules =
        new(DocumentValidator.CoreRules, ReferenceEqualityComparer.Instance);

    private readonly int _capacity;
    private readonly Dictionary<Key, LinkedListNode<Entry>> _map = [];
    private readonly LinkedList<Entry> _recency = new();
    private readonly Lock _gate = new();
    private long _hits;
    private long _misses;

    public GraphQLDocumentCache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _capacity = capacity;
    }

    /// <summary>Runs after the option configurations ("Add…" calls, sort order 100) so it sees their rules.</summary>
    public float SortOrder => 200;

    public int Count
    {
        get { lock (_gate) return _map.Count; }
    }

    public long Hits => Interlocked.Read(ref _hits);

    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>Returns the cached document for <paramref name="query"/> on <paramref name="schema"/>, if any.</summary>
    public GraphQLDocument? TryGet(ISchema schema, string query)
    {
        var key = new Key(SchemaIdentity(schema), query);
        lock (_gate)
        {
            if (!_map.TryGetValue(key, out var node))
                return null;
            _recency.Remove(node);
            _recency.AddFirst(node);
            return node.Value.Document;
        }
    }

    public async Task<ExecutionResult> ExecuteAsync(ExecutionOptions options, ExecutionDelegate next)
    {
        if (options.Document != null || options.Query == null || options.Schema == null || options.DocumentId != null)
            return await next(options).ConfigureAwait(false);

        var cached = TryGet(options.Schema, options.Query);
        if (cached != null)
        {
            Interlocked.Increment(ref _hits);
            options.Document = cached;
            options.ValidationRules = RulesForCachedDocument(options);
            return await next(options).ConfigureAwait(false);
        }

        Interlocked.Increment(ref _misses);
        var result = await next(options).ConfigureAwait(false);
        // Executed is set only once validation (including variable coercion) passed.
        if (result.Executed && result.Document != null)
            Add(options.Schema, options.Query, result.Document);
        return result;
    }

    private static IValidationRule[] RulesForCachedDocument(ExecutionOptions options)
    {
        var rules = new List<IValidationRule>();
        foreach (var rule in options.ValidationRules ?? DocumentValidator.CoreRules)
        {
            if (!SchemaOnlyRules.Contains(rule))
                rules.Add(rule);
        }
        foreach (var rule in options.CachedDocumentValidationRules ?? [])
        {
            if (!rules.Contains(rule))
                rules.Add(rule);
        }
        return [.. rules];
    }

    private void Add(ISchema schema, string query, GraphQLDocument document)
    {
        var key = new Key(SchemaIdentity(schema), query);
        lock (_gate)
        {
            if (_map.TryGetValue(key, out var existing))
            {
                _recency.Remove(existing);
                _recency.AddFirst(existing);
                return;
            }
            if (_map.Count >= _capacity)
            {
                var oldest = _recency.Last!;
                _recency.RemoveLast();
                _map.Remove(oldest.Value.Key);
            }
            _map[key] = _recency.AddFirst(new Entry(key, document));
        }
    }

    // A code-first schema class may be registered as scoped (a new instance per request): key by its type then.
    // A plain Schema built by hand is keyed by instance, since two of them can differ completely.
    private static object SchemaIdentity(ISchema schema)
    {
        var type = schema.GetType();
        return type == typeof(Schema) ? schema : type;
    }

    private readonly record struct Key(object Schema, string Query);

    private sealed record Entry(Key Key, GraphQLDocument Document);
}
