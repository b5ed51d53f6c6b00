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
    /// <paramref name="cancellationToken"/> fires and returns a TIMEOUT error result when the operation timeout does.
    /// </summary>
    public async Task<ExecutionResult> ExecuteAsync(
        HttpContext httpContext, GraphQLRequest request, ClaimsPrincipal user, IServiceProvider services,
        CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (Options.OperationTimeout != Timeout.InfiniteTimeSpan)
            timeout.CancelAfter(Options.OperationTimeout);

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
            CancellationToken = timeout.Token,
        };
        try
        {
            return await executer.ExecuteAsync(executionOptions).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return TimedOut();
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
