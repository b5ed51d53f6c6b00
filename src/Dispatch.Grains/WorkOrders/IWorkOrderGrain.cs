using Orleans.Concurrency;
using Dispatch.Domain.Identity;
using Dispatch.Domain.Tracking;
using Dispatch.Domain.WorkOrders;

namespace Dispatch.Grains.WorkOrders;

/// <summary>
/// One work order. Key: "{tenant}/{workOrderId}" (see <see cref="Dispatch.Domain.Common.TenantKey"/>). Every accepted
/// change is stored, then written to the read model and published as a <see cref="WorkOrderChanged"/>, in that order.
/// Refusals throw <see cref="Dispatch.Domain.Common.DomainException"/> with a stable code and change nothing.
/// </summary>
[Alias("Dispatch.IWorkOrderGrain")]
public interface IWorkOrderGrain : IGrainWithStringKey
{
    [Alias("Create")]
    Task<WorkOrder> Create(NewWorkOrder input, Actor actor);

    /// <summary>The work order, or null when none was created under this key.</summary>
    [ReadOnly, Alias("Get")]
    Task<WorkOrder?> Get();

    /// <summary>
    /// Technician progress (Acknowledged, En Route, On Site, Complete, Awaiting Parts with <see cref="StatusChange.Parts"/>,
    /// Ready for Return) and office moves (Closed/Invoiced, Cancelled), through the status machine. A Technician-role actor
    /// may only change work orders assigned to them. Cancelling releases the technicians' time; Complete and Awaiting
    /// Parts end their bookings at the current time; On Site starts the overrun clock.
    /// </summary>
    [Alias("ChangeStatus")]
    Task<WorkOrder> ChangeStatus(StatusChange change, Actor actor);

    [Alias("AddNote")]
    Task<WorkOrder> AddNote(string note, Actor actor);

    /// <summary>
    /// Reserves every technician's time (all or nothing) and sends the dispatch now, or at <see cref="DispatchRequest.DispatchAt"/>
    /// by a durable timer. Conflicts come back as <see cref="DispatchOutcome.Conflicts"/> with every conflicting appointment,
    /// nothing changed; guards throw (ALREADY_DISPATCHED, WORK_ORDER_CLOSED, TECHNICIAN_INACTIVE, NOT_FIELD_TECHNICIAN,
    /// AT_CAPACITY, FORBIDDEN, NOT_FOUND, VALIDATION, INVALID_TRANSITION).
    /// </summary>
    [Alias("Dispatch")]
    Task<DispatchResult> Dispatch(DispatchRequest request, Actor actor);

    /// <summary>
    /// Moves a dispatched (or scheduled) work order to other technicians, another primary or another time under the same
    /// rules as dispatching: the new time is reserved first, then the old released.
    /// </summary>
    [Alias("Reassign")]
    Task<DispatchResult> Reassign(ReassignRequest request, Actor actor);

    /// <summary>Back to the unassigned queue (or a scheduled dispatch withdrawn); releases the technicians' time.</summary>
    [Alias("Unassign")]
    Task<WorkOrder> Unassign(string? reason, Actor actor);

    /// <summary>
    /// Does whatever is due (send a scheduled dispatch, raise an overrun alert) and arms the timer for what is next. Called
    /// by the silo at start-up for orders the read model says are due; harmless at any time.
    /// </summary>
    [Alias("WakeUp")]
    Task WakeUp();

    /// <summary>
    /// A live ETA from the primary technician's location grain, sent only when it moved enough or late risk flipped. Stored
    /// and published as <see cref="WorkOrderChangeKind.EtaUpdated"/>; ignored unless the order is En Route with this
    /// technician as primary. Returns whether the technician should keep reporting ETAs for this order.
    /// </summary>
    [Alias("ReportEta")]
    Task<bool> ReportEta(string technicianId, ArrivalEstimate estimate);

    /// <summary>Writes the current state to the read model again and republishes nothing (for a rebuild of one order).</summary>
    [Alias("Reproject")]
    Task Reproject();
}
