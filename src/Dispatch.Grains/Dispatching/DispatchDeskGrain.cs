using System.Collections.Immutable;
using Dispatch.Domain.Common;
using Dispatch.Domain.Identity;
using Dispatch.Domain.Matching;
using Dispatch.Domain.Scheduling;
using Dispatch.Domain.WorkOrders;
using Dispatch.Grains.Technicians;
using Dispatch.Grains.WorkOrders;
using Orleans.Concurrency;

namespace Dispatch.Grains.Dispatching;

/// <summary>
/// The dispatcher's desk for one tenant (key: the tenant): what needs more than one grain. Best-match suggestions, the
/// technician picker, and batch dispatch. Stateless: any silo runs it next to the caller.
/// </summary>
[Alias("Dispatch.IDispatchDeskGrain")]
public interface IDispatchDeskGrain : IGrainWithStringKey
{
    /// <summary>
    /// "Suggest best match": the top technicians for the work order and window, each with score components and a
    /// reason, plus why the nearest others were excluded. Served from the tenant's in-memory index; the top ones are
    /// confirmed against their technician grains.
    /// </summary>
    [Alias("Suggest")]
    Task<TechnicianSuggestions> Suggest(string workOrderId, SuggestRequest request, Actor actor);

    /// <summary>
    /// The technician list of the dispatch form for a work order and window: every technician (or the given ones) with
    /// current location, the day's schedule, active work orders, skills, and green (available) or the conflicts (red).
    /// </summary>
    [Alias("Picker")]
    Task<TechnicianPicker> Picker(string workOrderId, TimeWindow? window, ImmutableArray<string>? technicianIds, int limit, Actor actor);

    /// <summary>
    /// Dispatches many work orders, in the order given (earlier items win contested time). One result per item; each
    /// item is all or nothing on its own, and one item's failure does not stop the others.
    /// </summary>
    [Alias("DispatchBatch")]
    Task<BatchDispatchResult> DispatchBatch(BatchDispatchRequest request, Actor actor);
}

[StatelessWorker]
public sealed class DispatchDeskGrain(TimeProvider clock) : Grain, IDispatchDeskGrain
{
    public const int MaxBatchItems = 500;
    public const int MaxSuggestions = 50;

    /// <summary>Extra candidates fetched from the index, to fill in for any the grains' live check turns down.</summary>
    private const int ConfirmationSpare = 5;

    private static readonly MatchScorer Scorer = new();

    private string Tenant => this.GetPrimaryKeyString();

    public async Task<TechnicianSuggestions> Suggest(string workOrderId, SuggestRequest request, Actor actor)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (order, match) = await MatchRequestFor(workOrderId, request.Window, request.PreferredSkills, actor);
        var count = Math.Clamp(request.Count, 1, MaxSuggestions);
        var indexed = await GrainFactory.GetGrain<ITechnicianIndexGrain>(Tenant)
            .Suggest(match, count + ConfirmationSpare, Math.Clamp(request.ExplainExcluded, 0, 100));

        // The index may lag its technicians by a moment: re-score the candidates from their grains' live summaries.
        var live = await Task.WhenAll(indexed.Ranked.Select(r => Technician(r.TechnicianId).GetSummary()));
        var rescored = live.OfType<TechnicianSummary>().Select(t => Scorer.Evaluate(match, t)).ToList();
        var confirmed = rescored.Where(r => r.IsEligible)
            .OrderByDescending(r => r.Total).ThenBy(r => r.TechnicianId, StringComparer.Ordinal)
            .Take(count)
            .ToImmutableArray();
        var turnedDown = rescored.Where(r => !r.IsEligible).ToList();

        return new TechnicianSuggestions
        {
            WorkOrderId = order.Id,
            Window = match.Window,
            Ranked = confirmed,
            Excluded = [.. turnedDown, .. indexed.Excluded],
            ExcludedCount = indexed.ExcludedCount + turnedDown.Count,
            Considered = indexed.Considered,
            IndexedTechnicians = indexed.IndexedTechnicians,
            SearchRadiusKm = indexed.SearchRadiusKm,
        };
    }

    public async Task<TechnicianPicker> Picker(string workOrderId, TimeWindow? window, ImmutableArray<string>? technicianIds, int limit, Actor actor)
    {
        var (_, match) = await MatchRequestFor(workOrderId, window, [], actor);
        return await GrainFactory.GetGrain<ITechnicianIndexGrain>(Tenant).Picker(match, technicianIds, Math.Clamp(limit, 1, 10_000));
    }

    public async Task<BatchDispatchResult> DispatchBatch(BatchDispatchRequest request, Actor actor)
    {
        ArgumentNullException.ThrowIfNull(request);
        GrainGuards.EnsureSameTenant(Tenant, actor);
        GrainGuards.EnsureOffice(actor, "dispatch work orders");
        var items = request.Items.IsDefault ? [] : request.Items;
        if (items.IsEmpty || items.Length > MaxBatchItems)
        {
            throw DomainException.Validation("items", $"A batch holds 1-{MaxBatchItems} work orders.");
        }

        if (items.Select(i => i.WorkOrderId).Distinct(StringComparer.Ordinal).Count() != items.Length)
        {
            throw DomainException.Validation("items", "A work order appears twice in the batch.");
        }

        var results = ImmutableArray.CreateBuilder<BatchDispatchItemResult>(items.Length);
        foreach (var item in items)
        {
            results.Add(await DispatchOne(item, request.Shared, actor));
        }

        return new BatchDispatchResult(results.MoveToImmutable());
    }

    private async Task<BatchDispatchItemResult> DispatchOne(BatchDispatchItem item, BatchDispatchItem? shared, Actor actor)
    {
        if (!TenantKey.IsValidPart(item.WorkOrderId))
        {
            return Error(item.WorkOrderId, DomainException.Validation("workOrderId", $"'{item.WorkOrderId}' is not a valid work order id."), null);
        }

        var grain = GrainFactory.GetGrain<IWorkOrderGrain>(TenantKey.Compose(Tenant, item.WorkOrderId));
        try
        {
            var result = await grain.Dispatch(item.ToRequest(shared), actor);
            return new BatchDispatchItemResult
            {
                WorkOrderId = item.WorkOrderId,
                Status = result.Outcome switch
                {
                    DispatchOutcome.Conflicts => BatchItemStatus.Conflicts,
                    DispatchOutcome.Scheduled => BatchItemStatus.Scheduled,
                    _ => BatchItemStatus.Dispatched,
                },
                WorkOrder = result.WorkOrder,
                Conflicts = result.Conflicts,
            };
        }
        catch (DomainException ex)
        {
            return Error(item.WorkOrderId, ex, await grain.Get());
        }
    }

    private static BatchDispatchItemResult Error(string workOrderId, DomainException error, WorkOrder? order) => new()
    {
        WorkOrderId = workOrderId,
        Status = BatchItemStatus.Error,
        WorkOrder = order,
        ErrorCode = error.Code,
        ErrorMessage = error.Message,
    };

    private async Task<(WorkOrder Order, MatchRequest Match)> MatchRequestFor(string workOrderId, TimeWindow? window, ImmutableArray<string> preferred, Actor actor)
    {
        GrainGuards.EnsureSameTenant(Tenant, actor);
        GrainGuards.EnsureOffice(actor, "look for technicians");
        if (!TenantKey.IsValidPart(workOrderId)) throw DomainException.NotFound("Work order", workOrderId);
        var order = await GrainFactory.GetGrain<IWorkOrderGrain>(TenantKey.Compose(Tenant, workOrderId)).Get()
            ?? throw DomainException.NotFound("Work order", workOrderId);
        var slot = window ?? order.Visit?.BookedWindow
            ?? throw DomainException.Validation("window", "Give the time window to fill: the work order has no scheduled visit yet.");
        return (order, new MatchRequest
        {
            WorkOrderId = order.Id,
            Window = slot,
            Site = order.Site.Location,
            RequiredSkills = order.RequiredSkills,
            RequiredCertifications = order.RequiredCertifications,
            PreferredSkills = preferred.IsDefault ? [] : preferred,
            AsOf = clock.GetUtcNow(),
        });
    }

    private ITechnicianGrain Technician(string id) => GrainFactory.GetGrain<ITechnicianGrain>(TenantKey.Compose(Tenant, id));
}
