using GraphQL;
using GraphQL.Transport;
using GraphQLParser.AST;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Dispatch.GraphQL.Transport.Http;

/// <summary>
/// GraphQL-over-HTTP (GET and POST) as the 2025 spec draft and the graphql-http audit suite describe it, and hands
/// requests that accept <c>text/event-stream</c> to <see cref="ServerSentEventsResponder"/>.
/// </summary>
internal sealed class GraphQLHttpHandler(GraphQLOperationRunner runner, ILogger logger)
{
    private GraphQLTransportOptions Options => runner.Options;

    public async Task HandleAsync(HttpContext context)
    {
        var format = MediaTypes.Negotiate(context.Request.Headers.Accept);
        try
        {
            var request = await ReadRequestAsync(context, format).ConfigureAwait(false);
            if (format == ResponseFormat.EventStream)
            {
                await new ServerSentEventsResponder(runner, logger).RespondAsync(context, request).ConfigureAwait(false);
                return;
            }
            await ExecuteAsync(context, request, format).ConfigureAwait(false);
        }
        catch (RequestRejectedException rejected)
        {
            await WriteAsync(context, rejected.StatusCode, format == ResponseFormat.GraphQLResponseJson ? format : ResponseFormat.Json,
                GraphQLOperationRunner.ErrorResult(rejected.Message, rejected.Code)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // the client went away; nobody is left to answer
        }
    }

    private async Task<GraphQLRequest> ReadRequestAsync(HttpContext context, ResponseFormat format)
    {
        var http = context.Request;
        var isGet = HttpMethods.IsGet(http.Method);
        if (!isGet && !HttpMethods.IsPost(http.Method))
        {
            context.Response.Headers.Allow = "GET, POST";
            throw new RequestRejectedException(StatusCodes.Status405MethodNotAllowed,
                $"Method {http.Method} is not allowed; use GET or POST.", "METHOD_NOT_ALLOWED");
        }

        if (!isGet)
        {
            if (Options.CsrfProtection && MediaTypes.IsCorsSafelisted(http.ContentType) && !HasPreflightHeader(http))
            {
                throw new RequestRejectedException(StatusCodes.Status400BadRequest,
                    "This request could have been sent cross-site by a browser without a CORS preflight, so it is refused. " +
                    "Send 'Content-Type: application/json' or a 'GraphQL-Require-Preflight' header.", "CSRF_PREVENTED");
            }
            if (!MediaTypes.IsJsonRequest(http.ContentType))
            {
                throw new RequestRejectedException(StatusCodes.Status415UnsupportedMediaType,
                    "POST requests must have 'Content-Type: application/json' (utf-8).", "UNSUPPORTED_MEDIA_TYPE");
            }
        }

        if (format == ResponseFormat.None)
        {
            throw new RequestRejectedException(StatusCodes.Status406NotAcceptable,
                $"The Accept header allows none of {MediaTypes.GraphQLResponseJson}, {MediaTypes.Json}, {MediaTypes.EventStream}.",
                "NOT_ACCEPTABLE");
        }

        var request = isGet
            ? GraphQLRequestReader.ReadQueryString(http.Query, runner.Serializer)
            : await GraphQLRequestReader.ReadBodyAsync(http, runner.Serializer, Options.MaxRequestBodyBytes, context.RequestAborted)
                .ConfigureAwait(false);

        if (request.Query == null && request.DocumentId == null)
        {
            throw new RequestRejectedException(StatusCodes.Status400BadRequest,
                "The request has no 'query' parameter.", "INVALID_REQUEST");
        }
        if (request.Query?.Length > Options.MaxQueryLength)
        {
            throw new RequestRejectedException(StatusCodes.Status400BadRequest,
                $"The query is longer than {Options.MaxQueryLength} characters.", "QUERY_TOO_LONG");
        }

        if (isGet)
        {
            // GET must be safe: a link or an <img> must never change anything.
            if (request.Query == null)
            {
                throw new RequestRejectedException(StatusCodes.Status400BadRequest,
                    "GET requests must carry the query text; send documentId requests with POST.", "INVALID_REQUEST");
            }
            if (runner.OperationTypeOf(request, context.RequestServices) == OperationType.Mutation)
            {
                context.Response.Headers.Allow = "POST";
                throw new RequestRejectedException(StatusCodes.Status405MethodNotAllowed,
                    "Mutations can only be sent with POST.", "METHOD_NOT_ALLOWED");
            }
        }
        return request;
    }

    private bool HasPreflightHeader(HttpRequest request)
    {
        foreach (var name in Options.CsrfPreflightHeaders)
        {
            if (request.Headers.ContainsKey(name))
                return true;
        }
        return false;
    }

    private async Task ExecuteAsync(HttpContext context, GraphQLRequest request, ResponseFormat format)
    {
        using var execution = await runner.ExecuteAsync(context, request, context.User, context.RequestServices, context.RequestAborted)
            .ConfigureAwait(false);
        var result = execution.Result;

        int status;
        if (GraphQLOperationRunner.IsTimeout(result))
        {
            status = StatusCodes.Status504GatewayTimeout;
        }
        else if (result.Streams != null)
        {
            // Subscriptions need a transport that can deliver more than one result.
            result = GraphQLOperationRunner.ErrorResult(
                "Subscriptions need a WebSocket (graphql-transport-ws) or 'Accept: text/event-stream'.", "STREAMING_REQUIRED");
            status = StatusCodes.Status400BadRequest;
        }
        else
        {
            // Executed == false: the document did not parse or validate, or its variables did not coerce.
            // application/graphql-response+json says so with 400; legacy application/json always answers 200.
            status = result.Executed || format == ResponseFormat.Json ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest;
        }
        await WriteAsync(context, status, format, result).ConfigureAwait(false);
    }

    private async Task WriteAsync(HttpContext context, int status, ResponseFormat format, ExecutionResult result)
    {
        if (context.Response.HasStarted)
        {
            logger.LogWarning("GraphQL response already started; cannot write status {Status}", status);
            return;
        }
        context.Response.StatusCode = status;
        context.Response.ContentType = MediaTypes.ContentTypeOf(format);
        // Vary: the same URL answers in different formats depending on Accept.
        context.Response.Headers.Vary = "Accept";
        await runner.Serializer.WriteAsync(context.Response.Body, result, context.RequestAborted).ConfigureAwait(false);
    }
}
