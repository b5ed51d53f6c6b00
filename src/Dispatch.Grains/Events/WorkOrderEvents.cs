using System.Collections.Immutable;
using Dispatch.Domain.WorkOrders;
using Orleans.Concurrency;

namespace Dispatch.Grains.Events;

/// <summary>
/// One per web host (or any process that serves live subscriptions): receives every work-order change of the cluster
/// in small batches and fans them out to its local subscribers.
/// </summary>
[Alias("Dispatch.IWorkOrderEventObserver")]
public interface IWorkOrderEventObserver : IGrainObserver
{
    /// <summary>
    /// Acknowledged, so the publisher can keep each host's batches in order (one call in flight per host). The host only
    /// hands the changes to in-process buffers before it returns; a slow or dead host holds up only its own lane.
    /// </summary>
    [Alias("OnWorkOrderChanges")]
    Task OnWorkOrderChanges(ImmutableArray<WorkOrderChanged> changes);
}

/// <summary>
/// The hosts that want work-order events. Hosts register their observer at start-up and renew it periodically; an
/// entry not renewed within <see cref="WorkOrderFeedRegistryGrain.Expiry"/> is dropped (the host died). Not on the hot
/// path per event: each silo's publisher reads the list once per batch.
/// </summary>
[Alias("Dispatch.IWorkOrderFeedRegistryGrain")]
public interface IWorkOrderFeedRegistryGrain : IGrainWithIntegerKey
{
    [Alias("Register")]
    Task Register(string hostId, IWorkOrderEventObserver observer);

    [Alias("Unregister")]
    Task Unregister(string hostId);

    [ReadOnly, Alias("GetObservers")]
    Task<ImmutableArray<IWorkOrderEventObserver>> GetObservers();
}

public sealed class WorkOrderFeedRegistryGrain(TimeProvider clock) : Grain, IWorkOrderFeedRegistryGrain
{
    /// <summary>Three missed renewals.</summary>
    public static readonly TimeSpan Expiry = TimeSpan.FromSeconds(60);

    private readonly Dictionary<string, (IWorkOrderEventObserver Observer, DateTimeOffset Seen)> _hosts = new(StringComparer.Ordinal);

    public Task Register(string hostId, IWorkOrderEventObserver observer)
    {
        var now = clock.GetUtcNow();
        foreach (var expired in _hosts.Where(h => h.Value.Seen < now - Expiry).Select(h => h.Key).ToList()) _hosts.Remove(expired);
        _hosts[hostId] = (observer, now);
        return Task.CompletedTask;
    }

    public Task Unregister(string hostId)
    {
        _hosts.Remove(hostId);
        return Task.CompletedTask;
    }

    public Task<ImmutableArray<IWorkOrderEventObserver>> GetObservers()
    {
        var cutoff = clock.GetUtcNow() - Expiry;
        return Task.FromResult(_hosts.Values.Where(h => h.Seen >= cutoff).Select(h => h.Observer).ToImmutableArray());
    }
}
