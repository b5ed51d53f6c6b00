using Dispatch.Domain.Common;
using GraphQL;
using GraphQL.Execution;

namespace Dispatch.Server.GraphQL;

/// <summary>
/// Turns refusals from the domain into GraphQL errors with a stable <c>extensions.code</c> (and the refusal's details),
/// so clients branch on codes, never on messages. Anything else stays an internal error without its message leaking.
/// </summary>
public static class DomainErrors
{
    public static void Translate(UnhandledExceptionContext context)
    {
        if (context.OriginalException is DomainException domain)
        {
            var error = new ExecutionError(domain.Message) { Code = domain.Code };
            foreach (var (key, value) in domain.Details)
            {
                error.Data[key] = value;
            }

            context.Exception = error;
        }
    }
}

/// <summary>Publishes <c>extensions.code</c> and the refusal's details under <c>extensions.details</c>.</summary>
public sealed class DispatchErrorInfoProvider() : ErrorInfoProvider(o => o.ExposeCodes = false)
{
    public override ErrorInfo GetInfo(ExecutionError executionError)
    {
        var info = base.GetInfo(executionError);
        if (executionError.Data.Count > 0)
        {
            var extensions = info.Extensions ?? new Dictionary<string, object?>();
            extensions["details"] = executionError.Data.Keys.Cast<object>().ToDictionary(k => k.ToString()!, k => executionError.Data[k]);
            info.Extensions = extensions;
        }

        return info;
    }
}
