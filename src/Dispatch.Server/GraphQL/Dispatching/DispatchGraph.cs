using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Dispatch.Domain.Common;
using Dispatch.Domain.Identity;
using Dispatch.Domain.Matching;
using Dispatch.Domain.Scheduling;
using Dispatch.Domain.Technicians;
using Dispatch.Domain.WorkOrders;
using Dispatch.Grains.Dispatching;
using Dispatch.Grains.Events;
using Dispatch.Grains.ReadModel;
using Dispatch.Grains.Technicians;
using Dispatch.Grains.WorkOrders;
using Dispatch.Server.GraphQL.Types;
using Dispatch.Server.GraphQL.Access;
using GraphQL;
using GraphQL.Types;

namespace Dispatch.Server.GraphQL.Dispatching;

/// <summary>
/// Dispatching in the GraphQL schema: lists, suggestions, the technician picker, calendars, dispatch mutations and the
/// live work-order feeds. The root types call these once each, like <see cref="Tracking.TrackingGraph"/>.
/// </summary>
public static class DispatchGraph
{
    private const int MaxScheduleTechnicians = 200;
    private static readonly TimeSpan MaxScheduleRange = TimeSpan.FromDays(62);

    public static void AddQueryFields(ObjectGraphType query)
    {
        query.Field<NonNullGraphType<WorkOrderConnectionType>, Page<WorkOrder>>("workOrders")
            .Allow(FieldAccess.Office, Roles.Technician)
            .Description("Your tenant's work orders from the read model, filtered and ordered, as a Relay connection (forward paging).")
            .Argument<WorkOrderFilterType>("filter")
            .Argument<WorkOrderOrderType>("orderBy")
            .Argument<IntGraphType>("first", a => a.Description = "Page size, default 50, at most the server's max page size.")
            .Argument<StringGraphType>("after")
            .ResolveAsync(async c =>
            {
                var actor = c.Actor();
                var filter = c.GetArgument<WorkOrderFilter?>("filter") ?? new WorkOrderFilter();
                var order = c.GetArgument<WorkOrderOrder?>("orderBy") ?? new WorkOrderOrder();
                var first = PageSize(c);
                if (filter.TechnicianId is { } tech && !TenantKey.IsValidPart(tech))
                    throw DomainException.Validation("filter.technicianId", $"'{tech}' is not a valid id.");
                if (actor.IsOwnOnly())
                {
                    // A technician lists its own assignments: the filter must name its own technician record.
                    var own = filter.TechnicianId is { } mine ? (await TechnicianLoader(c).LoadManyAsync([mine], c.CancellationToken)).GetValueOrDefault(mine) : null;
                    if (own is null || !Ownership.IsOwn(own, actor))
                        throw new DomainException(ErrorCodes.Forbidden, "Technicians list their own work orders: set filter.technicianId to your technician id.");
                }

                var page = await Service<IWorkOrderReadModel>(c).QueryAsync(actor.Tenant, new WorkOrderQuery
                {
                    Statuses = filter.Statuses is { Count: > 0 } s ? s : null,
                    Priorities = filter.Priorities is { Count: > 0 } p ? p : null,
                    TechnicianId = filter.TechnicianId,
                    CustomerText = filter.CustomerText,
                    CreatedFrom = filter.CreatedFrom,
                    CreatedTo = filter.CreatedTo,
                    UpdatedFrom = filter.UpdatedFrom,
                    UpdatedTo = filter.UpdatedTo,
                    SlaDueFrom = filter.SlaDueFrom,
                    SlaDueTo = filter.SlaDueTo,
                    OrderBy = order.Field,
                    Descending = order.Descending,
                    First = first,
                    After = c.GetArgument<string?>("after"),
                }, c.CancellationToken);

                // The read model gives ids and cursors; the nodes are the grains' full work orders, loaded in one batch.
                var ids = page.Items.Select(i => i.Id).ToList();
                var orders = await WorkOrderLoader(c).LoadManyAsync(ids, c.CancellationToken);
                var edges = new List<(string, WorkOrder)>(ids.Count);
                for (var i = 0; i < page.Items.Count; i++)
                {
                    if (orders.TryGetValue(page.Items[i].Id, out var orderValue)) edges.Add((CursorOf(page, i, order), orderValue));
                }

                return new Page<WorkOrder>(edges, page.TotalCount, page.EndCursor, page.HasNextPage, edges.Count > 0 ? edges[0].Item1 : null);
            });

        query.Field<NonNullGraphType<TechnicianConnectionType>, Page<Technician>>("technicians")
            .Allow(FieldAccess.Office)
            .Description("Your tenant's technicians by name (from the technician index, which follows changes within moments).")
            .Argument<TechnicianFilterType>("filter")
            .Argument<IntGraphType>("first")
            .Argument<StringGraphType>("after")
            .ResolveAsync(async c =>
            {
                var actor = c.Actor();
                var filter = c.GetArgument<TechnicianFilter?>("filter") ?? new TechnicianFilter();
                var first = PageSize(c);
                var offset = c.GetArgument<string?>("after") is { } after ? DecodeOffset(after) + 1 : 0;
                var now = Service<TimeProvider>(c).GetUtcNow();
                // The index grain has no plain listing; its picker over every technician is one in-memory pass.
                var all = await Service<IGrainFactory>(c).GetGrain<ITechnicianIndexGrain>(actor.Tenant).Picker(
                    new MatchRequest { WorkOrderId = "list", Window = TimeWindow.FromDuration(now, TimeSpan.FromMinutes(1)), AsOf = now },
                    null, int.MaxValue);
                var rows = all.Technicians
                    .Where(r => filter.Active is not { } active || r.IsActive == active)
                    .Where(r => filter.IsField is not { } field || r.IsField == field)
                    .Where(r => filter.Skill is not { } skill || r.Skills.Contains(skill, StringComparer.OrdinalIgnoreCase))
                    .Where(r => filter.NameContains is not { } text || r.Name.Contains(text, StringComparison.OrdinalIgnoreCase))
                    .OrderBy(r => r.Name, StringComparer.OrdinalIgnoreCase).ThenBy(r => r.TechnicianId, StringComparer.Ordinal)
                    .ToList();
                var slice = rows.Skip(offset).Take(first).ToList();
                var technicians = await TechnicianLoader(c).LoadManyAsync([.. slice.Select(r => r.TechnicianId)], c.CancellationToken);
                var edges = new List<(string, Technician)>();
                for (var i = 0; i < slice.Count; i++)
                {
                    if (technicians.TryGetValue(slice[i].TechnicianId, out var t)) edges.Add((EncodeOffset(offset + i), t));
                }

                var hasNext = offset + slice.Count < rows.Count;
                return new Page<Technician>(edges, rows.Count, slice.Count > 0 ? EncodeOffset(offset + slice.Count - 1) : null, hasNext,
                    edges.Count > 0 ? edges[0].Item1 : null);
            });

        query.Field<NonNullGraphType<TechnicianSuggestionsType>, TechnicianSuggestions>("suggestTechnicians")
            .Allow(FieldAccess.Office)
            .Description("Best match: ranked technicians with every score component, travel and a reason; the nearest excluded with their reasons. Dispatchers and admins.")
            .Argument<NonNullGraphType<IdGraphType>>("workOrderId")
            .Argument<TimeWindowInputType>("window", a => a.Description = "Defaults to the work order's booked window.")
            .Argument<IntGraphType>("count", a => a.DefaultValue = 5)
            .Argument<IntGraphType>("explainExcluded", a => a.DefaultValue = 10)
            .Argument<ListGraphType<NonNullGraphType<StringGraphType>>>("preferredSkills")
            .ResolveAsync(async c =>
            {
                var actor = c.Actor();
                var id = Id(c, "workOrderId");
                var count = Math.Clamp(c.GetArgument("count", 5), 1, 50);
                var explain = Math.Clamp(c.GetArgument("explainExcluded", 10), 0, 50);
                var request = new SuggestRequest
                {
                    Window = c.GetArgument<TimeWindowInput?>("window")?.ToWindow("window"),
                    Count = count,
                    ExplainExcluded = explain,
                    PreferredSkills = [.. c.GetArgument<List<string>?>("preferredSkills") ?? []],
                };
                return await Desk(c, actor).Suggest(id, request, actor);
            });

        query.Field<NonNullGraphType<TechnicianPickerType>, TechnicianPicker>("technicianPicker")
            .Allow(FieldAccess.Office)
            .Description("The dispatch form's technician list for a window: location, the day's schedule, active work, skills; green (available) or red (conflicts).")
            .Argument<NonNullGraphType<IdGraphType>>("workOrderId")
            .Argument<TimeWindowInputType>("window")
            .Argument<ListGraphType<NonNullGraphType<IdGraphType>>>("technicianIds")
            .Argument<IntGraphType>("limit", a => a.DefaultValue = 50)
            .ResolveAsync(async c =>
            {
                var actor = c.Actor();
                var id = Id(c, "workOrderId");
                var ids = c.GetArgument<List<string>?>("technicianIds");
                ValidateIds("technicianIds", ids);
                var limit = Math.Clamp(c.GetArgument("limit", 50), 1, Service<GraphQLLimits>(c).MaxPageSize);
                return await Desk(c, actor).Picker(id, c.GetArgument<TimeWindowInput?>("window")?.ToWindow("window"),
                    ids is null ? null : [.. ids], limit, actor);
            });

        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<TechnicianScheduleType>>>, IReadOnlyList<TechnicianScheduleView>>("schedule")
            .Allow(FieldAccess.Office, Roles.Technician)
            .Description("The team calendar: each technician's bookings and availability blocks in [from, to) (unknown ids are left out).")
            .Argument<NonNullGraphType<ListGraphType<NonNullGraphType<IdGraphType>>>>("technicianIds")
            .Argument<NonNullGraphType<DateTimeOffsetGraphType>>("from")
            .Argument<NonNullGraphType<DateTimeOffsetGraphType>>("to")
            .ResolveAsync(async c =>
            {
                var actor = c.Actor();
                var ids = c.GetArgument<List<string>>("technicianIds").Distinct(StringComparer.Ordinal).ToList();
                ValidateIds("technicianIds", ids);
                if (ids.Count > MaxScheduleTechnicians)
                    throw DomainException.Validation("technicianIds", $"Ask for at most {MaxScheduleTechnicians} technicians.");
                var range = Range(c);
                var grains = Service<IGrainFactory>(c);
                var known = await TechnicianLoader(c).LoadManyAsync(ids, c.CancellationToken);
                foreach (var technician in known.Values) Ownership.EnsureOwn(technician, actor);
                var views = await Task.WhenAll(ids.Where(known.ContainsKey).Select(id => grains.GetGrain<ITechnicianGrain>(actor.KeyFor(id)).GetSchedule(range)));
                return views;
            });
    }

    public static void AddMutationFields(ObjectGraphType mutation)
    {
        mutation.Field<NonNullGraphType<DispatchPayloadType>, DispatchResult>("dispatchWorkOrder")
            .Allow(FieldAccess.Office)
            .Description("Reserves every technician (all or nothing) and sends now or at dispatchAt. CONFLICTS changes nothing and adds a SCHEDULE_CONFLICT error.")
            .Argument<NonNullGraphType<DispatchWorkOrderInputType>>("input")
            .ResolveAsync(async c =>
            {
                var actor = c.Actor();
                var input = c.GetArgument<DispatchWorkOrderInput>("input");
                ValidateIds("technicianIds", input.TechnicianIds);
                var result = await WorkOrder(c, actor, input.Id).Dispatch(input.ToRequest(), actor);
                return WithConflictError(c, result);
            });

        mutation.Field<NonNullGraphType<BatchDispatchPayloadType>, BatchDispatchResult>("dispatchWorkOrders")
            .Allow(FieldAccess.Office)
            .Description("The morning run: many work orders in order, each all or nothing, one result per item (status, conflicts or error code).")
            .Argument<NonNullGraphType<DispatchWorkOrdersInputType>>("input")
            .ResolveAsync(async c =>
            {
                var actor = c.Actor();
                var input = c.GetArgument<DispatchWorkOrdersInput>("input");
                foreach (var item in input.Items)
                {
                    ValidateIds("items.workOrderId", [item.WorkOrderId]);
                    ValidateIds("items.technicianIds", item.TechnicianIds);
                }

                ValidateIds("shared.technicianIds", input.Shared?.TechnicianIds);
                return await Desk(c, actor).DispatchBatch(input.ToRequest(), actor);
            });

        mutation.Field<NonNullGraphType<DispatchPayloadType>, DispatchResult>("reassignWorkOrder")
            .Allow(FieldAccess.Office)
            .Description("Other technicians, another primary or another time; the new time is held before the old is released. History is kept.")
            .Argument<NonNullGraphType<ReassignWorkOrderInputType>>("input")
            .ResolveAsync(async c =>
            {
                var actor = c.Actor();
                var input = c.GetArgument<ReassignWorkOrderInput>("input");
                ValidateIds("technicianIds", input.TechnicianIds);
                var result = await WorkOrder(c, actor, input.Id).Reassign(input.ToRequest(), actor);
                return WithConflictError(c, result);
            });

        mutation.Field<NonNullGraphType<WorkOrderType>, WorkOrder>("unassignWorkOrder")
            .Allow(FieldAccess.Office)
            .Description("Back to CREATED (or withdraws a scheduled dispatch); releases the technicians' time.")
            .Argument<NonNullGraphType<UnassignWorkOrderInputType>>("input")
            .ResolveAsync(async c =>
            {
                var actor = c.Actor();
                var input = c.GetArgument<UnassignWorkOrderInput>("input");
                return await WorkOrder(c, actor, input.Id).Unassign(input.Reason, actor);
            });

        mutation.Field<NonNullGraphType<TechnicianType>, Technician>("setTechnicianWorkingHours")
            .Allow(FieldAccess.Office)
            .Argument<NonNullGraphType<SetTechnicianWorkingHoursInputType>>("input")
            .ResolveAsync(async c =>
            {
                var actor = c.Actor();
                var input = c.GetArgument<SetTechnicianWorkingHoursInput>("input");
                var shifts = input.Shifts.Select((s, i) => s.ToShift($"shifts[{i}]")).ToImmutableArray();
                return await Technician(c, actor, input.TechnicianId).SetWorkingHours(shifts, actor);
            });

        mutation.Field<NonNullGraphType<TechnicianType>, Technician>("setTechnicianCapacity")
            .Allow(FieldAccess.Office)
            .Argument<NonNullGraphType<SetTechnicianCapacityInputType>>("input")
            .ResolveAsync(async c =>
            {
                var actor = c.Actor();
                var input = c.GetArgument<SetTechnicianCapacityInput>("input");
                var capacity = Valid.Check("capacity", () => new TechnicianCapacity(input.MaxActiveWorkOrders,
                    input.MaxBookedMinutesPerDay is { } m ? TimeSpan.FromMinutes(m) : null));
                return await Technician(c, actor, input.TechnicianId).SetCapacity(capacity, actor);
            });

        mutation.Field<NonNullGraphType<AvailabilityChangeType>, AvailabilityChange>("addAvailabilityBlock")
            .Allow(FieldAccess.Office)
            .Description("Time off, training, on-call; returns the bookings that now conflict (to reassign).")
            .Argument<NonNullGraphType<AddAvailabilityBlockInputType>>("input")
            .ResolveAsync(async c =>
            {
                var actor = c.Actor();
                var input = c.GetArgument<AddAvailabilityBlockInput>("input");
                var id = input.Id ?? RequestContext.NewId("blk");
                var block = Valid.Check("window", () => new AvailabilityBlock(id, input.Kind, input.Window.ToWindow("window"), input.Note));
                return await Technician(c, actor, input.TechnicianId).AddAvailabilityBlock(block, actor);
            });

        mutation.Field<NonNullGraphType<TechnicianScheduleType>, TechnicianScheduleView>("removeAvailabilityBlock")
            .Allow(FieldAccess.Office)
            .Argument<NonNullGraphType<RemoveAvailabilityBlockInputType>>("input")
            .ResolveAsync(async c =>
            {
                var actor = c.Actor();
                var input = c.GetArgument<RemoveAvailabilityBlockInput>("input");
                return await Technician(c, actor, input.TechnicianId).RemoveAvailabilityBlock(input.BlockId, actor);
            });

        mutation.Field<NonNullGraphType<TechnicianType>, Technician>("setTechnicianActive")
            .Allow(FieldAccess.Office)
            .Description("Inactive technicians cannot be dispatched.")
            .Argument<NonNullGraphType<SetTechnicianActiveInputType>>("input")
            .ResolveAsync(async c =>
            {
                var actor = c.Actor();
                var input = c.GetArgument<SetTechnicianActiveInput>("input");
                return await Technician(c, actor, input.TechnicianId).SetActive(input.Active, actor);
            });

        mutation.Field<NonNullGraphType<TechnicianType>, Technician>("updateTechnician")
            .Allow(FieldAccess.Office)
            .Argument<NonNullGraphType<UpdateTechnicianInputType>>("input")
            .ResolveAsync(async c =>
            {
                var actor = c.Actor();
                var input = c.GetArgument<UpdateTechnicianInput>("input");
                return await Technician(c, actor, input.Id).Update(input.ToUpdate(), actor);
            });
    }

    public static void AddSubscriptionFields(ObjectGraphType subscription)
    {
        subscription.Field<NonNullGraphType<WorkOrderEventType>, WorkOrderChanged>("workOrderUpdated")
            .Allow(FieldAccess.Office, Roles.Technician)
            .Description("Every accepted change to one work order of your tenant, with the snapshot after it.")
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Resolve(c => (WorkOrderChanged)c.Source!)
            .ResolveStreamAsync(async c =>
            {
                var actor = c.Actor();
                var id = Id(c, "id");
                var feed = Service<IWorkOrderEventFeed>(c);
                if (!actor.IsOwnOnly())
                    return new AsyncEnumerableObservable<WorkOrderChanged>(ct => feed.Subscribe(actor.Tenant, id, ct));

                // A technician watches a work order it is on, and hears nothing more once it is taken off it.
                Ownership.EnsureMayRead(await WorkOrder(c, actor, id).Get(), actor);
                return new AsyncEnumerableObservable<WorkOrderChanged>(ct => ReadableBy(feed.Subscribe(actor.Tenant, id, ct), actor, ct));
            });

        subscription.Field<NonNullGraphType<WorkOrderEventType>, WorkOrderChanged>("boardUpdated")
            .Allow(FieldAccess.Office)
            .Description("Every change to any work order of your tenant (the tenant comes from your token). Dispatchers and admins.")
            .Resolve(c => (WorkOrderChanged)c.Source!)
            .ResolveStream(c =>
            {
                var actor = Office(c);
                var feed = Service<IWorkOrderEventFeed>(c);
                return new AsyncEnumerableObservable<WorkOrderChanged>(ct => feed.Subscribe(actor.Tenant, null, ct));
            });

        subscription.Field<NonNullGraphType<TechnicianNotificationType>, TechnicianNotification>("technicianNotifications")
            .Allow(FieldAccess.Office, Roles.Technician)
            .Description("What technicians are told (dispatch sent, reassigned, rescheduled, withdrawn, overrun). Technicians see only their own; " +
                "the office may watch one technician or all.")
            .Argument<IdGraphType>("technicianId")
            .Resolve(c => (TechnicianNotification)c.Source!)
            .ResolveStreamAsync(async c =>
            {
                var actor = c.Actor();
                var technicianId = c.GetArgument<string?>("technicianId");
                if (technicianId is not null) ValidateIds("technicianId", [technicianId]);
                if (!actor.IsInRole(Roles.Admin) && !actor.IsInRole(Roles.Dispatcher))
                {
                    var own = technicianId is null ? null : await Service<IGrainFactory>(c).GetGrain<ITechnicianGrain>(actor.KeyFor(technicianId)).Get();
                    if (own?.UserId != actor.UserId || !actor.IsInRole(Roles.Technician))
                        throw new DomainException(ErrorCodes.Forbidden, "Technicians watch their own notifications: pass your technician id.");
                }

                var feed = Service<IWorkOrderEventFeed>(c);
                return new AsyncEnumerableObservable<TechnicianNotification>(ct => feed.SubscribeNotifications(actor.Tenant, technicianId, ct));
            });
    }

    private static async IAsyncEnumerable<WorkOrderChanged> ReadableBy(IAsyncEnumerable<WorkOrderChanged> events, Actor actor,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var change in events.WithCancellation(cancellationToken))
        {
            if (WorkOrderRules.MayRead(change.WorkOrder, actor)) yield return change;
        }
    }

    internal static BatchLoader<Technician> TechnicianLoader(IResolveFieldContext context)
    {
        var actor = context.Actor();
        var grains = Service<IGrainFactory>(context);
        return Loaders.For<Technician>(context, "technician", (ids, _) =>
            Loaders.FromGrains(ids, id => TenantKey.IsValidPart(id) ? grains.GetGrain<ITechnicianGrain>(actor.KeyFor(id)).Get() : Task.FromResult<Technician?>(null)));
    }

    internal static BatchLoader<WorkOrder> WorkOrderLoader(IResolveFieldContext context)
    {
        var actor = context.Actor();
        var grains = Service<IGrainFactory>(context);
        return Loaders.For<WorkOrder>(context, "workOrder", (ids, _) =>
            Loaders.FromGrains(ids, async id => TenantKey.IsValidPart(id) && await grains.GetGrain<IWorkOrderGrain>(actor.KeyFor(id)).Get() is { } order
                // Nested fields (a booking's work order) show a technician only the work orders it is on.
                && WorkOrderRules.MayRead(order, actor) ? order : null));
    }

    /// <summary>
    /// A dispatch that met conflicts changed nothing: the payload says so, and a SCHEDULE_CONFLICT error carrying the
    /// conflicting appointments lets clients branch on the code as for every other refusal.
    /// </summary>
    private static DispatchResult WithConflictError(IResolveFieldContext context, DispatchResult result)
    {
        if (result.Outcome != DispatchOutcome.Conflicts) return result;
        var error = new ExecutionError("The schedule conflicts; nothing changed. Pick another technician or time, or override with a reason.")
        {
            Code = ErrorCodes.ScheduleConflict,
            Path = context.Path,
        };
        error.AddLocation(context.FieldAst, context.Document);
        error.Data["workOrderId"] = result.WorkOrder.Id;
        error.Data["conflicts"] = result.Conflicts.Select(t => new Dictionary<string, object?>
        {
            ["technicianId"] = t.TechnicianId,
            ["technicianName"] = t.TechnicianName,
            ["conflicts"] = t.Conflicts.Select(x => new Dictionary<string, object?>
            {
                ["kind"] = x.Kind.ToString(),
                ["start"] = x.Window.Start,
                ["end"] = x.Window.End,
                ["workOrderId"] = x.WorkOrderId,
                ["blockId"] = x.Block?.Id,
                ["description"] = x.Description,
            }).ToList(),
        }).ToList();
        context.Errors.Add(error);
        return result;
    }

    private static int PageSize(IResolveFieldContext context)
    {
        var max = Service<GraphQLLimits>(context).MaxPageSize;
        var first = context.GetArgument<int?>("first") ?? 50;
        if (first < 1 || first > max) throw DomainException.Validation("first", $"Page size must be between 1 and {max}.");
        return first;
    }

    /// <summary>
    /// Per-edge cursors in the read model's keyset format (sort field | sort key | id, base64url), so paging may resume
    /// after any edge; the read model only returns the page's end cursor, which the last edge uses as is.
    /// </summary>
    private static string CursorOf(WorkOrderPage page, int index, WorkOrderOrder order)
    {
        if (index == page.Items.Count - 1 && page.EndCursor is { } end) return end;
        var item = page.Items[index];
        var key = order.Field switch
        {
            WorkOrderSortField.UpdatedAt => item.UpdatedAt.ToUnixTimeMilliseconds(),
            WorkOrderSortField.Priority => (long)item.Priority,
            WorkOrderSortField.SlaDueAt => item.SlaDueAt?.ToUnixTimeMilliseconds() ?? (order.Descending ? long.MinValue : long.MaxValue),
            _ => item.CreatedAt.ToUnixTimeMilliseconds(),
        };
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{(int)order.Field}|{key}|{item.Id}")))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    private static string EncodeOffset(int offset) => Convert.ToBase64String(Encoding.UTF8.GetBytes("o:" + offset));

    private static int DecodeOffset(string cursor)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(cursor));
            if (text.StartsWith("o:", StringComparison.Ordinal) && int.TryParse(text[2..], out var offset) && offset >= 0) return offset;
        }
        catch (FormatException)
        {
        }

        throw DomainException.Validation("after", "The cursor is not valid.");
    }

    private static TimeWindow Range(IResolveFieldContext context)
    {
        var from = context.GetArgument<DateTimeOffset>("from");
        var to = context.GetArgument<DateTimeOffset>("to");
        var range = Valid.Check("to", () => new TimeWindow(from, to));
        if (range.Duration > MaxScheduleRange) throw DomainException.Validation("to", "Ask for at most 62 days at a time.");
        return range;
    }

    private static string Id(IResolveFieldContext context, string argument)
    {
        var id = context.GetArgument<string>(argument);
        ValidateIds(argument, [id]);
        return id;
    }

    private static void ValidateIds(string field, IEnumerable<string>? ids)
    {
        if (ids?.FirstOrDefault(id => !TenantKey.IsValidPart(id)) is { } invalid)
            throw DomainException.Validation(field, $"'{invalid}' is not a valid id.");
    }

    private static Actor Office(IResolveFieldContext context)
    {
        var actor = context.Actor();
        if (!actor.IsInRole(Roles.Admin) && !actor.IsInRole(Roles.Dispatcher))
            throw new DomainException(ErrorCodes.Forbidden, "Only admins and dispatchers watch the board.");
        return actor;
    }

    private static IDispatchDeskGrain Desk(IResolveFieldContext context, Actor actor) =>
        Service<IGrainFactory>(context).GetGrain<IDispatchDeskGrain>(actor.Tenant);

    private static IWorkOrderGrain WorkOrder(IResolveFieldContext context, Actor actor, string id) =>
        Service<IGrainFactory>(context).GetGrain<IWorkOrderGrain>(actor.KeyFor(id));

    private static ITechnicianGrain Technician(IResolveFieldContext context, Actor actor, string id) =>
        Service<IGrainFactory>(context).GetGrain<ITechnicianGrain>(actor.KeyFor(id));

    private static T Service<T>(IResolveFieldContext context) where T : notnull =>
        context.RequestServices!.GetRequiredService<T>();
}

/// <summary>
/// An <see cref="IAsyncEnumerable{T}"/> feed as the <see cref="IObservable{T}"/> graphql-dotnet subscribes to: each
/// subscription enumerates on its own task; disposing cancels the enumeration, which ends the feed's subscription.
/// </summary>
public sealed class AsyncEnumerableObservable<T>(Func<CancellationToken, IAsyncEnumerable<T>> subscribe) : IObservable<T>
{
    public IDisposable Subscribe(IObserver<T> observer)
    {
        var cancellation = new CancellationTokenSource();
        // Subscribe synchronously so events after this point are not missed; enumerate on a task.
        var source = subscribe(cancellation.Token);
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var item in source.WithCancellation(cancellation.Token).ConfigureAwait(false)) observer.OnNext(item);
                observer.OnCompleted();
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                observer.OnError(e);
            }
        });
        return new Unsubscriber(cancellation);
    }

    private sealed class Unsubscriber(CancellationTokenSource cancellation) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                // Not disposed: the enumerating task may still be reading the token.
                cancellation.Cancel();
            }
        }
    }
}
