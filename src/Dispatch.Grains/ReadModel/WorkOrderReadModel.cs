using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Dispatch.Domain.Common;
using Dispatch.Domain.Geo;
using Dispatch.Domain.WorkOrders;

namespace Dispatch.Grains.ReadModel;

public enum WorkOrderSortField { CreatedAt = 0, UpdatedAt = 1, Priority = 2, SlaDueAt = 3 }

/// <summary>
/// A list query over one tenant's work orders. Every filter is optional; ranges are [from, to). Paging is keyset
/// (<see cref="After"/>, an opaque cursor from the previous page) or offset (<see cref="Offset"/>), not both.
/// </summary>
public sealed record WorkOrderQuery
{
    public const int MaxPageSize = 500;

    public IReadOnlyCollection<WorkOrderStatus>? Statuses { get; init; }
    public IReadOnlyCollection<Priority>? Priorities { get; init; }
    /// <summary>Work orders currently assigned to this technician (primary or supporting).</summary>
    public string? TechnicianId { get; init; }
    /// <summary>Case-insensitive substring of the customer name.</summary>
    public string? CustomerText { get; init; }
    public DateTimeOffset? CreatedFrom { get; init; }
    public DateTimeOffset? CreatedTo { get; init; }
    public DateTimeOffset? UpdatedFrom { get; init; }
    public DateTimeOffset? UpdatedTo { get; init; }
    public DateTimeOffset? SlaDueFrom { get; init; }
    public DateTimeOffset? SlaDueTo { get; init; }
    public WorkOrderSortField OrderBy { get; init; } = WorkOrderSortField.CreatedAt;
    /// <summary>Newest (or most urgent, or latest SLA) first. Orders without an SLA sort after all others either way.</summary>
    public bool Descending { get; init; } = true;
    public int First { get; init; } = 50;
    public string? After { get; init; }
    public int? Offset { get; init; }

    public void Validate()
    {
        if (First is < 1 or > MaxPageSize)
        {
            throw DomainException.Validation("first", $"Page size must be between 1 and {MaxPageSize}.");
        }

        if (Offset is < 0)
        {
            throw DomainException.Validation("offset", "Offset cannot be negative.");
        }

        if (Offset is not null && After is not null)
        {
            throw DomainException.Validation("after", "Use either a cursor or an offset, not both.");
        }

        if (After is not null && WorkOrderCursor.TryDecode(After, OrderBy) is null)
        {
            throw DomainException.Validation("after", "The cursor is not valid for this ordering.");
        }
    }
}

/// <summary>One row of the work-order list: what boards and list views show and filter on.</summary>
public sealed record WorkOrderListItem
{
    public required string Tenant { get; init; }
    public required string Id { get; init; }
    public required long Version { get; init; }
    public required string Title { get; init; }
    public required WorkOrderStatus Status { get; init; }
    public required Priority Priority { get; init; }
    public required string CustomerName { get; init; }
    public CustomerTier CustomerTier { get; init; }
    public required string SiteAddress { get; init; }
    public GeoPoint? SiteLocation { get; init; }
    public DateTimeOffset? SlaDueAt { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
    public required DateTimeOffset StatusChangedAt { get; init; }
    public string? PrimaryTechnicianId { get; init; }
    public ImmutableArray<string> TechnicianIds { get => field.IsDefault ? [] : field; init; } = [];
    /// <summary>When a scheduled dispatch will be sent (null unless one is waiting).</summary>
    public DateTimeOffset? ScheduledDispatchAt { get; init; }
    public DateTimeOffset? ArrivalStart { get; init; }
    public DateTimeOffset? ArrivalEnd { get; init; }
    /// <summary>When the work order's grain must next act by itself (scheduled dispatch, overrun alert).</summary>
    public DateTimeOffset? WakeAt { get; init; }

    public static WorkOrderListItem From(WorkOrder order) => new()
    {
        Tenant = order.Tenant,
        Id = order.Id,
        Version = order.Version,
        Title = order.Title,
        Status = order.Status,
        Priority = order.Priority,
        CustomerName = order.Customer.Name,
        CustomerTier = order.Customer.Tier,
        SiteAddress = order.Site.Address,
        SiteLocation = order.Site.Location,
        SlaDueAt = order.SlaDueAt,
        CreatedAt = order.CreatedAt,
        UpdatedAt = order.UpdatedAt,
        StatusChangedAt = order.StatusChangedAt,
        PrimaryTechnicianId = order.Assignment?.GetPrimary().TechnicianId,
        TechnicianIds = order.Assignment?.GetTechnicianIds() ?? [],
        ScheduledDispatchAt = DispatchRules.IsDispatchPending(order) ? order.Visit!.SendAt : null,
        ArrivalStart = order.Visit?.ArrivalWindow.Start,
        ArrivalEnd = order.Visit?.ArrivalWindow.End,
        WakeAt = DispatchRules.NextWakeUp(order),
    };

    /// <summary>
    /// The sort key as one integer: milliseconds for times, the enum value for priority. A missing SLA gets the key that
    /// sorts last in the requested direction.
    /// </summary>
    internal long SortKey(WorkOrderSortField field, bool descending) => field switch
    {
        WorkOrderSortField.CreatedAt => CreatedAt.ToUnixTimeMilliseconds(),
        WorkOrderSortField.UpdatedAt => UpdatedAt.ToUnixTimeMilliseconds(),
        WorkOrderSortField.Priority => (long)Priority,
        WorkOrderSortField.SlaDueAt => SlaDueAt?.ToUnixTimeMilliseconds() ?? WorkOrderCursor.NoSlaKey(descending),
        _ => throw new ArgumentOutOfRangeException(nameof(field)),
    };
}

/// <summary>A page of results with the total matching the filters (before paging).</summary>
public sealed record WorkOrderPage(IReadOnlyList<WorkOrderListItem> Items, long TotalCount, string? EndCursor, bool HasNextPage);

/// <summary>A work order whose grain must wake up by itself at <see cref="WakeAt"/>.</summary>
public sealed record WorkOrderWakeUp(string Tenant, string WorkOrderId, DateTimeOffset WakeAt);

/// <summary>
/// The queryable list of work orders per tenant, kept current by the work-order grains and rebuildable from their
/// state. Registered by <c>UseDispatchStorage</c>: a table in the SQLite file (embedded), in PostgreSQL (postgres), or in
/// memory (memory mode and tests).
/// </summary>
public interface IWorkOrderReadModel
{
    Task<WorkOrderPage> QueryAsync(string tenant, WorkOrderQuery query, CancellationToken cancellationToken = default);

    Task<WorkOrderListItem?> GetAsync(string tenant, string workOrderId, CancellationToken cancellationToken = default);
}

/// <summary>The write side, used by the grains, the rebuild and the wake-up sweep.</summary>
public interface IWorkOrderReadModelStore : IWorkOrderReadModel
{
    /// <summary>Stores the row unless the stored one has the same or a newer version; returns whether it was stored.</summary>
    Task<bool> UpsertAsync(WorkOrderListItem item, CancellationToken cancellationToken = default);

    /// <summary>Work orders whose grains must act by themselves at or before <paramref name="dueBefore"/>, earliest first, across tenants.</summary>
    Task<IReadOnlyList<WorkOrderWakeUp>> DueWakeUpsAsync(DateTimeOffset dueBefore, int limit, CancellationToken cancellationToken = default);

    /// <summary>Removes every row of a tenant (before a rebuild from scratch).</summary>
    Task DeleteTenantAsync(string tenant, CancellationToken cancellationToken = default);
}

/// <summary>Keyset cursors: the last row's sort key and id, so the next page starts strictly after it.</summary>
internal static class WorkOrderCursor
{
    /// <summary>Sort key of a work order without an SLA: after every real time in the given direction.</summary>
    public static long NoSlaKey(bool descending) => descending ? long.MinValue : long.MaxValue;

    public static string Encode(WorkOrderSortField field, long key, string id) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{(int)field}|{key}|{id}")))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static (long Key, string Id)? TryDecode(string cursor, WorkOrderSortField field)
    {
        try
        {
            var base64 = cursor.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=');
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(base64)).Split('|', 3);
            if (parts.Length != 3 || parts[0] != ((int)field).ToString(CultureInfo.InvariantCulture)) return null;
            return (long.Parse(parts[1], CultureInfo.InvariantCulture), parts[2]);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
