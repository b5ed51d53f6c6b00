using Dispatch.Domain.Geo;
using Dispatch.Domain.Matching;
using Dispatch.Domain.Scheduling;
using Dispatch.Domain.Technicians;
using Dispatch.Domain.Tracking;
using Dispatch.Domain.Identity;
using Dispatch.Domain.WorkOrders;
using Dispatch.Grains.Technicians;
using Dispatch.Grains.Tracking;
using Dispatch.Grains.WorkOrders;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace Dispatch.Grains.Tests.Storage;

/// <summary>Grain state through the silo's own grain-storage serializer (Orleans binary, see GrainStateSerializer), as every storage mode stores it.</summary>
[Collection(ClusterCollection.Name)]
public class StateSerializationTests(ClusterFixture fixture)
{
    private IGrainStorageSerializer Serializer => fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<IGrainStorageSerializer>();

    [Fact]
    public void Technician_state_round_trips()
    {
        var now = new DateTimeOffset(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);
        var technician = TechnicianRules.Create("acme", "tom", new NewTechnician
        {
            Name = "Tom",
            IsField = false,
            TimeZoneId = "America/Chicago",
            HomeBase = new GeoPoint(29.76, -95.37),
            Capacity = new TechnicianCapacity(3, TimeSpan.FromHours(8)),
            Certifications = [new Certification("backflow", now.AddDays(30))],
            Skills = ["pump-repair"],
        }, now) with { Active = false };
        var state = new TechnicianGrainState
        {
            Technician = technician,
            Bookings = [new Booking("wo-1", new TimeWindow(now, now.AddHours(2)), new GeoPoint(29.8, -95.4), BookingKind.Supporting)],
            Blocks = [new AvailabilityBlock("pto", AvailabilityKind.Pto, new TimeWindow(now.AddDays(1), now.AddDays(2)), "Vacation")],
            ActiveWorkOrders = ["wo-1"],
            Location = new TechnicianPosition(new GeoPoint(29.7, -95.3), now, 42, 180),
            Version = 7,
        };

        var data = Serializer.Serialize(state);
        var read = Serializer.Deserialize<TechnicianGrainState>(data)!;

        Assert.True(read.Technician is { IsField: false, Active: false }, data.ToString());
        Assert.Equal(technician.Capacity, read.Technician!.Capacity);
        Assert.Equal(technician.WorkingHours, read.Technician.WorkingHours);
        Assert.Equal(technician.Certifications, read.Technician.Certifications);
        Assert.Equal(technician.Skills, read.Technician.Skills);
        Assert.Equal(state.Bookings, read.Bookings);
        Assert.Equal(state.Blocks, read.Blocks);
        Assert.Equal(state.ActiveWorkOrders, read.ActiveWorkOrders);
        Assert.Equal(state.Location, read.Location);
        Assert.Equal(7, read.Version);
    }

    [Fact]
    public void Work_order_state_round_trips()
    {
        var now = new DateTimeOffset(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);
        var dispatcher = new Actor("dee", "Dee", "acme", [Roles.Dispatcher]);
        var order = WorkOrderRules.Create("acme", "wo-1", new NewWorkOrder
        {
            Title = "Seal leak",
            Priority = Priority.Low,
            Customer = new Customer("Gulf Coast Dairy", CustomerTier.Standard),
            Site = new Site("12 Farm Rd", new GeoPoint(29.76, -95.37), "Gate 4521"),
            Asset = new Asset("Grundfos", "CR 5", "SN1"),
            RequiredSkills = ["pump-repair"],
        }, dispatcher, now);
        var plan = DispatchRules.PlanDispatch(order, new DispatchRequest { TechnicianIds = ["tom", "ann"], ArrivalWindow = new TimeWindow(now.AddHours(2), now.AddHours(4)) }, dispatcher, now);
        order = DispatchRules.ApplyDispatch(order, plan,
            [new AssignedTechnician("tom", "Tom", AssignmentRole.Primary, "u-tom"), new AssignedTechnician("ann", "Ann", AssignmentRole.Supporting)], [], dispatcher, now).Order;
        order = order with { Eta = new WorkOrderEta("tom", now.AddMinutes(25), 12_345.5, now.AddSeconds(-3), LateRisk: true, Arrived: false, now, now.AddMinutes(-1)) };
        var state = new WorkOrderGrainState { Order = order, Pending = [new PendingTechnicianEffect("ben", TechnicianEffectKind.Release, now)] };

        var data = Serializer.Serialize(state);
        var read = Serializer.Deserialize<WorkOrderGrainState>(data)!;

        var o = read.Order!;
        Assert.Equal((Priority.Low, CustomerTier.Standard, WorkOrderStatus.Dispatched, order.Version), (o.Priority, o.Customer.Tier, o.Status, o.Version));
        Assert.Equal(order.Site, o.Site);
        Assert.Equal(order.Asset, o.Asset);
        Assert.Equal(order.RequiredSkills, o.RequiredSkills);
        Assert.Equal(order.Visit, o.Visit);
        Assert.Equal(order.Assignment!.Technicians, o.Assignment!.Technicians);
        Assert.Equal(order.AssignmentHistory.Single().To, o.AssignmentHistory.Single().To);
        Assert.Equal(order.Timeline, o.Timeline);
        Assert.Equal(state.Pending, read.Pending);
        Assert.Equal(order.Eta, o.Eta);
    }

    [Fact]
    public void Location_state_round_trips_with_the_destination_of_the_trip()
    {
        var now = new DateTimeOffset(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);
        var state = new TechnicianLocationState
        {
            Current = StoredFix.From(new LocationFix { Position = new GeoPoint(29.7, -95.3), Timestamp = now, SpeedMetersPerSecond = 12, Source = "dev-1" }),
            Activity = TechnicianActivity.EnRoute,
        };
        state.SetDestination(new TravelDestination(new GeoPoint(29.76, -95.37), "wo-1", now.AddMinutes(30)));

        var read = Serializer.Deserialize<TechnicianLocationState>(Serializer.Serialize(state))!;

        Assert.Equal(TechnicianActivity.EnRoute, read.Activity);
        Assert.Equal(new TravelDestination(new GeoPoint(29.76, -95.37), "wo-1", now.AddMinutes(30)), read.GetDestination());
        Assert.Equal(state.Current!.ToFix(), read.Current!.ToFix());
    }
}
