using Dispatch.Testing;

namespace Dispatch.Server.Tests;

/// <summary>The technician calendar mutations' refusals: each has its code and changes nothing.</summary>
public class TechnicianCalendarApiTests(SharedServer server) : IClassFixture<SharedServer>
{
    private const string Hours = "mutation($input: SetTechnicianWorkingHoursInput!) { setTechnicianWorkingHours(input: $input) { id workingHours { day start end } } }";
    private const string Capacity = "mutation($input: SetTechnicianCapacityInput!) { setTechnicianCapacity(input: $input) { id } }";
    private const string AddBlock = "mutation($input: AddAvailabilityBlockInput!) { addAvailabilityBlock(input: $input) { schedule { technicianId } } }";
    private const string RemoveBlock = "mutation($input: RemoveAvailabilityBlockInput!) { removeAvailabilityBlock(input: $input) { technicianId } }";
    private const string Active = "mutation($input: SetTechnicianActiveInput!) { setTechnicianActive(input: $input) { active } }";
    private const string Update = "mutation($input: UpdateTechnicianInput!) { updateTechnician(input: $input) { name } }";

    private async Task<(HttpClient Office, HttpClient Field, string TechnicianId)> ArrangeAsync()
    {
        var tenant = "t" + Guid.NewGuid().ToString("N")[..10];
        var office = server.Process.AuthorizedClient(await server.TokenAsync("dee", "Dispatcher", tenant));
        var field = server.Process.AuthorizedClient(await server.TokenAsync("tom", "Technician", tenant));
        var id = "tech-" + Guid.NewGuid().ToString("N")[..8];
        await office.DataAsync("mutation($input: CreateTechnicianInput!) { createTechnician(input: $input) { id } }",
            new { input = new { id, name = "Tom Field", userId = "tom", timeZoneId = "America/Chicago" } });
        return (office, field, id);
    }

    [Fact]
    public async Task A_technician_cannot_edit_their_own_calendar_or_profile()
    {
        var (office, field, id) = await ArrangeAsync();
        var shifts = new[] { new { day = "MONDAY", start = "07:00", end = "15:00" } };

        Assert.Equal("FORBIDDEN", (await field.PostAsync(Hours, new { input = new { technicianId = id, shifts } })).ErrorCode());
        Assert.Equal("FORBIDDEN", (await field.PostAsync(Capacity, new { input = new { technicianId = id, maxActiveWorkOrders = 1 } })).ErrorCode());
        Assert.Equal("FORBIDDEN", (await field.PostAsync(Active, new { input = new { technicianId = id, active = false } })).ErrorCode());
        Assert.Equal("FORBIDDEN", (await field.PostAsync(Update, new { input = new { id, name = "Renamed" } })).ErrorCode());

        var technician = (await office.DataAsync("query($id: ID!) { technician(id: $id) { name active } }", new { id })).GetProperty("technician");
        Assert.Equal(("Tom Field", true), (technician.GetProperty("name").GetString(), technician.GetProperty("active").GetBoolean()));
    }

    [Fact]
    public async Task Bad_calendar_input_is_a_validation_error()
    {
        var (office, _, id) = await ArrangeAsync();
        var start = DateTimeOffset.UtcNow.AddDays(1);

        var badTime = await office.PostAsync(Hours, new { input = new { technicianId = id, shifts = new[] { new { day = "MONDAY", start = "25:99", end = "15:00" } } } });
        var backwards = await office.PostAsync(AddBlock, new { input = new { technicianId = id, kind = "PTO", window = new { start, end = start.AddHours(-2) } } });
        var negative = await office.PostAsync(Capacity, new { input = new { technicianId = id, maxActiveWorkOrders = -1 } });

        Assert.Equal("VALIDATION", badTime.ErrorCode());
        Assert.Equal("VALIDATION", backwards.ErrorCode());
        Assert.Equal("VALIDATION", negative.ErrorCode());
    }

    [Fact]
    public async Task Unknown_technicians_are_not_found()
    {
        var (office, _, _) = await ArrangeAsync();
        var ghost = "tech-ghost-" + Guid.NewGuid().ToString("N")[..6];

        Assert.Equal("NOT_FOUND", (await office.PostAsync(Active, new { input = new { technicianId = ghost, active = false } })).ErrorCode());
        Assert.Equal("NOT_FOUND", (await office.PostAsync(RemoveBlock, new { input = new { technicianId = ghost, blockId = "b1" } })).ErrorCode());
    }
}
