using Dispatch.Domain.Common;
using Dispatch.Domain.Identity;
using Dispatch.Domain.Technicians;
using Dispatch.Domain.WorkOrders;

namespace Dispatch.Server.GraphQL.Access;

/// <summary>
/// The narrowing behind <see cref="AccessPolicy.OwnOnly"/>: what a caller outside the office (a technician) may reach.
/// A technician's own record is the technician profile carrying its user id; its work orders are those it is on.
/// </summary>
public static class Ownership
{
    public static bool IsOwn(Technician technician, Actor actor) =>
        !actor.IsOwnOnly() || (technician.UserId is not null && string.Equals(technician.UserId, actor.UserId, StringComparison.Ordinal));

    public static Technician? EnsureOwn(Technician? technician, Actor actor)
    {
        if (technician is not null && !IsOwn(technician, actor))
        {
            throw new DomainException(ErrorCodes.Forbidden, $"Technicians see their own technician record only; '{technician.Id}' is not yours.",
                new Dictionary<string, string> { ["reason"] = "not-own" });
        }

        return technician;
    }

    public static WorkOrder? EnsureMayRead(WorkOrder? order, Actor actor)
    {
        if (order is not null && !WorkOrderRules.MayRead(order, actor))
        {
            throw new DomainException(ErrorCodes.Forbidden, $"Technicians see the work orders they are on; '{order.Id}' is not assigned to you.",
                new Dictionary<string, string> { ["reason"] = "not-assigned" });
        }

        return order;
    }
}
