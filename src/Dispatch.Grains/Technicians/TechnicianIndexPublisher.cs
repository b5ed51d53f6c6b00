using System.Collections.Immutable;
using Dispatch.Domain.Matching;
using Dispatch.Grains.Hosting;
using Microsoft.Extensions.Logging;

namespace Dispatch.Grains.Technicians;

/// <summary>
/// Per silo: collects technician summaries from the technician grains and sends them to each tenant's index grain in
/// batches. Coalesces per technician (only the newest summary of a technician is sent), so a burst of location fixes
/// costs one update, and the index grain receives a handful of calls per second per silo instead of one per change.
/// </summary>
public sealed class TechnicianIndexPublisher(IGrainFactory grains, ILogger<TechnicianIndexPublisher> logger) : SiloBackgroundLoop
{
    private readonly Lock _gate = new();
    private Dictionary<(string Tenant, string Id), TechnicianIndexUpdate> _pending = [];
    private readonly SemaphoreSlim _signal = new(0);

    public void Publish(string tenant, TechnicianSummary summary, long version)
    {
        lock (_gate)
        {
            var key = (tenant, summary.Id);
            if (_pending.TryGetValue(key, out var queued) && queued.Version >= version) return;
            var wasEmpty = _pending.Count == 0;
            _pending[key] = new TechnicianIndexUpdate(summary, version);
            if (!wasEmpty) return;
        }

        _signal.Release();
    }

    protected override async Task RunAsync()
    {
        while (!Stopping.IsCancellationRequested)
        {
            await _signal.WaitAsync(Stopping);
            Dictionary<(string Tenant, string Id), TechnicianIndexUpdate> batch;
            lock (_gate)
            {
                batch = _pending;
                _pending = [];
            }

            if (batch.Count == 0) continue;
            await Task.WhenAll(batch.GroupBy(e => e.Key.Tenant).Select(async tenant =>
            {
                var updates = tenant.Select(e => e.Value).ToImmutableArray();
                try
                {
                    await grains.GetGrain<ITechnicianIndexGrain>(tenant.Key).Apply(updates);
                }
                catch (Exception ex) when (!Stopping.IsCancellationRequested)
                {
                    logger.LogWarning(ex, "Could not update the technician index of tenant {Tenant}; retrying shortly.", tenant.Key);
                    await Task.Delay(TimeSpan.FromSeconds(1), Stopping);
                    foreach (var update in updates) Publish(tenant.Key, update.Summary, update.Version);
                }
            }));
        }
    }
}
