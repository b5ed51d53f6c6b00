using Dispatch.Server.GraphQL.Access;
using GraphQL.Types;

namespace Dispatch.Server.GraphQL;

public sealed class DispatchSchema : Schema
{
    public DispatchSchema(IServiceProvider services) : base(services)
    {
        Query = services.GetRequiredService<DispatchQuery>();
        Mutation = services.GetRequiredService<DispatchMutation>();
        Subscription = services.GetRequiredService<DispatchSubscription>();

        // Every root field checks its declared access policy before it runs; one without a policy refuses everyone.
        FieldAccess.Enforce(Query);
        FieldAccess.Enforce(Mutation);
        FieldAccess.Enforce(Subscription);
    }
}
