using System.Diagnostics;
using Dispatch.Domain.WorkOrders;
using Dispatch.Grains.WorkOrders;

namespace Dispatch.Grains.Telemetry;

/// <summary>
/// Counts dispatch outcomes and wraps each dispatch in a span, at the one place every dispatch passes (single, batch via
/// the desk, reassign), without touching the grain. Every other call passes straight through after one type test.
/// </summary>
internal sealed class DispatchTelemetryFilter : IIncomingGrainCallFilter
{
    // Not async itself: every grain call in the silo passes here, and only dispatches need a state machine around them.
    public Task Invoke(IIncomingGrainCallContext context) =>
        context.Grain is IWorkOrderGrain && context.InterfaceMethod?.ReturnType == typeof(Task<DispatchResult>)
            ? InvokeDispatchAsync(context)
            : context.Invoke();

    private static async Task InvokeDispatchAsync(IIncomingGrainCallContext context)
    {
        using var activity = DispatchMetrics.Activities.StartActivity("dispatch " + context.InterfaceMethod.Name, ActivityKind.Internal);
        activity?.SetTag("dispatch.work_order", context.TargetId.Key.ToString());
        try
        {
            await context.Invoke();
        }
        catch (Exception e)
        {
            DispatchMetrics.Dispatches.Add(1, new KeyValuePair<string, object?>("outcome", "failed"));
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            throw;
        }

        if (context.Result is DispatchResult result)
        {
            var outcome = Outcome(result.Outcome);
            DispatchMetrics.Dispatches.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
            activity?.SetTag("dispatch.outcome", outcome);
        }
    }

    private static string Outcome(DispatchOutcome outcome) => outcome switch
    {
        DispatchOutcome.Dispatched => "dispatched",
        DispatchOutcome.Scheduled => "scheduled",
        DispatchOutcome.Conflicts => "conflicts",
        DispatchOutcome.Reassigned => "reassigned",
        _ => outcome.ToString().ToLowerInvariant(),
    };
}
