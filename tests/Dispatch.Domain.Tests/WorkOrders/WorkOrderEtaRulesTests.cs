using Dispatch.Domain.Geo;
using Dispatch.Domain.Identity;
using Dispatch.Domain.Scheduling;
using Dispatch.Domain.Tracking;
using Dispatch.Domain.WorkOrders;

namespace Dispatch.Domain.Tests.WorkOrders;

public class WorkOrderEtaRulesTests
{
    private static readonly Actor Dispatcher = new("d1", "Dee", "t1", [Roles.Dispatcher]);
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 14, 0, 0, TimeSpan.Zero);
    private static readonly TimeWindow Arrival = new(Now.AddMinutes(10), Now.AddMinutes(40));
    private static readonly GeoPoint Site = new(29.76, -95.37);
    private static readonly AssignedTechnician Tom = new("tech-tom", "Tom", AssignmentRole.Primary, "u-tom");
    private static readonly AssignedTechnician Ana = new("tech-ana", "Ana", AssignmentRole.Supporting, "u-ana");

    private static WorkOrder InStatus(WorkOrderStatus status, GeoPoint? site = null)
    {
        var order = WorkOrderRules.Create("t1", "wo-1", new NewWorkOrder
        {
            Title = "Seal leak",
            Customer = new Customer("Gulf Coast Dairy"),
            Site = new Site("12 Farm Rd", site ?? Site),
            EstimatedDuration = TimeSpan.FromHours(1),
        }, Dispatcher, Now.AddHours(-1));
        var plan = DispatchRules.PlanDispatch(order, new DispatchRequest { TechnicianIds = ["tech-tom", "tech-ana"], ArrivalWindow = Arrival }, Dispatcher, Now.AddHours(-1));
        var dispatched = DispatchRules.ApplyDispatch(order, plan, [Tom, Ana], [], Dispatcher, Now.AddHours(-1)).Order;
        return status == WorkOrderStatus.Dispatched ? dispatched : dispatched with { Status = status };
    }

    private static ArrivalEstimate Estimate(int minutes, DateTimeOffset? fixAt = null) =>
        new(Now.AddMinutes(minutes), 5_000, fixAt ?? Now, LateRisk: false, Arrived: false);

    [Fact]
    public void The_primarys_estimate_is_stored_with_a_version_step_and_no_timeline_entry()
    {
        var order = InStatus(WorkOrderStatus.EnRoute);

        var (next, keep) = WorkOrderEtaRules.Apply(order, "tech-tom", Estimate(20), Now);

        Assert.True(keep);
        Assert.Equal(new WorkOrderEta("tech-tom", Now.AddMinutes(20), 5_000, Now, LateRisk: false, Arrived: false, Now), next!.Eta);
        Assert.Equal(order.Version + 1, next.Version);
        Assert.Equal(order.Timeline.Count, next.Timeline.Count);
    }

    [Fact]
    public void Late_risk_is_judged_against_the_orders_window_and_noted_in_the_timeline_once_per_trip()
    {
        var order = InStatus(WorkOrderStatus.EnRoute);

        var late = WorkOrderEtaRules.Apply(order, "tech-tom", Estimate(45), Now).Order!;
        var recovered = WorkOrderEtaRules.Apply(late, "tech-tom", Estimate(30, Now.AddMinutes(1)), Now.AddMinutes(1)).Order!;
        var lateAgain = WorkOrderEtaRules.Apply(recovered, "tech-tom", Estimate(50, Now.AddMinutes(2)), Now.AddMinutes(2)).Order!;

        Assert.True(late.Eta!.LateRisk); // the estimate said "not late": the order's own window decides
        Assert.Equal(TimelineEntryKind.Alert, late.Timeline[^1].Kind);
        Assert.Contains("Late risk", late.Timeline[^1].Summary);
        Assert.Equal(order.Timeline.Count + 1, late.Timeline.Count);
        Assert.False(recovered.Eta!.LateRisk);
        Assert.True(lateAgain.Eta!.LateRisk);
        Assert.Equal(late.Timeline.Count, lateAgain.Timeline.Count);
        Assert.Equal(Now, lateAgain.Eta.LateRiskSince);
    }

    [Theory]
    [InlineData(WorkOrderStatus.Dispatched)]
    [InlineData(WorkOrderStatus.OnSite)]
    [InlineData(WorkOrderStatus.Complete)]
    public void Outside_en_route_an_estimate_changes_nothing_and_stops_reporting(WorkOrderStatus status)
    {
        var (next, keep) = WorkOrderEtaRules.Apply(InStatus(status), "tech-tom", Estimate(20), Now);

        Assert.Null(next);
        Assert.False(keep);
    }

    [Fact]
    public void Only_the_primary_drives_the_eta_and_an_overtaken_estimate_is_ignored()
    {
        var order = WorkOrderEtaRules.Apply(InStatus(WorkOrderStatus.EnRoute), "tech-tom", Estimate(20, Now), Now).Order!;

        Assert.Equal(new WorkOrderEtaRules.Outcome(null, false), WorkOrderEtaRules.Apply(order, "tech-ana", Estimate(25), Now));
        Assert.Equal(new WorkOrderEtaRules.Outcome(null, true), WorkOrderEtaRules.Apply(order, "tech-tom", Estimate(30, Now.AddSeconds(-5)), Now));
        Assert.Equal(new WorkOrderEtaRules.Outcome(null, true), WorkOrderEtaRules.Apply(order, "tech-tom", Estimate(20, Now), Now.AddSeconds(5)));
    }

    [Fact]
    public void Leaving_en_route_or_a_new_primary_clears_the_eta()
    {
        var order = WorkOrderEtaRules.Apply(InStatus(WorkOrderStatus.EnRoute), "tech-tom", Estimate(20), Now).Order!;
        var anaPrimary = new Assignment { Technicians = [Ana with { Role = AssignmentRole.Primary }, Tom with { Role = AssignmentRole.Supporting }] };

        Assert.NotNull(WorkOrderEtaRules.Normalize(order).Eta);
        Assert.Null(WorkOrderEtaRules.Normalize(order with { Status = WorkOrderStatus.OnSite }).Eta);
        Assert.Null(WorkOrderEtaRules.Normalize(order with { Assignment = anaPrimary }).Eta);
        Assert.Null(WorkOrderEtaRules.Normalize(order with { Assignment = null, Status = WorkOrderStatus.Created }).Eta);
    }

    [Fact]
    public void Tracking_hears_en_route_with_the_order_for_the_primary_and_the_site_for_the_others()
    {
        var enRoute = WorkOrderEtaRules.TechnicianActivities(InStatus(WorkOrderStatus.EnRoute));
        var onSite = WorkOrderEtaRules.TechnicianActivities(InStatus(WorkOrderStatus.OnSite));

        Assert.Equal((TechnicianActivity.EnRoute, new TravelDestination(Site, "wo-1", Arrival.End)), enRoute["tech-tom"]);
        Assert.Equal((TechnicianActivity.EnRoute, new TravelDestination(Site)), enRoute["tech-ana"]);
        Assert.All(onSite.Values, v => Assert.Equal((TechnicianActivity.OnSite, (TravelDestination?)null), v));
        Assert.Empty(WorkOrderEtaRules.TechnicianActivities(InStatus(WorkOrderStatus.Dispatched)));
    }
}
