using System.Collections.Immutable;
using Dispatch.Domain.Identity;
using Dispatch.Domain.Tracking;

namespace Dispatch.Domain.WorkOrders;

/// <summary>
/// The live ETA of an En Route work order, from its primary technician's latest position that mattered. Cleared when the
/// order leaves En Route.
/// </summary>
/// <param name="LateRiskSince">When late risk first turned on during this trip (it stays set if the risk goes away again),
/// so the timeline records it once, not on every flip.</param>
[GenerateSerializer, Immutable, Alias("Dispatch.WorkOrderEta")]
public sealed record WorkOrderEta(
    [property: Id(0)] string TechnicianId,
    [property: Id(1)] DateTimeOffset ArrivesAt,
    [property: Id(2)] double DistanceMeters,
    [property: Id(3)] DateTimeOffset BasedOnFixAt,
    [property: Id(4)] bool LateRisk,
    [property: Id(5)] bool Arrived,
    [property: Id(6)] DateTimeOffset UpdatedAt,
    [property: Id(7)] DateTimeOffset? LateRiskSince = null);

/// <summary>How ETAs reported by tracking land on a work order, and what tracking should be told about a work order.</summary>
public static class WorkOrderEtaRules
{
    /// <summary>What applying a reported ETA came to.</summary>
    /// <param name="Order">The changed order, or null when nothing changes.</param>
    /// <param name="KeepReporting">False when this technician's ETA no longer concerns the order (not en route, not the primary).</param>
    public readonly record struct Outcome(WorkOrder? Order, bool KeepReporting);

    /// <summary>
    /// Takes an ETA from tracking. Only while En Route and only from the primary technician; an estimate from an older fix
    /// than the stored one lost a race and is ignored. Late risk is judged again against the order's own arrival window,
    /// which may have moved since the technician set off. A version step, and no timeline entry — except when late risk
    /// first turns on during the trip.
    /// </summary>
    public static Outcome Apply(WorkOrder order, string technicianId, ArrivalEstimate estimate, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(estimate);
        if (order.Status != WorkOrderStatus.EnRoute || order.Assignment?.GetPrimary().TechnicianId != technicianId)
            return new Outcome(null, false);
        var current = order.Eta;
        if (current is not null && estimate.BasedOnFixAt < current.BasedOnFixAt)
            return new Outcome(null, true);

        var lateRisk = ArrivalEstimator.IsLate(estimate.ArrivesAt, order.Visit?.ArrivalWindow.End);
        var firstLateRisk = lateRisk && current?.LateRiskSince is null;
        var eta = new WorkOrderEta(technicianId, estimate.ArrivesAt, estimate.DistanceMeters, estimate.BasedOnFixAt, lateRisk, estimate.Arrived, now,
            firstLateRisk ? now : current?.LateRiskSince);
        if (current is not null && current with { UpdatedAt = now } == eta)
            return new Outcome(null, true);

        var next = order with { Eta = eta };
        if (!firstLateRisk)
            return new Outcome(next with { UpdatedAt = now, Version = order.Version + 1 }, true);

        var system = Actor.System(order.Tenant);
        var summary = $"Late risk: expected on site {DispatchRules.Format(estimate.ArrivesAt)}, after the arrival window ends " +
            $"{DispatchRules.Format(order.Visit!.ArrivalWindow.End)} ({Math.Round(estimate.DistanceMeters / 1000, 1):0.#} km to go).";
        return new Outcome(WorkOrderRules.Append(next, new TimelineEntry(now, system.UserId, system.DisplayName, TimelineEntryKind.Alert, summary)), true);
    }

    /// <summary>The invariant every stored change keeps: an ETA only while En Route, and only from the current primary.</summary>
    public static WorkOrder Normalize(WorkOrder order)
    {
        ArgumentNullException.ThrowIfNull(order);
        return order.Eta is { } eta && (order.Status != WorkOrderStatus.EnRoute || order.Assignment?.GetPrimary().TechnicianId != eta.TechnicianId)
            ? order with { Eta = null }
            : order;
    }

    /// <summary>
    /// What each assigned technician is doing as far as tracking cares, because of this order: en route to the site (the
    /// primary also carries the order and its arrival window, so its position drives the ETA) or on site. Empty in every
    /// other status. Comparing this before and after a change tells whom tracking must hear from.
    /// </summary>
    public static ImmutableDictionary<string, (TechnicianActivity Activity, TravelDestination? Destination)> TechnicianActivities(WorkOrder order)
    {
        ArgumentNullException.ThrowIfNull(order);
        var activity = order.Status switch
        {
            WorkOrderStatus.EnRoute => TechnicianActivity.EnRoute,
            WorkOrderStatus.OnSite => TechnicianActivity.OnSite,
            _ => (TechnicianActivity?)null,
        };
        if (activity is null || order.Assignment is not { } assignment)
            return ImmutableDictionary<string, (TechnicianActivity, TravelDestination?)>.Empty;

        var primary = assignment.GetPrimary().TechnicianId;
        return assignment.Technicians.ToImmutableDictionary(t => t.TechnicianId, t =>
        {
            if (activity != TechnicianActivity.EnRoute || order.Site.Location is not { } site)
                return (activity.Value, (TravelDestination?)null);
            return t.TechnicianId == primary
                ? (activity.Value, new TravelDestination(site, order.Id, order.Visit?.ArrivalWindow.End))
                : (activity.Value, new TravelDestination(site));
        });
    }
}
