using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Dispatch.Domain.Geo;
using Dispatch.Simulator.Infrastructure;

namespace Dispatch.Simulator.World;

public sealed record SimTechnician(string Id, string UserId, string Name, GeoPoint Home, Geography.City City, string[] Skills);

public sealed record SimDevice(string Id, SimTechnician Technician, string Credential, bool OsmAnd);

public sealed record SimWorkOrder(string Id, GeoPoint Site, string[] Skills, Geography.City City);

/// <summary>
/// Creates simulated technicians (skills, certifications, shifts, home bases), their devices and work orders through
/// the public GraphQL API, many mutations to one request (aliased fields run one after another, each all or nothing).
/// Ids are deterministic from a prefix, so a re-run resumes: ALREADY_EXISTS counts as done.
/// </summary>
public sealed class Fleet(GraphQLClient client, string prefix, Geography.City[] cities, int seed = 7)
{
    public static readonly string[] SkillNames =
        ["pump-repair", "pump-install", "electrical", "controls", "welding", "hydraulics", "well-service", "diagnostics"];
    private static readonly string[] Certifications = ["OSHA-10", "NICET-II", "CDL-B", "Confined-Space"];
    private static readonly string[] FirstNames = ["Ana", "Ben", "Carlos", "Dana", "Eli", "Fatima", "Gus", "Hana", "Ivan", "Jada", "Kofi", "Lena", "Marco", "Nia", "Omar", "Priya"];
    private static readonly string[] LastNames = ["Alvarez", "Brooks", "Chen", "Delgado", "Evans", "Foster", "Garcia", "Hughes", "Jensen", "Kim", "Lopez", "Nguyen", "Okafor", "Patel"];
    private static readonly string[] Customers = ["Bayou City Water", "Gulf Coast Dairy", "Harris County MUD 12", "Katy Ridge HOA", "Sugar Land Farms", "Westchase Towers", "Baytown Chemicals"];
    private static readonly (string Title, string Type, string[] Skills)[] Jobs =
    [
        ("Booster pump not building pressure", "Repair", ["pump-repair"]),
        ("Install new submersible well pump", "Install", ["pump-install", "well-service"]),
        ("Lift station alarm keeps tripping", "Repair", ["controls"]),
        ("Quarterly preventive maintenance", "Maintenance", ["pump-repair"]),
        ("VFD fault on irrigation pump", "Repair", ["electrical"]),
        ("Replace corroded discharge flange", "Repair", ["welding"]),
        ("Hydraulic pump noise and heat", "Repair", ["hydraulics"]),
    ];

    public string TechnicianId(int n) => $"{prefix}-t{n:000000}";

    public string WorkOrderId(int n) => $"{prefix}-wo{n:0000000}";

    /// <summary>The n-th technician as the seed describes it (the same on every run).</summary>
    public SimTechnician Technician(int n, bool uniformSquare = false)
    {
        var random = new Random(HashCode.Combine(seed, n, 1));
        var city = cities[n % cities.Length];
        var home = uniformSquare ? Geography.InSquare(city, random) : Geography.Around(city, random);
        var skills = new[] { SkillNames[n % SkillNames.Length], SkillNames[(n / 8 + 3) % SkillNames.Length], SkillNames[random.Next(SkillNames.Length)] }
            .Distinct().ToArray();
        var name = $"{FirstNames[random.Next(FirstNames.Length)]} {LastNames[random.Next(LastNames.Length)]} {n}";
        return new SimTechnician(TechnicianId(n), "user-" + TechnicianId(n), name, home, city, skills);
    }

    /// <summary>The n-th work order; <paramref name="near"/> puts the site next to a given point (S4: a technician's patch).</summary>
    public SimWorkOrder WorkOrder(int n, GeoPoint? near = null)
    {
        var random = new Random(HashCode.Combine(seed, n, 2));
        var city = cities[n % cities.Length];
        var site = near is { } p ? Geography.Step(p, random.NextDouble() * 360, random.NextDouble() * 500) : Geography.Around(city, random);
        var job = Jobs[n % Jobs.Length];
        return new SimWorkOrder(WorkOrderId(n), site, job.Skills, city);
    }

    /// <summary>
    /// Creates technicians [from, to) with shifts, and a device for each when <paramref name="devices"/> is set. Shifts:
    /// <c>office</c> = Mon–Fri 07:00–17:00 local with every third on weekends too; <c>always</c> = 24 h every day (load tests
    /// that must not hit "outside working hours").
    /// </summary>
    public async Task<FleetResult> CreateTechniciansAsync(int from, int to, bool devices, string shifts, int batch, int parallel,
        Func<int, bool>? osmAnd = null, bool uniformSquare = false, string? deviceSuffix = null, CancellationToken cancellationToken = default)
    {
        batch = Math.Clamp(client.MaxAliases / (devices ? 3 : 2), 1, Math.Max(1, batch)); // three or two aliased fields per technician
        var technicians = new SimTechnician[to - from];
        var created = new SimDevice?[to - from];
        var counts = new Counts();
        var chunks = Chunks(from, to, batch);
        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = cancellationToken }, async (chunk, ct) =>
        {
            var document = new StringBuilder();
            var declarations = new List<string>();
            var variables = new JsonObject();
            for (var n = chunk.Start; n < chunk.End; n++)
            {
                var t = Technician(n, uniformSquare);
                technicians[n - from] = t;
                var random = new Random(HashCode.Combine(seed, n, 3));
                var certifications = new JsonArray();
                if (n % 3 != 0)
                {
                    certifications.Add(new JsonObject
                    {
                        ["name"] = Certifications[n % Certifications.Length],
                        ["expiresAt"] = DateTimeOffset.UtcNow.Date.AddDays(n % 10 == 0 ? -5 : 200 + random.Next(400)).ToString("O", CultureInfo.InvariantCulture),
                    });
                }

                declarations.Add($"$t{n}: CreateTechnicianInput!, $h{n}: SetTechnicianWorkingHoursInput!");
                document.Append($" t{n}: createTechnician(input: $t{n}) {{ id }} h{n}: setTechnicianWorkingHours(input: $h{n}) {{ id }}");
                variables[$"t{n}"] = new JsonObject
                {
                    ["id"] = t.Id,
                    ["name"] = t.Name,
                    ["userId"] = t.UserId,
                    ["skills"] = new JsonArray([.. t.Skills.Select(s => (JsonNode)s)]),
                    ["certifications"] = certifications,
                    ["homeBase"] = new JsonObject { ["latitude"] = t.Home.Latitude, ["longitude"] = t.Home.Longitude },
                    ["timeZoneId"] = shifts == "always" ? "UTC" : t.City.TimeZone,
                    ["phone"] = $"+1555{n % 10_000_000:0000000}",
                };
                variables[$"h{n}"] = new JsonObject { ["technicianId"] = t.Id, ["shifts"] = Shifts(n, shifts) };
                if (devices)
                {
                    declarations.Add($"$d{n}: RegisterDeviceInput!");
                    document.Append($" d{n}: registerDevice(input: $d{n}) {{ credential device {{ id osmAnd }} }}");
                    variables[$"d{n}"] = new JsonObject
                    {
                        ["id"] = $"{t.Id}-dev{deviceSuffix}",
                        ["technicianId"] = t.Id,
                        ["name"] = "Van tracker",
                        ["osmAnd"] = osmAnd?.Invoke(n) ?? false,
                    };
                }
            }

            var (data, errors) = await client.RunRawAsync($"mutation({string.Join(", ", declarations)}) {{{document} }}", variables, ct);
            counts.Add(errors);
            for (var n = chunk.Start; n < chunk.End; n++)
            {
                if (devices && data.ValueKind == System.Text.Json.JsonValueKind.Object
                    && data.TryGetProperty($"d{n}", out var d) && d.ValueKind == System.Text.Json.JsonValueKind.Object)
                {
                    created[n - from] = new SimDevice(d.GetProperty("device").GetProperty("id").GetString()!, technicians[n - from],
                        d.GetProperty("credential").GetString()!, d.GetProperty("device").GetProperty("osmAnd").GetBoolean());
                }
            }

            counts.Done(chunk.End - chunk.Start);
            Progress.Line($"[seed] technicians {counts.Completed:N0}/{to - from:N0} errors {counts.Failed}");
        });
        Progress.EndLine();
        return new FleetResult(technicians, [.. created.Where(d => d is not null).Select(d => d!)], counts.Failed, counts.AlreadyExisted, counts.FirstErrors());
    }

    /// <summary>Creates work orders [from, to); <paramref name="siteNear"/> can pin each site near a technician (S4).</summary>
    public async Task<WorkOrderResult> CreateWorkOrdersAsync(int from, int to, int batch, int parallel, Func<int, GeoPoint?>? siteNear = null,
        CancellationToken cancellationToken = default)
    {
        batch = Math.Clamp(client.MaxAliases, 1, Math.Max(1, batch));
        var orders = new SimWorkOrder[to - from];
        var counts = new Counts();
        var chunks = Chunks(from, to, batch);
        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = cancellationToken }, async (chunk, ct) =>
        {
            var document = new StringBuilder();
            var declarations = new List<string>();
            var variables = new JsonObject();
            for (var n = chunk.Start; n < chunk.End; n++)
            {
                var order = WorkOrder(n, siteNear?.Invoke(n));
                orders[n - from] = order;
                var random = new Random(HashCode.Combine(seed, n, 4));
                var job = Jobs[n % Jobs.Length];
                declarations.Add($"$w{n}: CreateWorkOrderInput!");
                document.Append($" w{n}: createWorkOrder(input: $w{n}) {{ id }}");
                variables[$"w{n}"] = new JsonObject
                {
                    ["id"] = order.Id,
                    ["title"] = job.Title,
                    ["type"] = job.Type,
                    ["priority"] = (n % 10) switch { 0 => "URGENT", 1 or 2 => "HIGH", 9 => "LOW", _ => "NORMAL" },
                    ["customer"] = new JsonObject { ["name"] = Customers[random.Next(Customers.Length)], ["tier"] = n % 7 == 0 ? "GOLD" : "STANDARD" },
                    ["site"] = new JsonObject
                    {
                        ["address"] = $"{100 + random.Next(9000)} {order.City.Streets[random.Next(order.City.Streets.Length)]}, {order.City.Name}",
                        ["location"] = new JsonObject { ["latitude"] = order.Site.Latitude, ["longitude"] = order.Site.Longitude },
                    },
                    ["requiredSkills"] = new JsonArray([.. order.Skills.Select(s => (JsonNode)s)]),
                    ["estimatedDurationMinutes"] = 60,
                };
            }

            var (_, errors) = await client.RunRawAsync($"mutation({string.Join(", ", declarations)}) {{{document} }}", variables, ct);
            counts.Add(errors);
            counts.Done(chunk.End - chunk.Start);
            Progress.Line($"[seed] work orders {counts.Completed:N0}/{to - from:N0} errors {counts.Failed}");
        });
        Progress.EndLine();
        return new WorkOrderResult(orders, counts.Failed, counts.AlreadyExisted, counts.FirstErrors());
    }

    /// <summary>[from, to) cut into consecutive ranges of at most <paramref name="batch"/>: one GraphQL request each.</summary>
    private static IEnumerable<(int Start, int End)> Chunks(int from, int to, int batch) =>
        Enumerable.Range(0, (to - from + batch - 1) / batch).Select(c => (from + c * batch, Math.Min(to, from + (c + 1) * batch)));

    private static JsonArray Shifts(int n, string kind)
    {
        var days = kind == "always" || n % 3 == 0
            ? Enum.GetValues<DayOfWeek>()
            : [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday];
        var (start, end) = kind == "always" ? ("00:00", "00:00") : n % 4 == 0 ? ("10:00", "19:00") : ("07:00", "17:00");
        return new JsonArray([.. days.Select(d => (JsonNode)new JsonObject { ["day"] = d.ToString().ToUpperInvariant(), ["start"] = start, ["end"] = end })]);
    }

    private sealed class Counts
    {
        private readonly List<string> _first = [];
        private int _failed, _existed, _completed;

        public int Failed => _failed;
        public int AlreadyExisted => _existed;
        public int Completed => _completed;

        public void Add(IReadOnlyList<GraphQLError> errors)
        {
            foreach (var error in errors)
            {
                if (error.Code == "ALREADY_EXISTS")
                {
                    Interlocked.Increment(ref _existed);
                    continue;
                }

                Interlocked.Increment(ref _failed);
                lock (_first)
                {
                    if (_first.Count < 5)
                        _first.Add($"{error.Field}: {error.Code} {error.Message}");
                }
            }
        }

        public void Done(int n) => Interlocked.Add(ref _completed, n);

        public string[] FirstErrors()
        {
            lock (_first)
                return [.. _first];
        }
    }
}

public sealed record FleetResult(SimTechnician[] Technicians, SimDevice[] Devices, int Errors, int AlreadyExisted, string[] FirstErrors);

public sealed record WorkOrderResult(SimWorkOrder[] WorkOrders, int Errors, int AlreadyExisted, string[] FirstErrors);
