using System.Text.Json;

namespace Dispatch.Cluster.Tests;

/// <summary>What must hold after any failure: the cluster's state against the workload's ledger.</summary>
public static class WorkloadChecks
{
    /// <summary>
    /// Every work order is exactly as last acknowledged (or, when a later request's outcome is unknown, no older); each
    /// scheduled dispatch was sent once; every device's position is its newest acknowledged fix (or a later attempted one).
    /// </summary>
    public static async Task AssertNothingLostAsync(this Workload load, int reader, IReadOnlyCollection<string>? scheduled = null)
    {
        foreach (var ledger in load.Orders.Values)
        {
            var order = await load.ReadOrderAsync(reader, ledger.Id);
            var version = order.GetProperty("version").GetInt64();
            if (scheduled?.Contains(ledger.Id) == true)
            {
                Assert.Equal(("DISPATCHED", ledger.Version + 1), (order.GetProperty("status").GetString(), version));
            }
            else if (ledger.Uncertain)
            {
                Assert.True(version >= ledger.Version, $"{ledger.Id}: version {version} is older than the acknowledged {ledger.Version}");
            }
            else
            {
                var actual = new OrderLedger(ledger.Id);
                actual.Acknowledge(order);
                // En route, the devices' fixes give the order live ETA updates (ETA_UPDATED): each bumps the version and
                // changes nothing else. So an en-route order may be newer than its last acknowledged write, if it has an ETA.
                var expectedVersion = ledger.Status == "EN_ROUTE" && actual.Version > ledger.Version
                    && order.GetProperty("eta").ValueKind == System.Text.Json.JsonValueKind.Object
                    ? actual.Version
                    : ledger.Version;
                Assert.Equal((ledger.Id, expectedVersion, ledger.Status, ledger.Technician, ledger.BookedStart),
                    (ledger.Id, actual.Version, actual.Status, actual.Technician, actual.BookedStart));
            }
        }

        foreach (var device in load.Devices.Values)
        {
            var position = (await load.DataAsync(reader, "query($id: ID!) { technicianPosition(technicianId: $id) { timestamp } }", new { id = device.TechnicianId }))
                .GetProperty("technicianPosition").GetProperty("timestamp").GetDateTimeOffset();
            Assert.InRange(position.ToUnixTimeMilliseconds(), device.LastAcknowledged.ToUnixTimeMilliseconds(), device.LastAttempted.ToUnixTimeMilliseconds());
        }
    }

    /// <summary>No two bookings of one technician overlap, and every order acknowledged as assigned is on its technician's calendar.</summary>
    public static async Task AssertNoDoubleBookingAsync(this Workload load, int reader)
    {
        var calendars = (await load.DataAsync(reader, """
            query($ids: [ID!]!, $from: DateTimeOffset!, $to: DateTimeOffset!) {
              schedule(technicianIds: $ids, from: $from, to: $to) { technicianId bookings { workOrderId window { start end } } } }
            """, new { ids = load.Technicians, from = Workload.Slot(-1, 0).Start, to = Workload.Slot(20, 0).Start })).GetProperty("schedule");
        var booked = new HashSet<(string Technician, string Order)>();
        foreach (var calendar in calendars.EnumerateArray())
        {
            var technician = calendar.GetProperty("technicianId").GetString()!;
            var bookings = calendar.GetProperty("bookings").EnumerateArray().Select(Booking).OrderBy(b => b.Start).ToArray();
            for (var i = 1; i < bookings.Length; i++)
                Assert.True(bookings[i].Start >= bookings[i - 1].End, $"{technician} is double-booked: {bookings[i - 1]} and {bookings[i]}");
            booked.UnionWith(bookings.Select(b => (technician, b.Order)));
        }

        var assigned = load.Orders.Values.Where(o => !o.Uncertain && o.Technician is not null).ToArray();
        Assert.NotEmpty(assigned);
        foreach (var ledger in assigned)
            Assert.Contains((ledger.Technician!, ledger.Id), booked);
    }

    private static (string Order, DateTimeOffset Start, DateTimeOffset End) Booking(JsonElement booking) =>
        (booking.GetProperty("workOrderId").GetString()!, booking.GetProperty("window").GetProperty("start").GetDateTimeOffset(),
            booking.GetProperty("window").GetProperty("end").GetDateTimeOffset());
}
