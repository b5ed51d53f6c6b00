using System.Collections.Immutable;
using BenchmarkDotNet.Attributes;
using Dispatch.Domain.Scheduling;

namespace Dispatch.Benchmarks;

/// <summary>One conflict check (and check-and-book) against calendars of growing length.</summary>
[MemoryDiagnoser]
public class ConflictCheckBenchmarks
{
    private readonly ScheduleConflictChecker _checker = new();
    private TechnicianSchedule _schedule = null!;
    private Booking _proposal = null!;

    [Params(10, 100, 1000)]
    public int Bookings { get; set; }

    [GlobalSetup]
    public void Setup() => (_schedule, _proposal) = SyntheticFleet.BusyCalendar(Bookings);

    [Benchmark]
    public ImmutableArray<ScheduleConflict> Check() => _checker.Check(_schedule, _proposal, activeWorkOrders: 3);

    [Benchmark]
    public ReservationResult TryReserve() => _checker.TryReserve(_schedule, _proposal, activeWorkOrders: 3);
}
