using Dispatch.Domain.Common;
using Dispatch.Domain.Geo;
using Dispatch.Domain.Scheduling;
using Dispatch.Domain.Tracking;
using Dispatch.Domain.WorkOrders;
using Dispatch.Grains.Events;
using Dispatch.Grains.Tracking;
using Dispatch.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Dispatch.Grains.Tests.Tracking;

/// <summary>
/// Live ETA across real grains: the lifecycle tells the primary's location grain where it is heading, fixes become ETAs,
/// and the work order hears only what matters (the cluster reports at most once a second).
/// </summary>
[Collection(TrackingClusterCollection.Name)]
public class LiveEtaTests(TrackingCluster cluster)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    /// <summary>0.1° of latitude north of the yard: about 14.5 km by road.</summary>
    private static readonly GeoPoint TenKmNorth = new(Scenario.Yard.Latitude + 0.1, Scenario.Yard.Longitude);

    private static LocationFix Fix(GeoPoint at, DateTimeOffset timestamp, double? speed = 13) =>
        new() { Position = at, Timestamp = timestamp, SpeedMetersPerSecond = speed, Source = "dev" };

    private async Task<(Scenario Scenario, ITechnicianLocationGrain Location, List<WorkOrderChanged> Events, CancellationTokenSource Stop)> EnRouteAsync(
        TimeWindow arrival, params string[] technicians)
    {
        var scenario = new Scenario(cluster.Grains);
        foreach (var technician in technicians)
            await scenario.CreateTechnician(technician);
        await scenario.Dispatched("wo-1", arrival, technicians);
        var stop = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var events = new List<WorkOrderChanged>();
        var feed = cluster.Hosts[1].GetRequiredService<IWorkOrderEventFeed>().Subscribe(scenario.Tenant, "wo-1", stop.Token);
        _ = Task.Run(async () =>
        {
            await foreach (var change in feed)
                lock (events) events.Add(change);
        });
        await scenario.WorkOrder("wo-1").ChangeStatus(new StatusChange(WorkOrderStatus.EnRoute), scenario.Dispatcher);
        return (scenario, cluster.Grains.GetGrain<ITechnicianLocationGrain>(TenantKey.Compose(scenario.Tenant, technicians[0])), events, stop);
    }

    private static async Task<WorkOrder> OrderWhen(Scenario scenario, Func<WorkOrder, bool> condition, string because)
    {
        WorkOrder order = null!;
        await Eventually.Until(async () => condition(order = (await scenario.WorkOrder("wo-1").Get())!), Deadline, because);
        return order;
    }

    [Fact]
    public async Task Fixes_give_the_en_route_order_an_eta_only_meaningful_changes_reach_it_and_late_risk_is_noted()
    {
        var now = DateTimeOffset.UtcNow;
        var (scenario, location, events, stop) = await EnRouteAsync(new TimeWindow(now.AddMinutes(5), now.AddMinutes(30)), "tech-a");
        using var _ = stop;

        await location.Report([Fix(TenKmNorth, now)]);
        var first = await OrderWhen(scenario, o => o.Eta is not null, "the first estimate reached the work order");
        Assert.InRange((first.Eta!.ArrivesAt - now).TotalMinutes, 18, 19.5); // 14.5 km at 13 m/s
        Assert.Equal((now, false, "tech-a"), (first.Eta.BasedOnFixAt, first.Eta.LateRisk, first.Eta.TechnicianId));

        // Creeping 20 m closer per fix moves the ETA by seconds: the work order is not called for any of them.
        for (var i = 1; i <= 10; i++)
            await location.Report([Fix(new GeoPoint(TenKmNorth.Latitude - i * 0.00018, TenKmNorth.Longitude), now.AddSeconds(i))]);
        // The throttle (1 s here) would let any held-back change out by now; nothing was held back.
        var crept = DateTimeOffset.UtcNow;
        await Eventually.Until(() => DateTimeOffset.UtcNow - crept > TimeSpan.FromSeconds(2.5), Deadline, "the throttle window passed");
        Assert.Equal(first.Version, (await scenario.WorkOrder("wo-1").Get())!.Version);
        // Stuck 60 km out: the ETA passes the window's end.
        await location.Report([Fix(new GeoPoint(Scenario.Yard.Latitude + 0.55, Scenario.Yard.Longitude), now.AddSeconds(11), speed: 0)]);
        var late = await OrderWhen(scenario, o => o.Eta?.LateRisk == true, "late risk reached the work order");

        Assert.Equal(first.Version + 1, late.Version); // one change: the late-risk one, with its timeline entry
        Assert.Equal(now.AddSeconds(11), late.Eta!.BasedOnFixAt);
        Assert.Equal(TimelineEntryKind.Alert, late.Timeline[^1].Kind);
        Assert.StartsWith("Late risk", late.Timeline[^1].Summary);
        await Eventually.Until(() => { lock (events) return events.Any(e => e.Kind == WorkOrderChangeKind.EtaUpdated && e.WorkOrder.Eta?.LateRisk == true); },
            Deadline, "subscribers got the late-risk event");

        var onSite = await scenario.WorkOrder("wo-1").ChangeStatus(new StatusChange(WorkOrderStatus.OnSite), scenario.Dispatcher);
        Assert.Null(onSite.Eta);
        // A fix on site is no longer an ETA for the order.
        await location.Report([Fix(Scenario.Yard, DateTimeOffset.UtcNow)]);
        Assert.Null((await scenario.WorkOrder("wo-1").Get())!.Eta);
        // The feed delivers asynchronously: wait for the on-site change to arrive before counting what came before it.
        await Eventually.Until(() => { lock (events) return events.Any(e => e.WorkOrder.Version == onSite.Version); },
            Deadline, "subscribers got the on-site change");
        lock (events)
        {
            Assert.Equal(2, events.Count(e => e.Kind == WorkOrderChangeKind.EtaUpdated));
            Assert.Equal(onSite.Version, events[^1].WorkOrder.Version);
            Assert.Null(events[^1].WorkOrder.Eta);
        }
    }

    [Fact]
    public async Task The_last_known_position_gives_an_eta_as_soon_as_the_technician_sets_off()
    {
        var now = DateTimeOffset.UtcNow;
        var scenario = new Scenario(cluster.Grains);
        await scenario.CreateTechnician("tech-b");
        var location = cluster.Grains.GetGrain<ITechnicianLocationGrain>(TenantKey.Compose(scenario.Tenant, "tech-b"));
        await location.Report([Fix(TenKmNorth, now, speed: null)]);
        await scenario.Dispatched("wo-1", new TimeWindow(now.AddMinutes(5), now.AddMinutes(30)), "tech-b");

        await scenario.WorkOrder("wo-1").ChangeStatus(new StatusChange(WorkOrderStatus.EnRoute), scenario.Dispatcher);

        var order = await OrderWhen(scenario, o => o.Eta is not null, "an estimate from the last known position");
        Assert.InRange((order.Eta!.ArrivesAt - now).TotalMinutes, 28, 30); // no speed: the default 30 km/h
    }

    [Fact]
    public async Task Only_the_primary_drives_the_eta_and_a_reassignment_hands_it_over()
    {
        var now = DateTimeOffset.UtcNow;
        var arrival = new TimeWindow(now.AddMinutes(5), now.AddMinutes(60));
        var (scenario, primary, _, stop) = await EnRouteAsync(arrival, "tech-p", "tech-s");
        using var __ = stop;
        var supporting = cluster.Grains.GetGrain<ITechnicianLocationGrain>(TenantKey.Compose(scenario.Tenant, "tech-s"));

        await supporting.Report([Fix(new GeoPoint(Scenario.Yard.Latitude + 0.2, Scenario.Yard.Longitude), now)]);
        await primary.Report([Fix(TenKmNorth, now)]);
        var fromPrimary = await OrderWhen(scenario, o => o.Eta is not null, "the primary's estimate");
        Assert.Equal("tech-p", fromPrimary.Eta!.TechnicianId);

        await scenario.WorkOrder("wo-1").Reassign(new ReassignRequest { TechnicianIds = ["tech-p", "tech-s"], PrimaryTechnicianId = "tech-s" }, scenario.Dispatcher);
        await supporting.Report([Fix(new GeoPoint(Scenario.Yard.Latitude + 0.19, Scenario.Yard.Longitude), now.AddSeconds(1))]);

        var handedOver = await OrderWhen(scenario, o => o.Eta?.TechnicianId == "tech-s", "the new primary's estimate");
        Assert.InRange((handedOver.Eta!.ArrivesAt - now).TotalMinutes, 34, 38); // ≈ 27.5 km at 13 m/s
    }

    [Fact]
    public async Task The_last_position_of_a_burst_reaches_best_match_even_when_no_fix_follows()
    {
        var scenario = new Scenario(cluster.Grains);
        await scenario.CreateTechnician("tech-c");
        var location = cluster.Grains.GetGrain<ITechnicianLocationGrain>(TenantKey.Compose(scenario.Tenant, "tech-c"));
        var now = DateTimeOffset.UtcNow;
        var last = new GeoPoint(29.90, -95.50);

        await location.Report([Fix(new GeoPoint(29.80, -95.40), now)]);
        await location.Report([Fix(last, now.AddSeconds(1))]); // within the forwarding throttle

        await Eventually.Until(async () => (await scenario.Technician("tech-c").GetSummary())?.LastLocation == last,
            TimeSpan.FromSeconds(30), "the held-back position was forwarded when the throttle allowed");
    }
}
