using System.Collections.Immutable;

namespace Dispatch.Domain.WorkOrders;

/// <summary>What a dispatcher fills in to open a work order.</summary>
[GenerateSerializer, Immutable, Alias("Dispatch.NewWorkOrder")]
public sealed record NewWorkOrder
{
    [Id(0)] public required string Title { get; init; }
    [Id(1)] public string? Description { get; init; }
    [Id(2)] public string? Type { get; init; }
    [Id(3)] public Priority Priority { get; init; } = Priority.Normal;
    [Id(4)] public required Customer Customer { get; init; }
    [Id(5)] public required Site Site { get; init; }
    [Id(6)] public Asset? Asset { get; init; }
    [Id(7)] public DateTimeOffset? SlaDueAt { get; init; }
    [Id(8)] public ImmutableArray<string> RequiredSkills { get; init; } = [];
    [Id(9)] public ImmutableArray<string> RequiredCertifications { get; init; } = [];
    [Id(10)] public TimeSpan EstimatedDuration { get; init; } = TimeSpan.FromHours(1);
    [Id(11)] public string? SpecialInstructions { get; init; }
}

/// <summary>A status change with what the product asks to record alongside it.</summary>
[GenerateSerializer, Immutable, Alias("Dispatch.StatusChange")]
public sealed record StatusChange(
    [property: Id(0)] WorkOrderStatus To,
    [property: Id(1)] string? Note = null);
