namespace Dispatch.Grains.ReadModel;

/// <summary>
/// A grain state whose next write owes the work-order list a row. Storage that can write the row in the state's own
/// transaction does so and clears <see cref="ListRowToWrite"/> (see <see cref="Storage.ISqliteStateProjection"/>); whatever
/// is left after the write, the grain writes through <see cref="IWorkOrderReadModelStore"/> itself.
/// </summary>
public interface IOwesWorkOrderListRow
{
    /// <summary>The row owed, or null when nothing is (or storage has written it). Never stored with the state.</summary>
    WorkOrderListItem? ListRowToWrite { get; set; }
}
