using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Dispatch.Domain.WorkOrders;
using Microsoft.Extensions.Logging;

namespace Dispatch.Grains.Events;

/// <summary>
/// Live work-order changes for the host's subscribers (GraphQL <c>workOrderUpdated(id)</c> and <c>boardUpdated</c>,
/// later technician notifications). Sees every change in the cluster, whichever silo made it.
/// </summary>
/// <remarks>
/// Subscriptions start when <c>Subscribe</c> is called (not when enumeration starts), so a caller can subscribe, then act,
/// then read. They end when the token is cancelled or the enumeration is disposed. Each subscriber has a bounded buffer:
/// a client that stops reading loses its oldest events instead of growing memory (the version numbers show the gap).
/// </remarks>
public interface IWorkOrderEventFeed
{
    /// <summary>Completes once this host is registered to receive the cluster's events.</summary>
    Task WhenReady { get; }

    /// <summary>Every change of the tenant's work orders, or of one work order, in version order per work order.</summary>
    IAsyncEnumerable<WorkOrderChanged> Subscribe(string tenant, string? workOrderId = null, CancellationToken cancellationToken = default);

    /// <summary>What technicians should be told ("reassigned to X", "assigned from Y", "dispatch sent", overrun), for one technician or all.</summary>
    IAsyncEnumerable<TechnicianNotification> SubscribeNotifications(string tenant, string? technicianId = null, CancellationToken cancellationToken = default);
}

/// <summary>The host side of the live feed: one observer registered with the cluster, fanned out in-process.</summary>
public sealed class WorkOrderEventFeed(IGrainFactory grains, ILogger<WorkOrderEventFeed> logger)
    : IWorkOrderEventFeed, IWorkOrderEventObserver, ILifecycleParticipant<ISiloLifecycle>
{
    public const int SubscriberBuffer = 1024;
    public static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(20);

    private readonly string _hostId = Guid.NewGuid().ToString("N");
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private ImmutableDictionary<string, ImmutableArray<ISubscriber>> _byTenant = ImmutableDictionary<string, ImmutableArray<ISubscriber>>.Empty;
    private IWorkOrderEventObserver? _self;
    private Task? _renewal;

    public Task WhenReady => _ready.Task;

    public int SubscriberCount => _byTenant.Values.Sum(s => s.Length);

    public IAsyncEnumerable<WorkOrderChanged> Subscribe(string tenant, string? workOrderId = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenant);
        var subscriber = new ChangeSubscriber(tenant, workOrderId);
        return ReadAsync(subscriber, subscriber.Channel.Reader, cancellationToken);
    }

    public IAsyncEnumerable<TechnicianNotification> SubscribeNotifications(string tenant, string? technicianId = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenant);
        var subscriber = new NotificationSubscriber(tenant, technicianId);
        return ReadAsync(subscriber, subscriber.Channel.Reader, cancellationToken);
    }

    Task IWorkOrderEventObserver.OnWorkOrderChanges(ImmutableArray<WorkOrderChanged> changes)
    {
        var byTenant = _byTenant;
        foreach (var change in changes)
        {
            if (!byTenant.TryGetValue(change.Tenant, out var subscribers)) continue;
            foreach (var subscriber in subscribers) subscriber.Offer(change);
        }

        return Task.CompletedTask;
    }

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(WorkOrderEventFeed), ServiceLifecycleStage.Active, Start, Stop);

    private IAsyncEnumerable<T> ReadAsync<T>(ISubscriber subscriber, ChannelReader<T> reader, CancellationToken cancellationToken)
    {
        Add(subscriber);
        var registration = cancellationToken.Register(() => Remove(subscriber));
        // The subscribe token ends the subscription gracefully (the channel completes); a token given to the enumerator
        // cancels the read as usual.
        return Enumerate(reader, subscriber, registration);
    }

    private async IAsyncEnumerable<T> Enumerate<T>(ChannelReader<T> reader, ISubscriber subscriber, CancellationTokenRegistration registration,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken))
            {
                while (reader.TryRead(out var item)) yield return item;
            }
        }
        finally
        {
            Remove(subscriber);
            await registration.DisposeAsync();
        }
    }

    private void Add(ISubscriber subscriber)
    {
        lock (_gate)
        {
            var current = _byTenant.TryGetValue(subscriber.Tenant, out var list) ? list : [];
            _byTenant = _byTenant.SetItem(subscriber.Tenant, current.Add(subscriber));
        }
    }

    private void Remove(ISubscriber subscriber)
    {
        lock (_gate)
        {
            if (!_byTenant.TryGetValue(subscriber.Tenant, out var list)) return;
            var remaining = list.Remove(subscriber);
            _byTenant = remaining.IsEmpty ? _byTenant.Remove(subscriber.Tenant) : _byTenant.SetItem(subscriber.Tenant, remaining);
        }

        subscriber.Complete();
    }

    private async Task Start(CancellationToken ct)
    {
        _self = grains.CreateObjectReference<IWorkOrderEventObserver>(this);
        try
        {
            await RegisterAsync();
        }
        catch (Exception ex)
        {
            // The silo is starting; the renewal loop keeps trying.
            logger.LogWarning(ex, "Could not register for work-order events yet.");
        }

        _renewal = Task.Run(RenewAsync, CancellationToken.None);
    }

    private async Task Stop(CancellationToken ct)
    {
        await _stopping.CancelAsync();
        try
        {
            await grains.GetGrain<IWorkOrderFeedRegistryGrain>(0).Unregister(_hostId).WaitAsync(TimeSpan.FromSeconds(2), ct);
        }
        catch (Exception ex)
        {
            logger.LogDebug(ex, "Could not unregister from work-order events; the registry will expire the entry.");
        }

        if (_self is not null) grains.DeleteObjectReference<IWorkOrderEventObserver>(_self);
        foreach (var subscriber in _byTenant.Values.SelectMany(s => s)) subscriber.Complete();
        if (_renewal is not null) await _renewal;
    }

    private async Task RegisterAsync()
    {
        await grains.GetGrain<IWorkOrderFeedRegistryGrain>(0).Register(_hostId, _self!);
        _ready.TrySetResult();
    }

    private async Task RenewAsync()
    {
        // Quickly at first until registered, then at the renewal period.
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_ready.Task.IsCompleted ? RenewEvery : TimeSpan.FromSeconds(1), _stopping.Token);
                await RegisterAsync();
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Could not renew the work-order event registration; retrying.");
            }
        }
    }

    private interface ISubscriber
    {
        string Tenant { get; }
        void Offer(WorkOrderChanged change);
        void Complete();
    }

    private sealed class ChangeSubscriber(string tenant, string? workOrderId) : ISubscriber
    {
        // Versions already delivered per work order: a change that overtook another on the wire is not delivered twice
        // or out of order. Bounded: a board subscriber forgets old entries rather than growing without limit.
        private readonly Dictionary<string, long> _delivered = new(StringComparer.Ordinal);

        public string Tenant { get; } = tenant;

        public Channel<WorkOrderChanged> Channel { get; } = System.Threading.Channels.Channel.CreateBounded<WorkOrderChanged>(
            new BoundedChannelOptions(SubscriberBuffer) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = false });

        public void Offer(WorkOrderChanged change)
        {
            if (workOrderId is not null && change.WorkOrderId != workOrderId) return;
            lock (_delivered)
            {
                if (_delivered.TryGetValue(change.WorkOrderId, out var seen) && seen >= change.Version) return;
                if (_delivered.Count >= 10_000) _delivered.Clear();
                _delivered[change.WorkOrderId] = change.Version;
            }

            Channel.Writer.TryWrite(change);
        }

        public void Complete() => Channel.Writer.TryComplete();
    }

    private sealed class NotificationSubscriber(string tenant, string? technicianId) : ISubscriber
    {
        public string Tenant { get; } = tenant;

        public Channel<TechnicianNotification> Channel { get; } = System.Threading.Channels.Channel.CreateBounded<TechnicianNotification>(
            new BoundedChannelOptions(SubscriberBuffer) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = false });

        public void Offer(WorkOrderChanged change)
        {
            foreach (var notification in change.Notifications)
            {
                if (technicianId is null || notification.TechnicianId == technicianId) Channel.Writer.TryWrite(notification);
            }
        }

        public void Complete() => Channel.Writer.TryComplete();
    }
}
