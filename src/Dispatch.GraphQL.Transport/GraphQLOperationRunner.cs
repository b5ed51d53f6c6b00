using System.Security.Claims;
using Dispatch.GraphQL.Transport.Caching;
using GraphQL;
using GraphQL.Execution;
using GraphQL.Transport;
using GraphQL.Types;
using GraphQLParser.AST;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Dispatch.GraphQL.Transport;

/// <summary>What every transport needs to run one operation: options, executer, serializer, timeouts.</summary>
internal sealed class GraphQLOperationRunner(
    GraphQLTransportOptions options,
    IDocumentExecuter executer,
    IGraphQLTextSerializer serializer,
    IDocumentBuilder documentBuilder,
    GraphQLDocumentCache? documentCache)
{
    public GraphQLTransportOptions Options { get; } = options;

    public IGraphQLTextSerializer Serializer { get; } = serializer;

    /// <summary>
    /// Executes <paramref name="request"/>. Throws <see cref="OperationCanceledException"/> when
    /// <paramref name="cancellationToken"/> fires; a result with a <see cref="TimeoutError"/> when the operation
    /// timeout does. Dispose the returned execution once the operation is over: for a subscription that is after its
    /// event stream was disposed, since resolvers may tie the stream to the token it was resolved with.
    /// </summary>
    public async Task<OperationExecution> ExecuteAsync(
        HttpContext httpContext, GraphQLRequest request, ClaimsPrincipal user, IServiceProvider services,
        CancellationToken cancellationToken)
    {
        var lifetime = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            if (Options.OperationTimeout != Timeout.InfiniteTimeSpan)
                lifetime.CancelAfter(Options.OperationTimeout);

            var userContext = new Dictionary<string, object?>();
            if (Options.BuildUserContext != null)
                await Options.BuildUserContext(httpContext, user, userContext).ConfigureAwait(false);

            var executionOptions = new ExecutionOptions
            {
                Schema = services.GetRequiredService<ISchema>(),
                Query = request.Query,
                DocumentId = request.DocumentId,
                OperationName = request.OperationName,
                Variables = request.Variables,
                Extensions = request.Extensions,
                RequestServices = services,
                User = user,
                UserContext = userContext,
                CancellationToken = lifetime.Token,
            };

            ExecutionResult result;
            try
            {
                result = await executer.ExecuteAsync(executionOptions).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (lifetime.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                lifetime.Dispose();
                return new OperationExecution(TimedOut(), null);
            }

            if (result.Streams == null)
            {
                lifetime.Dispose();
                return new OperationExecution(result, null);
            }

            // The timeout covered setting the stream up; the stream itself lives until it ends or is cancelled.
            lifetime.CancelAfter(Timeout.InfiniteTimeSpan);
            if (lifetime.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                lifetime.Dispose();
                return new OperationExecution(TimedOut(), null);
            }
            return new OperationExecution(result, lifetime);
        }
        catch
        {
            lifetime.Dispose();
            throw;
        }
    }

    /// <summary>Same shape as graphql-dotnet's own timeout result, so hosts that also use its timeout see one kind.</summary>
    public ExecutionResult TimedOut() => new()
    {
        Errors = [new TimeoutError($"The operation did not complete within {Options.OperationTimeout.TotalSeconds:0.###} s.")],
    };

    public static bool IsTimeout(ExecutionResult result) => !result.Executed && result.Errors?.Any(e => e is TimeoutError) == true;

    public static ExecutionResult ErrorResult(string message, string code) =>
        new() { Errors = [new ExecutionError(message) { Code = code }] };

    /// <summary>
    /// The type of the operation <paramref name="request"/> selects, or <see langword="null"/> when the document does
    /// not parse or does not name it unambiguously (execution then reports that error the usual way).
    /// </summary>
    public OperationType? OperationTypeOf(GraphQLRequest request, IServiceProvider services)
    {
        if (request.Query == null)
            return null;
        GraphQLDocument? document = documentCache?.TryGet(services.GetRequiredService<ISchema>(), request.Query);
        if (document == null)
        {
            try
            {
                document = documentBuilder.Build(request.Query);
            }
            catch (Exception)
            {
                return null;
            }
        }

        GraphQLOperationDefinition? match = null;
        foreach (var definition in document.Definitions)
        {
            if (definition is not GraphQLOperationDefinition operation)
                continue;
            if (string.IsNullOrEmpty(request.OperationName))
            {
                if (match != null)
                    return null;
                match = operation;
            }
            else if (operation.Name is { } name && name.StringValue == request.OperationName)
            {
                return operation.Operation;
            }
        }
        return match?.Operation;
    }
}

/// <summary>An executed operation; owns the cancellation source its event stream (if any) was resolved with.</summary>
internal sealed class OperationExecution(ExecutionResult result, CancellationTokenSource? streamLifetime) : IDisposable
{
    public ExecutionResult Result { get; } = result;

    public void Dispose() => streamLifetime?.Dispose();
}
