using System.Collections.Immutable;

namespace Dispatch.Domain.Scheduling;

/// <summary>
/// The outcome of trying to book a technician: the schedule to keep (the new one if reserved, else the
/// original), and every conflict found, which is also reported when a dispatcher overrode them so the audit
/// trail can say what was overridden.
/// </summary>
[GenerateSerializer, Immutable, Alias("Dispatch.ReservationResult")]
public sealed record ReservationResult(
    [property: Id(0)] bool Reserved,
    [property: Id(1)] TechnicianSchedule Schedule,
    [property: Id(2)] ImmutableArray<ScheduleConflict> Conflicts);
