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

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!scanner.CanScan) return;
        var tenant = this.GetPrimaryKeyString();
        var now = clock.GetUtcNow();
        var loaded = 0;
        await foreach (var (_, technician) in scanner.ScanAsync<TechnicianGrainState>(TechnicianGrain.StateName, tenant, cancellationToken))
        {
            if (technician.Summarize(now) is { } summary && _index.Upsert(summary, technician.Version)) loaded++;
        }

        logger.LogInformation("Technician index for tenant {Tenant} loaded {Count} technicians from storage.", tenant, loaded);
    }

    public Task Apply(ImmutableArray<TechnicianIndexUpdate> updates)
    {
        foreach (var update in updates) _index.Upsert(update.Summary, update.Version);
        return Task.CompletedTask;
    }

    public Task<IndexedSuggestion> Suggest(MatchRequest request, int count, int explainExcluded) =>
        Task.FromResult(_index.Suggest(request, count, explainExcluded));

    public Task<TechnicianPicker> Picker(MatchRequest request, ImmutableArray<string>? technicianIds, int limit)
    {
        var rows = _index.EvaluateAll(request, technicianIds is { } ids ? ids : null)
            .Take(limit)
            .Select(r => TechnicianPickerRow.From(r.Technician, r.Fit, request.Window))
            .ToImmutableArray();
        return Task.FromResult(new TechnicianPicker(request.WorkOrderId, request.Window, rows, _index.Count));
    }

    public Task<int> Count() => Task.FromResult(_index.Count);

    public Task<long?> VersionOf(string technicianId) => Task.FromResult(_index.VersionOf(technicianId));
}
