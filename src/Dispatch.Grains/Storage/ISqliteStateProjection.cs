namespace Dispatch.Grains.Storage;

/// <summary>
/// Writes the read-model rows a grain state's change owes inside the savepoint that stores the state itself, on the
/// embedded file: the state and its rows are stored together or not at all, and the grain waits for one commit instead
/// of two (a dispatch's list row used to be a write of its own after the work order's, S4 in docs/benchmarks.md).
/// </summary>
/// <remarks>
/// The projection takes what it writes from the state and marks it written there, so the grain writes (through its read
/// model) only what no projection took: with another storage the grain's own path is unchanged.
/// </remarks>
public interface ISqliteStateProjection
{
    /// <summary>Whether this projection's rows live in the file behind <paramref name="queue"/>, so they can share its transactions.</summary>
    bool WritesTo(SqliteWriteQueue queue);

    /// <summary>
    /// Writes what <paramref name="state"/> owes, if it is a state this projection knows; called after the state's own
    /// statement stored it, in its savepoint. Throwing rolls the state back with it.
    /// </summary>
    Task ProjectAsync(object state, SqliteWriteContext context);
}
