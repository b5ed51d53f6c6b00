using Dispatch.Domain.Common;
using Dispatch.Domain.Geo;
using Dispatch.Domain.Matching;
using Dispatch.Domain.Scheduling;
using Dispatch.Domain.Technicians;
using Dispatch.Domain.WorkOrders;
using Dispatch.Testing;
using static Dispatch.Grains.Tests.Scenario;

namespace Dispatch.Grains.Tests.Dispatching;

/// <summary>The technician picker (red/green) and "Suggest best match", served from the tenant's index.</summary>
[Collection(ClusterCollection.Name)]
public class MatchingTests(ClusterFixture fixture)
{
    private readonly Scenario _s = new(fixture.Grains);

    /// <summary>A point <paramref name="km"/> kilometres north of the yard.</summary>
    private static GeoPoint North(double km) => new(Yard.Latitude + km / 111.195, Yard.Longitude);

    private async Task WaitForIndex(int technicians) =>
        await Eventually.Until(async () => await _s.Index.Count() == technicians, TimeSpan.FromSeconds(10), "the index has every technician");

    [Fact]
    public async Task The_picker_shows_every_technician_green_or_with_their_conflicts()
    {
        await _s.CreateTechnician("free", t => t with { HomeBase = North(5) });
        await _s.CreateTechnician("busy", t => t with { HomeBase = North(2) });
        await _s.CreateTechnician("away", t => t with { HomeBase = North(1) });
        await _s.Dispatched("other", Slot(10, 1), "busy");
        await _s.Technician("away").AddAvailabilityBlock(new AvailabilityBlock("pto", AvailabilityKind.Pto, Slot(0, 24), "Vacation"), _s.Admin);
        await _s.Technician("free").ReportLocation(new TechnicianPosition(North(4), DateTimeOffset.UtcNow), _s.Admin);
        await _s.CreateWorkOrder("wo-1");
        await WaitForIndex(3);
        await Eventually.Until(async () => (await _s.Desk.Picker("wo-1", Slot(10, 2), null, 100, _s.Dispatcher)).Technicians.Any(r => r.TechnicianId == "busy" && !r.Available),
            TimeSpan.FromSeconds(10), "the index knows busy's booking");

        var picker = await _s.Desk.Picker("wo-1", Slot(10, 2), null, 100, _s.Dispatcher);

        Assert.Equal(3, picker.TotalTechnicians);
        // Green first; then the red ones, nearest first.
        Assert.Equal(["free", "away", "busy"], picker.Technicians.Select(r => r.TechnicianId));
        var free = picker.Technicians[0];
        Assert.True(free.Available);
        Assert.Empty(free.Conflicts);
        Assert.Equal(North(4), free.CurrentLocation);
        Assert.Equal(["pump-repair"], free.Skills);
        var busy = picker.Technicians.Single(r => r.TechnicianId == "busy");
        Assert.False(busy.Available);
        Assert.Equal(("other", 1), (Assert.Single(busy.Conflicts).WorkOrderId, busy.ActiveWorkOrders));
        Assert.Equal("other", Assert.Single(busy.DaySchedule).WorkOrderId);
        var away = picker.Technicians.Single(r => r.TechnicianId == "away");
        Assert.Equal(ScheduleConflictKind.AvailabilityBlock, Assert.Single(away.Conflicts).Kind);
    }

    [Fact]
    public async Task Suggestions_rank_by_travel_and_explain_the_exclusions()
    {
        await _s.CreateTechnician("near", t => t with { HomeBase = North(2) });
        await _s.CreateTechnician("mid", t => t with { HomeBase = North(15) });
        await _s.CreateTechnician("far", t => t with { HomeBase = North(60) });
        await _s.CreateTechnician("welder", t => t with { HomeBase = North(1), Skills = ["welding"] });
        await _s.CreateTechnician("lapsed", t => t with { HomeBase = North(1), Certifications = [new Certification("backflow", DateTimeOffset.UtcNow.AddDays(-1))] });
        await _s.CreateTechnician("certified", t => t with { HomeBase = North(30), Certifications = [new Certification("backflow")] });
        await _s.CreateWorkOrder("wo-1");
        await _s.CreateWorkOrder("wo-cert", w => w with { RequiredCertifications = ["backflow"] });
        await WaitForIndex(6);

        var suggestions = await _s.Desk.Suggest("wo-1", new SuggestRequest { Window = Slot(10, 2), Count = 3 }, _s.Dispatcher);

        // The lapsed certificate does not matter for a job that needs none: nearest first.
        Assert.Equal(["lapsed", "near", "mid"], suggestions.Ranked.Select(r => r.TechnicianId));
        Assert.True(suggestions.Ranked.Zip(suggestions.Ranked.Skip(1)).All(p => p.First.Total >= p.Second.Total));
        var best = suggestions.Ranked[0];
        Assert.Equal(TravelOrigin.HomeBase, best.TravelOrigin);
        Assert.InRange(best.Scores.Travel, 0.5, 1);
        Assert.Equal(1, best.Scores.Availability, 1);
        Assert.Contains("away", best.Reason);
        var welder = Assert.Single(suggestions.Excluded, r => r.TechnicianId == "welder");
        Assert.Equal(MatchExclusionKind.MissingSkill, Assert.Single(welder.Exclusions).Kind);

        var certified = await _s.Desk.Suggest("wo-cert", new SuggestRequest { Window = Slot(10, 2), Count = 3 }, _s.Dispatcher);
        Assert.Equal("certified", Assert.Single(certified.Ranked).TechnicianId);
        Assert.Contains(certified.Excluded, r => r.TechnicianId == "lapsed" && r.Exclusions.Single().Kind == MatchExclusionKind.ExpiredCertification);
    }

    [Fact]
    public async Task The_index_stays_current_as_technicians_change()
    {
        await _s.CreateTechnician("near", t => t with { HomeBase = North(2) });
        await _s.CreateTechnician("mid", t => t with { HomeBase = North(10) });
        await _s.CreateWorkOrder("wo-1");
        await WaitForIndex(2);
        async Task<string?> Best() => (await _s.Desk.Suggest("wo-1", new SuggestRequest { Window = Slot(10, 2), Count = 1 }, _s.Dispatcher)).Ranked.SingleOrDefault()?.TechnicianId;
        Assert.Equal("near", await Best());

        // Booked elsewhere in the window: mid takes over; the index learns it from the technician grain.
        await _s.Dispatched("other", Slot(9, 2), "near");
        await Eventually.Until(async () => await Best() == "mid", TimeSpan.FromSeconds(10), "near's booking reaches the index");

        // near is freed and moves right next to the site (a fresh GPS fix): first again.
        await _s.WorkOrder("other").ChangeStatus(new StatusChange(WorkOrderStatus.Cancelled), _s.Dispatcher);
        await _s.Technician("near").ReportLocation(new TechnicianPosition(Yard, DateTimeOffset.UtcNow), _s.Admin);
        await Eventually.Until(async () => await Best() == "near", TimeSpan.FromSeconds(10), "near is free and close");
        var best = (await _s.Desk.Suggest("wo-1", new SuggestRequest { Window = Slot(10, 2), Count = 1 }, _s.Dispatcher)).Ranked.Single();
        Assert.Equal(TravelOrigin.CurrentLocation, best.TravelOrigin);

        // Deactivated: gone from the suggestions, explained among the exclusions.
        await _s.Technician("near").SetActive(false, _s.Admin);
        await Eventually.Until(async () => await Best() == "mid", TimeSpan.FromSeconds(10), "deactivation reaches the index");
        var result = await _s.Desk.Suggest("wo-1", new SuggestRequest { Window = Slot(10, 2), Count = 1 }, _s.Dispatcher);
        Assert.Contains(result.Excluded, r => r.TechnicianId == "near" && r.Exclusions.Any(e => e.Kind == MatchExclusionKind.Inactive));
    }

    [Fact]
    public async Task Suggestions_are_confirmed_against_the_technician_grains()
    {
        await _s.CreateTechnician("near", t => t with { HomeBase = North(2) });
        await _s.CreateTechnician("mid", t => t with { HomeBase = North(10) });
        await _s.CreateWorkOrder("wo-1");
        await WaitForIndex(2);

        // Stale index entry: the index is told near is free although its grain has just been booked.
        await _s.Dispatched("other", Slot(9, 2), "near");
        var stale = await _s.Technician("near").GetSummary();
        await _s.Index.Apply([new Dispatch.Grains.Technicians.TechnicianIndexUpdate(stale! with { Schedule = new TechnicianSchedule(stale.Schedule.WorkingHours) }, long.MaxValue)]);

        var suggestions = await _s.Desk.Suggest("wo-1", new SuggestRequest { Window = Slot(10, 2), Count = 1 }, _s.Dispatcher);

        Assert.Equal("mid", Assert.Single(suggestions.Ranked).TechnicianId);
        Assert.Contains(suggestions.Excluded, r => r.TechnicianId == "near" && r.Conflicts.Any(c => c.WorkOrderId == "other"));
    }

    [Fact]
    public async Task Picker_and_suggestions_are_office_work()
    {
        await _s.CreateWorkOrder("wo-1");
        Assert.Equal(ErrorCodes.Forbidden, (await Assert.ThrowsAsync<DomainException>(() =>
            _s.Desk.Suggest("wo-1", new SuggestRequest { Window = Slot(10, 2) }, _s.TechnicianUser("tom")))).Code);
        Assert.Equal(ErrorCodes.Validation, (await Assert.ThrowsAsync<DomainException>(() =>
            _s.Desk.Suggest("wo-1", new SuggestRequest(), _s.Dispatcher))).Code);
        Assert.Equal(ErrorCodes.NotFound, (await Assert.ThrowsAsync<DomainException>(() =>
            _s.Desk.Picker("nope", Slot(10, 2), null, 10, _s.Dispatcher))).Code);
    }
}
