using System.Collections.Immutable;
using Dispatch.Domain.Matching;
using Dispatch.Domain.Scheduling;
using Dispatch.Grains.Storage;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace Dispatch.Grains.Technicians;

/// <summary>A technician's latest summary for the index; the index keeps the highest version it saw.</summary>
[GenerateSerializer, Immutable, Alias("Dispatch.TechnicianIndexUpdate")]
public sealed record TechnicianIndexUpdate(
    [property: Id(0)] TechnicianSummary Summary,
    [property: Id(1)] long Version);

/// <summary>
/// The in-memory best-match index of one tenant's technicians (<see cref="TechnicianIndex"/>, partitioned by GeoGrid
/// cell). Key: the tenant. Kept current by the technician grains (batched per silo by <see cref="TechnicianIndexPublisher"/>)
/// and loaded from stored technician state when it activates, so a suggestion never calls thousands of grains.
/// </summary>
[Alias("Dispatch.ITechnicianIndexGrain")]
public interface ITechnicianIndexGrain : IGrainWithStringKey
{
    [Alias("Apply")]
    Task Apply(ImmutableArray<TechnicianIndexUpdate> updates);

    /// <summary>The best <paramref name="count"/> for the request, nearest cells first, with the nearest exclusions explained.</summary>
    [ReadOnly, Alias("Suggest")]
    Task<IndexedSuggestion> Suggest(MatchRequest request, int count, int explainExcluded);

    /// <summary>Every technician (or the given ones) for the window: green when it fits, else the conflicts. Best first.</summary>
    [ReadOnly, Alias("Picker")]
    Task<TechnicianPicker> Picker(MatchRequest request, ImmutableArray<string>? technicianIds, int limit);

    [ReadOnly, Alias("Count")]
    Task<int> Count();

    [ReadOnly, Alias("VersionOf")]
    Task<long?> VersionOf(string technicianId);
}

/// <remarks>
/// Kept alive: rebuilding means reading every technician of the tenant from storage, and in memory mode the index is
/// only as complete as the updates it received. A silo failure moves it; it then reloads from storage (ADO.NET modes)
/// and fills up again as technician grains announce themselves.
/// </remarks>
[KeepAlive]
public sealed class TechnicianIndexGrain(IGrainStateScanner scanner, TimeProvider clock, ILogger<TechnicianIndexGrain> logger)
    : Grain, ITechnicianIndexGrain
{
    private readonly TechnicianIndex _index = new();
    private readonly CancellationTokenSource _deactivating = new();

    /// <summary>The load from storage; every read waits for it, updates need not (they are versioned upserts).</summary>
    private Task _loaded = Task.CompletedTask;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Not awaited here: Orleans cancels an activation that takes longer than its ActivationTimeout (30 s), and at
        // 100,000 technicians a small machine needs about that. The load runs on this activation's scheduler, so its
        // upserts interleave safely with updates; reads wait for it below.
        if (scanner.CanScan) _loaded = LoadAsync(_deactivating.Token);
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _deactivating.Cancel();
        return Task.CompletedTask;
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var tenant = this.GetPrimaryKeyString();
        var now = clock.GetUtcNow();
        var loaded = 0;
        var started = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            await foreach (var (_, technician) in scanner.ScanAsync<TechnicianGrainState>(TechnicianGrain.StateName, tenant, cancellationToken))
            {
                if (technician.Summarize(now) is { } summary && _index.Upsert(summary, technician.Version)) loaded++;
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // An index missing part of the fleet would suggest the wrong technicians: fail the waiting reads and start
            // over with the next activation.
            logger.LogError(ex, "Technician index for tenant {Tenant} could not load from storage; it reloads on the next call.", tenant);
            DeactivateOnIdle();
            throw;
        }

        logger.LogInformation("Technician index for tenant {Tenant} loaded {Count} technicians from storage in {Seconds:0.0} s.",
            tenant, loaded, started.Elapsed.TotalSeconds);
    }

    public Task Apply(ImmutableArray<TechnicianIndexUpdate> updates)
    {
        foreach (var update in updates) _index.Upsert(update.Summary, update.Version);
        return Task.CompletedTask;
    }

    public async Task<IndexedSuggestion> Suggest(MatchRequest request, int count, int explainExcluded)
    {
        await _loaded;
        return _index.Suggest(request, count, explainExcluded);
    }

    public async Task<TechnicianPicker> Picker(MatchRequest request, ImmutableArray<string>? technicianIds, int limit)
    {
        await _loaded;
        var rows = _index.EvaluateAll(request, technicianIds is { } ids ? ids : null)
            .Take(limit)
            .Select(r => TechnicianPickerRow.From(r.Technician, r.Fit, request.Window))
            .ToImmutableArray();
        return new TechnicianPicker(request.WorkOrderId, request.Window, rows, _index.Count);
    }

    public async Task<int> Count()
    {
        await _loaded;
        return _index.Count;
    }

    public async Task<long?> VersionOf(string technicianId)
    {
        await _loaded;
        return _index.VersionOf(technicianId);
    }
}
