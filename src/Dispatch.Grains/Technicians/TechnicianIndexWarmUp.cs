using Dispatch.Domain.Common;
using Dispatch.Grains.Storage;
using Dispatch.Grains.Tenants;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Dispatch.Grains.Technicians;

/// <summary>
/// At silo start-up, activates every tenant's technician index so it loads from storage now rather than inside the first
/// dispatcher's best-match or technician list after a restart (at 100,000 technicians the load takes seconds; a query
/// that arrives meanwhile waits for it). In the background, once the host has started: readiness does not wait.
/// Activating twice is harmless (one index per tenant in the cluster), so every silo may do it.
/// </summary>
public sealed class TechnicianIndexWarmUp(IGrainStateScanner scanner, IGrainFactory grains, IServiceProvider services, ILogger<TechnicianIndexWarmUp> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(TechnicianIndexWarmUp), ServiceLifecycleStage.Active, Start);

    private Task Start(CancellationToken cancellationToken)
    {
        // Memory mode has nothing stored to load; its indexes fill as technician grains announce themselves.
        if (!scanner.CanScan) return Task.CompletedTask;
        // Once the whole host has started (the web host too): the load keeps every core busy for a while, and start-up
        // to ready should not pay for it. Not awaited on stop: the call only triggers the load, which the index's own
        // deactivation cancels.
        if (services.GetService<IHostApplicationLifetime>() is { } lifetime)
            lifetime.ApplicationStarted.Register(() => _ = Task.Run(WarmUpAsync));
        else
            _ = Task.Run(WarmUpAsync);
        return Task.CompletedTask;
    }

    public async Task WarmUpAsync()
    {
        try
        {
            // The tenant registry lives with the web host; a bare silo (tests) warms the default tenant only.
            var store = services.GetService<ITenantStore>();
            var tenants = store is null ? [] : (await store.ListAsync()).Select(t => t.Tenant);
            foreach (var tenant in tenants.Append(TenantKey.DefaultTenant).Distinct())
            {
                // The index logs what it loaded and how long it took.
                await grains.GetGrain<ITechnicianIndexGrain>(tenant).Count();
            }
        }
        catch (TimeoutException)
        {
            // The activation goes on loading; queries that arrive meanwhile wait for it.
            logger.LogInformation("The technician index is still loading after the grain-call timeout; it goes on in the background.");
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not warm the technician index; it loads on its first query instead.");
        }
    }
}
