using System.Collections.Immutable;
using Dispatch.Domain.Scheduling;

namespace Dispatch.Domain.WorkOrders;

/// <summary>
/// Many work orders at once (the morning dispatch run). Each item may name its own technicians and schedule; anything it
/// leaves out comes from <see cref="Shared"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("Dispatch.BatchDispatchRequest")]
public sealed record BatchDispatchRequest
{
    [Id(0)] public required ImmutableArray<BatchDispatchItem> Items { get; init; }
    /// <summary>The group schedule and technicians for items that do not set their own.</summary>
    [Id(1)] public BatchDispatchItem? Shared { get; init; }
}

/// <summary>One work order of a batch; null fields fall back to the batch's shared values.</summary>
[GenerateSerializer, Immutable, Alias("Dispatch.BatchDispatchItem")]
public sealed record BatchDispatchItem
{
    /// <summary>Ignored on <see cref="BatchDispatchRequest.Shared"/>.</summary>
    [Id(0)] public string WorkOrderId { get; init; } = "";
    [Id(1)] public ImmutableArray<string>? TechnicianIds { get; init; }
    [Id(2)] public string? PrimaryTechnicianId { get; init; }
    [Id(3)] public DateTimeOffset? DispatchAt { get; init; }
    [Id(4)] public TimeWindow? ArrivalWindow { get; init; }
    [Id(5)] public TimeSpan? EstimatedDuration { get; init; }
    [Id(6)] public string? Notes { get; init; }
    [Id(7)] public bool? OverrideConflicts { get; init; }
    [Id(8)] public bool? OverrideCapacity { get; init; }
    [Id(9)] public string? OverrideReason { get; init; }

    /// <summary>This item with the shared values filled in, as a dispatch request.</summary>
    public DispatchRequest ToRequest(BatchDispatchItem? shared) => new()
    {
        TechnicianIds = TechnicianIds ?? shared?.TechnicianIds ?? [],
        PrimaryTechnicianId = PrimaryTechnicianId ?? (TechnicianIds is null ? shared?.PrimaryTechnicianId : null),
        DispatchAt = DispatchAt ?? shared?.DispatchAt,
        ArrivalWindow = ArrivalWindow ?? shared?.ArrivalWindow,
        EstimatedDuration = EstimatedDuration ?? shared?.EstimatedDuration,
        Notes = Notes ?? shared?.Notes,
        OverrideConflicts = OverrideConflicts ?? shared?.OverrideConflicts ?? false,
        OverrideCapacity = OverrideCapacity ?? shared?.OverrideCapacity ?? false,
        OverrideReason = OverrideReason ?? shared?.OverrideReason,
    };
}

public enum BatchItemStatus { Dispatched = 0, Scheduled = 1, Conflicts = 2, Error = 3 }

/// <summary>What happened to one item; each item is all or nothing on its own.</summary>
[GenerateSerializer, Immutable, Alias("Dispatch.BatchDispatchItemResult")]
public sealed record BatchDispatchItemResult
{
    [Id(0)] public required string WorkOrderId { get; init; }
    [Id(1)] public required BatchItemStatus Status { get; init; }
    /// <summary>The work order after the attempt (unchanged unless dispatched or scheduled); null when it could not be read.</summary>
    [Id(2)] public WorkOrder? WorkOrder { get; init; }
    [Id(3)] public ImmutableArray<TechnicianConflicts> Conflicts { get => field.IsDefault ? [] : field; init; } = [];
    [Id(4)] public string? ErrorCode { get; init; }
    [Id(5)] public string? ErrorMessage { get; init; }
}

[GenerateSerializer, Immutable, Alias("Dispatch.BatchDispatchResult")]
public sealed record BatchDispatchResult([property: Id(0)] ImmutableArray<BatchDispatchItemResult> Items)
{
    public int Succeeded => Items.Count(i => i.Status is BatchItemStatus.Dispatched or BatchItemStatus.Scheduled);
}
