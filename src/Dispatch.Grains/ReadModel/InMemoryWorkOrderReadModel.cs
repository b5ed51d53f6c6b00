using System.Collections.Concurrent;

namespace Dispatch.Grains.ReadModel;

/// <summary>
/// The read model for memory mode and tests: same semantics as the SQL tables (versioned upsert, filters, ordering,
/// keyset and offset paging), held in a dictionary. One instance may be shared by several in-process silos.
/// </summary>
public sealed class InMemoryWorkOrderReadModel : IWorkOrderReadModelStore
{
    private readonly ConcurrentDictionary<(string Tenant, string Id), WorkOrderListItem> _rows = new();

    public int Count => _rows.Count;

    public Task<bool> UpsertAsync(WorkOrderListItem item, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(item);
        var key = (item.Tenant, item.Id);
        while (true)
        {
            if (_rows.TryGetValue(key, out var current))
            {
                if (current.Version >= item.Version) return Task.FromResult(false);
                if (_rows.TryUpdate(key, item, current)) return Task.FromResult(true);
            }
            else if (_rows.TryAdd(key, item))
            {
                return Task.FromResult(true);
            }
        }
    }

    public Task<WorkOrderListItem?> GetAsync(string tenant, string workOrderId, CancellationToken cancellationToken = default) =>
        Task.FromResult(_rows.TryGetValue((tenant, workOrderId), out var item) ? item : null);

    public Task<WorkOrderPage> QueryAsync(string tenant, WorkOrderQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        var matching = _rows.Values.Where(r => r.Tenant == tenant && Matches(r, query)).ToList();
        var field = query.OrderBy;
        var descending = query.Descending;
        var ordered = descending
            ? matching.OrderByDescending(r => r.SortKey(field, true)).ThenByDescending(r => r.Id, StringComparer.Ordinal)
            : matching.OrderBy(r => r.SortKey(field, false)).ThenBy(r => r.Id, StringComparer.Ordinal);

        IEnumerable<WorkOrderListItem> page = ordered;
        if (query.After is not null && WorkOrderCursor.TryDecode(query.After, field) is var (key, id))
        {
            page = page.Where(r =>
            {
                var k = r.SortKey(field, descending);
                var byKey = k.CompareTo(key);
                var byId = string.CompareOrdinal(r.Id, id);
                return descending ? byKey < 0 || (byKey == 0 && byId < 0) : byKey > 0 || (byKey == 0 && byId > 0);
            });
        }
        else if (query.Offset is { } offset)
        {
            page = page.Skip(offset);
        }

        var items = page.Take(query.First + 1).ToList();
        var hasNext = items.Count > query.First;
        if (hasNext) items.RemoveAt(items.Count - 1);
        var end = items.Count == 0 ? null : WorkOrderCursor.Encode(field, items[^1].SortKey(field, descending), items[^1].Id);
        return Task.FromResult(new WorkOrderPage(items, matching.Count, end, hasNext));
    }

    public Task<IReadOnlyList<WorkOrderWakeUp>> DueWakeUpsAsync(DateTimeOffset dueBefore, int limit, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<WorkOrderWakeUp> due = _rows.Values
            .Where(r => r.WakeAt is { } wake && wake <= dueBefore)
            .OrderBy(r => r.WakeAt)
            .Take(limit)
            .Select(r => new WorkOrderWakeUp(r.Tenant, r.Id, r.WakeAt!.Value))
            .ToList();
        return Task.FromResult(due);
    }

    public Task DeleteTenantAsync(string tenant, CancellationToken cancellationToken = default)
    {
        foreach (var key in _rows.Keys.Where(k => k.Tenant == tenant).ToList()) _rows.TryRemove(key, out _);
        return Task.CompletedTask;
    }

    private static bool Matches(WorkOrderListItem row, WorkOrderQuery query)
    {
        if (query.Statuses is { Count: > 0 } statuses && !statuses.Contains(row.Status)) return false;
        if (query.Priorities is { Count: > 0 } priorities && !priorities.Contains(row.Priority)) return false;
        if (query.TechnicianId is { } technician && !row.TechnicianIds.Contains(technician)) return false;
        if (!string.IsNullOrWhiteSpace(query.CustomerText) &&
            !row.CustomerName.Contains(query.CustomerText.Trim(), StringComparison.OrdinalIgnoreCase)) return false;
        return InRange(row.CreatedAt, query.CreatedFrom, query.CreatedTo)
            && InRange(row.UpdatedAt, query.UpdatedFrom, query.UpdatedTo)
            && (query.SlaDueFrom is null && query.SlaDueTo is null || row.SlaDueAt is { } sla && InRange(sla, query.SlaDueFrom, query.SlaDueTo));
    }

    // Millisecond precision, as the SQL tables store it, so every implementation filters alike.
    private static bool InRange(DateTimeOffset value, DateTimeOffset? from, DateTimeOffset? to)
    {
        var ms = value.ToUnixTimeMilliseconds();
        return (from is not { } f || ms >= f.ToUnixTimeMilliseconds()) && (to is not { } t || ms < t.ToUnixTimeMilliseconds());
    }
}
