using System.Collections.Immutable;
using Dispatch.Domain.Common;
using Dispatch.Domain.Scheduling;
using Dispatch.Domain.WorkOrders;
using static Dispatch.Grains.Tests.Scenario;

namespace Dispatch.Grains.Tests.Dispatching;

/// <summary>Dispatchers racing for the same technicians: the technician grain is the serialization point.</summary>
[Collection(ClusterCollection.Name)]
public class RaceTests(ClusterFixture fixture)
{
    private readonly Scenario _s = new(fixture.Grains);
    private static readonly string[] Technicians = [.. Enumerable.Range(0, 10).Select(i => $"tech-{i}")];

    private static void AssertNoOverlap(string technicianId, ImmutableArray<Booking> bookings)
    {
        for (var i = 0; i < bookings.Length; i++)
            for (var j = i + 1; j < bookings.Length; j++)
                Assert.False(bookings[i].Window.Overlaps(bookings[j].Window),
                    $"{technicianId} is double-booked: {bookings[i].WorkOrderId} {bookings[i].Window} and {bookings[j].WorkOrderId} {bookings[j].Window}");
    }

    [Fact]
    public async Task Two_hundred_concurrent_dispatches_on_overlapping_slots_never_double_book()
    {
        var random = new Random(20260302);
        foreach (var id in Technicians) await _s.CreateTechnician(id);
        var attempts = Enumerable.Range(0, 200).Select(i =>
        {
            var start = 8 + random.Next(0, 8) * 0.5;
            var first = Technicians[random.Next(Technicians.Length)];
            // A quarter of the jobs need two technicians: all or nothing under contention.
            var technicians = random.Next(4) == 0 ? new[] { first, Technicians.Where(t => t != first).ElementAt(random.Next(9)) } : [first];
            return (Id: $"wo-{i:D3}", Window: Slot(start, 1 + random.Next(0, 3) * 0.5), Technicians: technicians);
        }).ToList();
        await Task.WhenAll(attempts.Select(a => _s.CreateWorkOrder(a.Id)));

        var results = await Task.WhenAll(attempts.Select(async a =>
            (Attempt: a, Result: await _s.WorkOrder(a.Id).Dispatch(Request(a.Window, a.Technicians), _s.Dispatcher with { UserId = "d-" + a.Id }))));

        var winners = results.Where(r => r.Result.Outcome == DispatchOutcome.Dispatched).ToList();
        var losers = results.Where(r => r.Result.Outcome == DispatchOutcome.Conflicts).ToList();
        Assert.Equal(200, winners.Count + losers.Count);
        Assert.NotEmpty(winners);
        Assert.NotEmpty(losers);

        var bookings = new Dictionary<string, ImmutableArray<Booking>>();
        foreach (var technician in Technicians)
        {
            bookings[technician] = await _s.Bookings(technician);
            AssertNoOverlap(technician, bookings[technician]);
        }

        foreach (var (attempt, _) in winners)
        {
            var order = (await _s.WorkOrder(attempt.Id).Get())!;
            Assert.Equal(WorkOrderStatus.Dispatched, order.Status);
            Assert.Equal(attempt.Technicians.Order(), order.Assignment!.GetTechnicianIds().Order());
            foreach (var technician in attempt.Technicians)
                Assert.Contains(bookings[technician], b => b.WorkOrderId == attempt.Id && b.Window == attempt.Window);
        }

        foreach (var (attempt, result) in losers)
        {
            var order = (await _s.WorkOrder(attempt.Id).Get())!;
            Assert.Equal((WorkOrderStatus.Created, 1L, null), (order.Status, order.Version, order.Assignment));
            Assert.NotEmpty(result.Conflicts);
            Assert.DoesNotContain(bookings.Values.SelectMany(b => b), b => b.WorkOrderId == attempt.Id);
        }

        Assert.Equal(winners.Sum(w => w.Attempt.Technicians.Length), bookings.Values.Sum(b => b.Length));
    }

    [Fact]
    public async Task Fifty_concurrent_reassignments_keep_history_complete_and_schedules_consistent()
    {
        var random = new Random(7);
        foreach (var id in Technicians) await _s.CreateTechnician(id);
        // Five orders in the same slot, each starting with its own technician: reassignments compete for the other five.
        var orders = Enumerable.Range(0, 5).Select(i => $"wo-{i}").ToList();
        for (var i = 0; i < orders.Count; i++) await _s.Dispatched(orders[i], Slot(10, 2), Technicians[i]);

        var calls = Enumerable.Range(0, 50).Select(i =>
        {
            var order = orders[i % orders.Count];
            var first = Technicians[random.Next(Technicians.Length)];
            var technicians = random.Next(3) == 0 ? new[] { first, Technicians.Where(t => t != first).ElementAt(random.Next(9)) } : [first];
            return (Order: order, Technicians: technicians, Actor: _s.Dispatcher with { UserId = $"d-{i:D2}" }, Reason: $"reason {i}");
        }).ToList();

        var outcomes = await Task.WhenAll(calls.Select(async c =>
        {
            try
            {
                var result = await _s.WorkOrder(c.Order).Reassign(new ReassignRequest { TechnicianIds = [.. c.Technicians], Reason = c.Reason }, c.Actor);
                return (Call: c, Outcome: (DispatchOutcome?)result.Outcome, Error: (string?)null);
            }
            catch (DomainException ex)
            {
                // Reassigning to exactly who holds it already changes nothing.
                Assert.Equal(ErrorCodes.Validation, ex.Code);
                return (Call: c, Outcome: null, Error: ex.Code);
            }
        }));
        Assert.Contains(outcomes, o => o.Outcome == DispatchOutcome.Reassigned);

        var schedules = new Dictionary<string, ImmutableArray<Booking>>();
        foreach (var technician in Technicians)
        {
            schedules[technician] = await _s.Bookings(technician);
            AssertNoOverlap(technician, schedules[technician]);
        }

        foreach (var id in orders)
        {
            var order = (await _s.WorkOrder(id).Get())!;
            var succeeded = outcomes.Where(o => o.Call.Order == id && o.Outcome == DispatchOutcome.Reassigned).ToList();
            var history = order.AssignmentHistory;

            // The original assignment, then one entry per successful reassignment, each by its caller with its reason.
            Assert.Equal(AssignmentChangeKind.Assigned, history[0].Kind);
            Assert.Equal(succeeded.Count, history.Count - 1);
            Assert.All(history.Skip(1), h => Assert.Equal(AssignmentChangeKind.Reassigned, h.Kind));
            Assert.Equal(succeeded.Select(o => (o.Call.Actor.UserId, o.Call.Reason)).Order(), history.Skip(1).Select(h => (h.ActorId, h.Reason!)).Order());
            // A chain: each change starts from where the previous one ended.
            for (var i = 1; i < history.Count; i++)
            {
                Assert.Equal(history[i - 1].To.Select(t => t.TechnicianId).Order(), history[i].From.Select(t => t.TechnicianId).Order());
                Assert.True(history[i].At >= history[i - 1].At);
            }

            // The current assignment is exactly the technicians whose calendars hold the order.
            var holders = schedules.Where(s => s.Value.Any(b => b.WorkOrderId == id)).Select(s => s.Key).Order();
            Assert.Equal(order.Assignment!.GetTechnicianIds().Order(), holders);
            Assert.Equal(history[^1].To.Select(t => t.TechnicianId).Order(), holders);
            Assert.All(order.Assignment.Technicians, t => Assert.Equal(t.Role == AssignmentRole.Primary ? BookingKind.Primary : BookingKind.Supporting,
                schedules[t.TechnicianId].Single(b => b.WorkOrderId == id).Kind));
        }

        foreach (var technician in Technicians)
        {
            var active = (await _s.Technician(technician).GetSchedule()).ActiveWorkOrderIds;
            Assert.Equal(schedules[technician].Select(b => b.WorkOrderId).Order(), active.Order());
        }
    }
}
