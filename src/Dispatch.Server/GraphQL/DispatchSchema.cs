using GraphQL.Types;

namespace Dispatch.Server.GraphQL;

public sealed class DispatchSchema : Schema
{
    public DispatchSchema(IServiceProvider services) : base(services)
    {
        Query = services.GetRequiredService<DispatchQuery>();
        Mutation = services.GetRequiredService<DispatchMutation>();
        Subscription = services.GetRequiredService<DispatchSubscription>();
    }
}
