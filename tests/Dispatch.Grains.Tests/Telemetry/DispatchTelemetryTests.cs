using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Dispatch.Domain.WorkOrders;
using Dispatch.Grains.Telemetry;
using static Dispatch.Grains.Tests.Scenario;

namespace Dispatch.Grains.Tests.Telemetry;

/// <summary>Every dispatch is counted by outcome and traced, on whichever silo the work order lives.</summary>
[Collection(ClusterCollection.Name)]
public class DispatchTelemetryTests(ClusterFixture fixture)
{
    private readonly Scenario _s = new(fixture.Grains);

    [Fact]
    public async Task Dispatch_outcomes_are_counted_and_each_dispatch_is_a_span()
    {
        var measurements = new ConcurrentBag<(string Instrument, long Value, string? Outcome)>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == DispatchMetrics.MeterName)
                listener.EnableMeasurementEvents(instrument);
        };
        meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? outcome = null;
            foreach (var tag in tags)
                if (tag.Key == "outcome") outcome = tag.Value as string;
            measurements.Add((instrument.Name, value, outcome));
        });
        meters.Start();

        var spans = new ConcurrentBag<Activity>();
        using var activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == DispatchMetrics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(activities);

        await _s.CreateTechnician("tom");
        await _s.CreateWorkOrder("first");
        await _s.CreateWorkOrder("rival");
        var sent = await _s.WorkOrder("first").Dispatch(Request(Slot(9, 2), "tom"), _s.Dispatcher);
        var refused = await _s.WorkOrder("rival").Dispatch(Request(Slot(10, 1), "tom"), _s.Dispatcher);
        Assert.Equal((DispatchOutcome.Dispatched, DispatchOutcome.Conflicts), (sent.Outcome, refused.Outcome));

        Assert.Contains(measurements, m => m is ("dispatch.dispatches", 1, "dispatched"));
        Assert.Contains(measurements, m => m is ("dispatch.dispatches", 1, "conflicts"));
        var keys = new[] { "first", "rival" }.Select(id => Domain.Common.TenantKey.Compose(_s.Tenant, id)).ToArray();
        var ours = spans.Where(a => a.OperationName == "dispatch Dispatch" && keys.Contains(a.GetTagItem("dispatch.work_order") as string)).ToArray();
        Assert.Equal(["conflicts", "dispatched"], ours.Select(a => (string)a.GetTagItem("dispatch.outcome")!).Order());
    }
}
