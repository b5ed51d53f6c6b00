using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using GraphQL;
using GraphQL.Types;

namespace Dispatch.GraphQL.Transport.Tests.Support;

/// <summary>A tiny schema exercising every transport path: query, mutation, finite/failing/throwing streams.</summary>
public sealed class TestSchema : Schema
{
    public TestSchema(IServiceProvider services, Counter counter, StreamRegistry streams) : base(services)
    {
        Query = new TestQuery(counter);
        Mutation = new TestMutation(counter);
        Subscription = new TestSubscription(streams);
    }
}

/// <summary>State the <c>bump</c> mutation changes, so tests can see whether a mutation ran.</summary>
public sealed class Counter
{
    private int _value;

    public int Value => Volatile.Read(ref _value);

    public int Increment() => Interlocked.Increment(ref _value);
}

/// <summary>Tracks open event streams by tag so tests can see a subscription being disposed.</summary>
public sealed class StreamRegistry
{
    private readonly ConcurrentDictionary<string, int> _open = new();
    private readonly ConcurrentDictionary<string, int> _started = new();

    public int Open(string tag) => _open.GetValueOrDefault(tag);

    public int Started(string tag) => _started.GetValueOrDefault(tag);

    internal void OnStart(string tag)
    {
        _started.AddOrUpdate(tag, 1, (_, n) => n + 1);
        _open.AddOrUpdate(tag, 1, (_, n) => n + 1);
    }

    internal void OnEnd(string tag) => _open.AddOrUpdate(tag, 0, (_, n) => n - 1);
}

internal sealed class TestQuery : ObjectGraphType
{
    public TestQuery(Counter counter)
    {
        Name = "Query";
        Field<NonNullGraphType<StringGraphType>>("hello").Resolve(_ => "world");
        Field<NonNullGraphType<IntGraphType>>("counter").Resolve(_ => counter.Value);
        Field<StringGraphType>("whoami")
            .Description("The user name the host's user-context hook stored.")
            .Resolve(ctx => ctx.UserContext.TryGetValue("user", out var user) ? user : null);
        Field<StringGraphType>("me")
            .Description("ExecutionOptions.User as the transport set it.")
            .Resolve(ctx => ctx.User?.Identity?.Name);
        Field<StringGraphType>("slow")
            .Argument<NonNullGraphType<IntGraphType>>("ms")
            .ResolveAsync(async ctx =>
            {
                await Task.Delay(ctx.GetArgument<int>("ms"), ctx.CancellationToken);
                return "done";
            });
    }
}

internal sealed class TestMutation : ObjectGraphType
{
    public TestMutation(Counter counter)
    {
        Name = "Mutation";
        Field<NonNullGraphType<IntGraphType>>("bump").Resolve(_ => counter.Increment());
    }
}

internal sealed class TestSubscription : ObjectGraphType
{
    public TestSubscription(StreamRegistry streams)
    {
        Name = "Subscription";

        Field<NonNullGraphType<IntGraphType>, int>("ticks")
            .Description("Emits 1..count, one every intervalMs, then completes.")
            .Argument<NonNullGraphType<IntGraphType>>("count")
            .Argument<IntGraphType>("intervalMs", a => a.DefaultValue = 0)
            .Argument<StringGraphType>("tag", a => a.DefaultValue = "")
            .ResolveStream(ctx => new AsyncEnumerableObservable<int>(
                ctx.GetArgument<string>("tag"), streams,
                token => Ticks(ctx.GetArgument<int>("count"), ctx.GetArgument<int>("intervalMs"), failAfter: null, token)));

        Field<NonNullGraphType<IntGraphType>, int>("failing")
            .Description("Emits `after` values, then the event stream fails.")
            .Argument<NonNullGraphType<IntGraphType>>("after")
            .ResolveStream(ctx => new AsyncEnumerableObservable<int>(
                "", streams, token => Ticks(int.MaxValue, 0, ctx.GetArgument<int>("after"), token)));

        Field<IntGraphType, int>("watch")
            .Description("Never emits; ends only when the token it was resolved with is cancelled.")
            .Argument<NonNullGraphType<StringGraphType>>("tag")
            .ResolveStream(ctx => new TokenBoundObservable(ctx.GetArgument<string>("tag"), streams, ctx.CancellationToken));

        Field<IntGraphType, int>("refused")
            .Description("Refuses to start: the stream resolver throws.")
            .ResolveStream(_ => throw new ExecutionError("This subscription cannot start.") { Code = "REFUSED" });

        Field<NonNullGraphType<StringGraphType>, string>("flood")
            .Description("Emits count strings of size characters as fast as possible.")
            .Argument<NonNullGraphType<IntGraphType>>("count")
            .Argument<NonNullGraphType<IntGraphType>>("size")
            .Argument<StringGraphType>("tag", a => a.DefaultValue = "")
            .ResolveStream(ctx => new AsyncEnumerableObservable<string>(
                ctx.GetArgument<string>("tag"), streams,
                token => Flood(ctx.GetArgument<int>("count"), ctx.GetArgument<int>("size"), token)));
    }

    private static async IAsyncEnumerable<int> Ticks(int count, int intervalMs, int? failAfter, [EnumeratorCancellation] CancellationToken token)
    {
        for (var i = 1; i <= count; i++)
        {
            if (failAfter is { } limit && i > limit)
                throw new InvalidOperationException("The source failed.");
            if (intervalMs > 0)
                await Task.Delay(intervalMs, token);
            else
                await Task.Yield();
            yield return i;
        }
    }

    private static async IAsyncEnumerable<string> Flood(int count, int size, [EnumeratorCancellation] CancellationToken token)
    {
        var text = new string('x', size);
        for (var i = 0; i < count; i++)
        {
            token.ThrowIfCancellationRequested();
            if (i % 64 == 0)
                await Task.Yield();
            yield return text;
        }
    }
}

/// <summary>Open from Subscribe until <paramref name="token"/> fires; disposing the subscription does nothing.</summary>
internal sealed class TokenBoundObservable(string tag, StreamRegistry registry, CancellationToken token) : IObservable<int>
{
    public IDisposable Subscribe(IObserver<int> observer)
    {
        registry.OnStart(tag);
        token.Register(() => registry.OnEnd(tag));
        return new Nothing();
    }

    private sealed class Nothing : IDisposable
    {
        public void Dispose()
        {
        }
    }
}

/// <summary>Runs an async sequence per subscriber; disposing the subscription cancels it.</summary>
internal sealed class AsyncEnumerableObservable<T>(string tag, StreamRegistry registry, Func<CancellationToken, IAsyncEnumerable<T>> source)
    : IObservable<T>
{
    public IDisposable Subscribe(IObserver<T> observer)
    {
        var cancellation = new CancellationTokenSource();
        registry.OnStart(tag);
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var item in source(cancellation.Token).WithCancellation(cancellation.Token))
                    observer.OnNext(item);
                observer.OnCompleted();
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
            }
            catch (Exception ex)
            {
                observer.OnError(ex);
            }
            finally
            {
                registry.OnEnd(tag);
            }
        });
        return new Subscription(cancellation);
    }

    private sealed class Subscription(CancellationTokenSource cancellation) : IDisposable
    {
        public void Dispose() => cancellation.Cancel();
    }
}
