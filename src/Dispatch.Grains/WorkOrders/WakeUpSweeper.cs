using Dispatch.Domain.Common;
using Dispatch.Grains.ReadModel;
using Microsoft.Extensions.Logging;

namespace Dispatch.Grains.WorkOrders;

/// <summary>
/// At silo start-up, wakes the work orders that have something due soon or overdue (a scheduled dispatch, an overrun
/// alert), found through the read model's wake-up column. Orleans fires a reminder that fell due while the silo was down
/// only one period later; this makes a dispatch scheduled across a restart go out promptly. Waking an order twice is
/// harmless, so every silo of a cluster may do it.
/// </summary>
public sealed class WakeUpSweeper(IWorkOrderReadModelStore readModel, IGrainFactory grains, TimeProvider clock, ILogger<WakeUpSweeper> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>Anything due within this is woken now; later due times are the reminders' business.</summary>
    public static readonly TimeSpan Lookahead = TimeSpan.FromMinutes(2);

    private const int BatchSize = 1000;
    private Task? _sweep;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(WakeUpSweeper), ServiceLifecycleStage.Active, Start, _ => _sweep ?? Task.CompletedTask);

    private Task Start(CancellationToken _)
    {
        // In the background: start-up must not wait for thousands of activations.
        _sweep = Task.Run(SweepAsync);
        return Task.CompletedTask;
    }

    public async Task<int> SweepAsync()
    {
        try
        {
            var due = await readModel.DueWakeUpsAsync(clock.GetUtcNow() + Lookahead, BatchSize);
            foreach (var chunk in due.Chunk(32))
            {
                await Task.WhenAll(chunk.Select(w => grains.GetGrain<IWorkOrderGrain>(TenantKey.Compose(w.Tenant, w.WorkOrderId)).WakeUp()));
            }

            if (due.Count > 0) logger.LogInformation("Woke {Count} work orders with a scheduled dispatch or alert due.", due.Count);
            return due.Count;
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not wake work orders with due dispatches or alerts; their reminders will.");
            return 0;
        }
    }
}
