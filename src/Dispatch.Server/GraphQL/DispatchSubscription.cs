using Dispatch.Server.GraphQL.Tracking;
using GraphQL.Types;

namespace Dispatch.Server.GraphQL;

public sealed class DispatchSubscription : ObjectGraphType
{
    public DispatchSubscription()
    {
        Name = "Subscription";

        TrackingGraph.AddSubscriptionFields(this);
        Dispatching.DispatchGraph.AddSubscriptionFields(this);
    }
}
