using Dispatch.Domain.Common;
using Dispatch.Domain.Tracking;
using Dispatch.Domain.WorkOrders;
using Dispatch.Grains.Tracking;
using Dispatch.Testing;

namespace Dispatch.Grains.Tests.Tracking;

/// <summary>Where the dispatch lifecycle and live tracking meet.</summary>
[Collection(ClusterCollection.Name)]
public class LifecycleTrackingTests(ClusterFixture fixture)
{
    private static readonly ReportingIntervals Reporting = new();

    [Fact]
    public async Task Status_changes_set_the_devices_reporting_interval()
    {
        var scenario = new Scenario(fixture.Grains);
        await scenario.CreateTechnician("tech-a");
        await scenario.Dispatched("wo-a", Scenario.Slot(9, 2), "tech-a");
        var location = fixture.Grains.GetGrain<ITechnicianLocationGrain>(TenantKey.Compose(scenario.Tenant, "tech-a"));
        Assert.Equal((int)Reporting.Idle.TotalSeconds, await location.GetReportingIntervalSeconds());

        await scenario.WorkOrder("wo-a").ChangeStatus(new StatusChange(WorkOrderStatus.EnRoute), scenario.Dispatcher);
        Assert.Equal((int)Reporting.EnRoute.TotalSeconds, await location.GetReportingIntervalSeconds());

        await scenario.WorkOrder("wo-a").ChangeStatus(new StatusChange(WorkOrderStatus.OnSite), scenario.Dispatcher);
        Assert.Equal((int)Reporting.OnSite.TotalSeconds, await location.GetReportingIntervalSeconds());

        await scenario.WorkOrder("wo-a").ChangeStatus(new StatusChange(WorkOrderStatus.Complete), scenario.Dispatcher);
        Assert.Equal((int)Reporting.Idle.TotalSeconds, await location.GetReportingIntervalSeconds());
    }

    [Fact]
    public async Task A_tracked_position_reaches_best_match()
    {
        var scenario = new Scenario(fixture.Grains);
        await scenario.CreateTechnician("tech-b");
        var location = fixture.Grains.GetGrain<ITechnicianLocationGrain>(TenantKey.Compose(scenario.Tenant, "tech-b"));
        var here = new Dispatch.Domain.Geo.GeoPoint(29.95, -95.55);

        await location.Report([new LocationFix { Position = here, Timestamp = DateTimeOffset.UtcNow, Source = "dev-b" }]);

        await Eventually.Until(async () => (await scenario.Technician("tech-b").GetSummary())?.LastLocation == here,
            TimeSpan.FromSeconds(10), "the technician's best-match summary has the tracked position");
    }
}
