using Dispatch.Domain.Common;
using Dispatch.Domain.Identity;

namespace Dispatch.Domain.WorkOrders;

/// <summary>
/// The work order's rules as pure functions: validate first, then return the next value with its timeline entry.
/// Grains call these and persist the result; nothing here reads a clock or a database.
/// </summary>
public static class WorkOrderRules
{
    public const int MaxTitleLength = 200;
    public const int MaxTextLength = 4000;
    private static readonly TimeSpan MaxEstimatedDuration = TimeSpan.FromDays(14);

    public static WorkOrder Create(string tenant, string id, NewWorkOrder input, Actor actor, DateTimeOffset now)
    {
        Validate(input);
        var created = new WorkOrder
        {
            Id = id,
            Tenant = tenant,
            Title = input.Title.Trim(),
            Description = input.Description,
            Type = input.Type,
            Priority = input.Priority,
            Customer = input.Customer,
            Site = input.Site,
            Asset = input.Asset,
            SlaDueAt = input.SlaDueAt,
            RequiredSkills = input.RequiredSkills.IsDefault ? [] : input.RequiredSkills,
            RequiredCertifications = input.RequiredCertifications.IsDefault ? [] : input.RequiredCertifications,
            EstimatedDuration = input.EstimatedDuration,
            SpecialInstructions = input.SpecialInstructions,
            Status = WorkOrderStatus.Created,
            CreatedAt = now,
            UpdatedAt = now,
            StatusChangedAt = now,
            Version = 0,
        };
        return Append(created, new TimelineEntry(now, actor.UserId, actor.DisplayName, TimelineEntryKind.Created,
            $"Work order created with priority {input.Priority}.", ToStatus: WorkOrderStatus.Created));
    }

    /// <summary>A plain status update: the technician's progress, or the office closing or cancelling.</summary>
    public static WorkOrder ChangeStatus(WorkOrder order, StatusChange change, Actor actor, DateTimeOffset now) =>
        Move(order, change.To, TransitionVia.StatusUpdate, actor, now, TimelineEntryKind.StatusChanged,
            $"Status changed from {order.Status} to {change.To}.", change.Note);

    /// <summary>The status part of a dispatch or unassignment; the caller reserves or releases schedules.</summary>
    public static WorkOrder Move(WorkOrder order, WorkOrderStatus to, TransitionVia via, Actor actor, DateTimeOffset now,
        TimelineEntryKind kind, string summary, string? note = null)
    {
        WorkOrderStatusMachine.Ensure(order.Status, to, via, actor);
        ValidateText(note, "note");
        var moved = order with { Status = to, StatusChangedAt = now };
        return Append(moved, new TimelineEntry(now, actor.UserId, actor.DisplayName, kind, summary, order.Status, to, note));
    }

    public static WorkOrder AddNote(WorkOrder order, string note, Actor actor, DateTimeOffset now)
    {
        EnsureMayUpdate(order, actor);
        if (string.IsNullOrWhiteSpace(note))
        {
            throw DomainException.Validation("note", "A note cannot be empty.");
        }

        ValidateText(note, "note");
        return Append(order, new TimelineEntry(now, actor.UserId, actor.DisplayName, TimelineEntryKind.NoteAdded, "Note added.", Note: note));
    }

    /// <summary>
    /// Who may change a work order at all: the office (dispatchers, admins), the platform, and the technicians assigned to
    /// it, recognised by the user id their technician profile carries. The status machine then decides which moves.
    /// </summary>
    public static void EnsureMayUpdate(WorkOrder order, Actor actor)
    {
        if (actor.IsInRole(Roles.Dispatcher) || actor.IsInRole(Roles.Admin) || actor.IsInRole(Roles.System))
        {
            return;
        }

        if (actor.IsInRole(Roles.Technician))
        {
            if (IsAssignedTo(order, actor))
            {
                return;
            }

            throw new DomainException(ErrorCodes.Forbidden, $"Technicians may only update work orders assigned to them; '{order.Id}' is not assigned to you.",
                new Dictionary<string, string> { ["reason"] = "not-assigned" });
        }

        throw new DomainException(ErrorCodes.Forbidden, "Only dispatchers, admins and the assigned technicians may change a work order.");
    }

    /// <summary>The actor is one of the work order's technicians (recognised by the user id on their profile).</summary>
    public static bool IsAssignedTo(WorkOrder order, Actor actor) =>
        order.Assignment?.Technicians.Any(t => t.UserId is not null && string.Equals(t.UserId, actor.UserId, StringComparison.Ordinal)) == true;

    /// <summary>
    /// Who may see a work order: the office and the platform see all of their tenant's; a technician sees the ones it is
    /// on (and stops seeing one once reassigned away); devices see none.
    /// </summary>
    public static bool MayRead(WorkOrder order, Actor actor) =>
        actor.IsInRole(Roles.Dispatcher) || actor.IsInRole(Roles.Admin) || actor.IsInRole(Roles.System)
        || (actor.IsInRole(Roles.Technician) && IsAssignedTo(order, actor));

    /// <summary>Every accepted change goes through here: one timeline entry, one version step.</summary>
    public static WorkOrder Append(WorkOrder order, TimelineEntry entry) =>
        order with { Timeline = order.Timeline.Add(entry), UpdatedAt = entry.At, Version = order.Version + 1 };

    private static void Validate(NewWorkOrder input)
    {
        if (string.IsNullOrWhiteSpace(input.Title) || input.Title.Length > MaxTitleLength)
        {
            throw DomainException.Validation("title", $"A work order needs a title of 1-{MaxTitleLength} characters.");
        }

        if (string.IsNullOrWhiteSpace(input.Customer?.Name))
        {
            throw DomainException.Validation("customer.name", "A work order needs a customer name.");
        }

        if (string.IsNullOrWhiteSpace(input.Site?.Address))
        {
            throw DomainException.Validation("site.address", "A work order needs a site address.");
        }

        if (input.EstimatedDuration <= TimeSpan.Zero || input.EstimatedDuration > MaxEstimatedDuration)
        {
            throw DomainException.Validation("estimatedDuration", "The estimated duration must be more than zero and at most 14 days.");
        }

        if (!Enum.IsDefined(input.Priority))
        {
            throw DomainException.Validation("priority", $"Unknown priority {(int)input.Priority}.");
        }

        ValidateText(input.Description, "description");
        ValidateText(input.SpecialInstructions, "specialInstructions");
        ValidateText(input.Site.AccessNotes, "site.accessNotes");
    }

    private static void ValidateText(string? value, string field)
    {
        if (value is { Length: > MaxTextLength })
        {
            throw DomainException.Validation(field, $"{field} is longer than {MaxTextLength} characters.");
        }
    }
}
