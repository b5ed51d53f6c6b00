using Dispatch.Grains.Storage;
using Dispatch.Grains.WorkOrders;
using Microsoft.Extensions.Logging;

namespace Dispatch.Grains.ReadModel;

/// <summary>
/// Rebuilds the work-order read model from grain state, read straight from storage (no grain activations): after
/// restoring a backup, adding a column, or losing writes. Versioned upserts make it safe while grains keep writing.
/// </summary>
public sealed class WorkOrderReadModelRebuilder(IGrainStateScanner scanner, IWorkOrderReadModelStore readModel, ILogger<WorkOrderReadModelRebuilder> logger)
{
    /// <summary>
    /// Writes every stored work order of <paramref name="tenant"/> (all tenants when null) to the read model.
    /// With <paramref name="fromScratch"/> the tenant's rows are deleted first. Returns how many orders were read.
    /// </summary>
    public async Task<int> RebuildAsync(string? tenant = null, bool fromScratch = false, CancellationToken cancellationToken = default)
    {
        if (!scanner.CanScan)
        {
            throw new InvalidOperationException("This storage mode cannot enumerate grain state; rebuild by calling Reproject on each work order grain.");
        }

        if (fromScratch)
        {
            if (tenant is null) throw new ArgumentException("A rebuild from scratch needs a tenant.", nameof(tenant));
            await readModel.DeleteTenantAsync(tenant, cancellationToken);
        }

        var count = 0;
        await foreach (var (_, state) in scanner.ScanAsync<WorkOrderGrainState>(WorkOrderGrain.StateName, tenant, cancellationToken))
        {
            if (state.Order is not { } order) continue;
            await readModel.UpsertAsync(WorkOrderListItem.From(order), cancellationToken);
            count++;
        }

        logger.LogInformation("Rebuilt the work-order read model from {Count} stored work orders (tenant {Tenant}).", count, tenant ?? "all");
        return count;
    }
}
