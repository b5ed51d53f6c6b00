using Dispatch.Domain.Common;
using Dispatch.Domain.Identity;
using Dispatch.Domain.Tracking;
using Dispatch.Grains.Tracking;
using Dispatch.Server.GraphQL.Access;
using GraphQL;
using GraphQL.Types;
using Microsoft.Extensions.Options;

namespace Dispatch.Server.GraphQL.Tracking;

/// <summary>
/// Live tracking in the GraphQL schema. The root types call these once each, so the fields live here, next to their
/// types, and the shared root files change by one line.
/// </summary>
public static class TrackingGraph
{
    private const int MaxIds = 1000;

    public static void AddQueryFields(ObjectGraphType query)
    {
        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<TechnicianLocationType>>>, IReadOnlyList<LocationUpdate>>("technicianPositions")
            .Allow(FieldAccess.Office)
            .Description("Current positions of your technicians inside a map view (the map's first load; then subscribe to technicianLocations).")
            .Argument<NonNullGraphType<BoundingBoxInputType>>("boundingBox")
            .Argument<IntGraphType>("limit", a => a.DefaultValue = 1000)
            .ResolveAsync(async c =>
            {
                var actor = Watcher(c);
                var box = c.GetArgument<BoundingBoxInput>("boundingBox").ToBoundingBox("boundingBox");
                var limit = Math.Clamp(c.GetArgument("limit", 1000), 0, 10_000);
                return await Service<LivePositions>(c).WithinAsync(actor.Tenant, box, limit, c.CancellationToken);
            });

        query.Field<TechnicianLocationType, LocationUpdate?>("technicianPosition")
            .Allow(FieldAccess.Office)
            .Description("One technician's last known position, or null.")
            .Argument<NonNullGraphType<IdGraphType>>("technicianId")
            .ResolveAsync(async c =>
            {
                var actor = Watcher(c);
                return await Service<IGrainFactory>(c).GetGrain<ITechnicianLocationGrain>(actor.KeyFor(c.GetArgument<string>("technicianId"))).GetCurrent();
            });

        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<LocationPointType>>>, LocationFix[]>("technicianTrail")
            .Allow(FieldAccess.Office)
            .Description("A technician's recent fixes between from and to (inclusive), oldest first; at most `limit`, the newest ones.")
            .Argument<NonNullGraphType<IdGraphType>>("technicianId")
            .Argument<DateTimeOffsetGraphType>("from")
            .Argument<DateTimeOffsetGraphType>("to")
            .Argument<IntGraphType>("limit", a => a.DefaultValue = 500)
            .ResolveAsync(async c =>
            {
                var actor = Watcher(c);
                var to = c.GetArgument<DateTimeOffset?>("to") ?? DateTimeOffset.MaxValue;
                var from = c.GetArgument<DateTimeOffset?>("from") ?? DateTimeOffset.MinValue;
                return await Service<IGrainFactory>(c).GetGrain<ITechnicianLocationGrain>(actor.KeyFor(c.GetArgument<string>("technicianId")))
                    .GetTrail(from, to, c.GetArgument("limit", 500));
            });

        query.Field<DeviceType, DeviceInfo?>("device")
            .Allow([Roles.Admin])
            .Description("A registered device of your tenant, or null.")
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(async c =>
            {
                var actor = Watcher(c);
                return await Service<IGrainFactory>(c).GetGrain<IDeviceGrain>(actor.KeyFor(c.GetArgument<string>("id"))).Get();
            });
    }

    public static void AddMutationFields(ObjectGraphType mutation)
    {
        mutation.Field<NonNullGraphType<RegisteredDeviceType>, RegisteredDevice>("registerDevice")
            .Allow([Roles.Admin])
            .Description("Registers a tracking device for a technician and returns its key, once. Admins.")
            .Argument<NonNullGraphType<RegisterDeviceInputType>>("input")
            .ResolveAsync(async c =>
            {
                var actor = c.Actor();
                var input = c.GetArgument<RegisterDeviceInput>("input");
                var id = input.Id ?? RequestContext.NewId("dev");
                var key = DeviceKeys.Generate();
                var device = await Service<IGrainFactory>(c).GetGrain<IDeviceGrain>(actor.KeyFor(id)).Register(
                    new NewDevice { TechnicianId = input.TechnicianId, Name = input.Name, OsmAnd = input.OsmAnd }, DeviceKeys.Hash(key), actor);
                return new RegisteredDevice(device, key, new DeviceCredential(actor.Tenant, id, key).ToString());
            });

        mutation.Field<NonNullGraphType<DeviceType>, DeviceInfo>("revokeDevice")
            .Allow([Roles.Admin])
            .Description("Revokes a device: its key stops working at once. Admins.")
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(async c =>
            {
                var actor = c.Actor();
                return await Service<IGrainFactory>(c).GetGrain<IDeviceGrain>(actor.KeyFor(c.GetArgument<string>("id"))).Revoke(actor);
            });

        mutation.Field<NonNullGraphType<LocationReportType>, LocationReport>("reportLocation")
            .Allow([], Roles.Technician)
            .Description("The mobile app reports the signed-in technician's own location. Technician role.")
            .Argument<NonNullGraphType<ReportLocationInputType>>("input")
            .ResolveAsync(async c =>
            {
                var actor = c.Actor();
                if (!actor.IsInRole(Roles.Technician))
                    throw new DomainException(ErrorCodes.Forbidden, "Only technicians report their location here; devices use the device API.");
                var input = c.GetArgument<ReportLocationInput>("input");
                var options = Service<IOptions<TrackingOptions>>(c).Value;
                if (input.Fixes.Count is 0 || input.Fixes.Count > options.Limits.MaxBatchSize)
                    throw DomainException.Validation("fixes", $"Send 1-{options.Limits.MaxBatchSize} fixes.");

                var now = Service<TimeProvider>(c).GetUtcNow();
                var valid = new List<LocationFix>();
                var rejected = new List<FixRejection>();
                for (var i = 0; i < input.Fixes.Count; i++)
                {
                    var (fix, rejection) = FixValidator.Validate(input.Fixes[i].ToInput(), i, "app:" + actor.UserId, now, options.Limits);
                    if (fix is not null) valid.Add(fix);
                    else rejected.Add(rejection!);
                }

                // Ownership is checked by the location grain against Technician.UserId even when every fix was refused.
                var location = Service<IGrainFactory>(c).GetGrain<ITechnicianLocationGrain>(actor.KeyFor(input.TechnicianId));
                var result = await location.ReportAsUser(actor.UserId, [.. valid]);
                return new LocationReport(valid.Count, result.Outcomes.Count(o => o == FixOutcome.Duplicate), rejected, result.ReportingIntervalSeconds);
            });
    }

    public static void AddSubscriptionFields(ObjectGraphType subscription)
    {
        subscription.Field<NonNullGraphType<ListGraphType<NonNullGraphType<TechnicianLocationType>>>, IReadOnlyList<LocationUpdate>>("technicianLocations")
            .Allow(FieldAccess.Office)
            .Description("Live positions of your technicians: those named, those inside the box, or (both given) those named and inside. " +
                "Each event lists the newest position of every technician that moved since the previous event.")
            .Argument<ListGraphType<NonNullGraphType<IdGraphType>>>("technicianIds")
            .Argument<BoundingBoxInputType>("boundingBox")
            .Resolve(c => (IReadOnlyList<LocationUpdate>)c.Source!)
            .ResolveStream(c =>
            {
                var actor = Watcher(c);
                var ids = c.GetArgument<List<string>?>("technicianIds");
                if (ids is { Count: > MaxIds })
                    throw DomainException.Validation("technicianIds", $"Watch at most {MaxIds} technicians per subscription.");
                if (ids?.FirstOrDefault(id => !TenantKey.IsValidPart(id)) is { } invalid)
                    throw DomainException.Validation("technicianIds", $"'{invalid}' is not a valid id.");
                var box = c.GetArgument<BoundingBoxInput?>("boundingBox")?.ToBoundingBox("boundingBox");
                var filter = new LocationFilter(ids?.ToHashSet(StringComparer.Ordinal), box);
                var interval = Service<IOptions<TrackingOptions>>(c).Value.FanOut.GraphQLSubscriberInterval;
                return new LocationObservable(Service<LocationSubscribers>(c), actor.Tenant, filter, interval);
            });
    }

    private static Actor Watcher(IResolveFieldContext context)
    {
        var actor = context.Actor();
        if (!actor.IsInRole(Roles.Admin) && !actor.IsInRole(Roles.Dispatcher))
            throw new DomainException(ErrorCodes.Forbidden, "Only admins and dispatchers see the fleet's positions.");
        return actor;
    }

    private static T Service<T>(IResolveFieldContext context) where T : notnull =>
        context.RequestServices!.GetRequiredService<T>();

    /// <summary>One subscriber per GraphQL subscription; unsubscribing (or the socket closing) removes it.</summary>
    private sealed class LocationObservable(LocationSubscribers subscribers, string tenant, LocationFilter filter, TimeSpan interval)
        : IObservable<IReadOnlyList<LocationUpdate>>
    {
        public IDisposable Subscribe(IObserver<IReadOnlyList<LocationUpdate>> observer) =>
            subscribers.Subscribe(tenant, filter, batch =>
            {
                observer.OnNext(batch);
                return ValueTask.CompletedTask;
            }, interval);
    }
}
