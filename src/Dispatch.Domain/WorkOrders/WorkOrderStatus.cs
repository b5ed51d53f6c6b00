namespace Dispatch.Domain.WorkOrders;

/// <summary>The statuses of the product documents, in the order work usually moves through them.</summary>
public enum WorkOrderStatus
{
    Created = 0,
    Dispatched = 1,
    Acknowledged = 2,
    EnRoute = 3,
    OnSite = 4,
    Complete = 5,
    AwaitingParts = 6,
    ReadyForReturn = 7,
    ClosedInvoiced = 8,
    Cancelled = 9,
}

/// <summary>Which command may cause a transition: some statuses are only reached as part of a larger change.</summary>
public enum TransitionVia
{
    /// <summary>A plain status update (the technician's app, a dispatcher on the technician's behalf).</summary>
    StatusUpdate,
    /// <summary>The dispatch command, which also reserves the technicians' schedules.</summary>
    Dispatch,
    /// <summary>Taking a dispatched order back to the unassigned queue, which releases the schedules.</summary>
    Unassign,
}
