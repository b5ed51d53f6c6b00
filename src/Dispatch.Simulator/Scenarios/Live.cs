using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Dispatch.Domain.Geo;
using Dispatch.Simulator.Infrastructure;
using Dispatch.Simulator.World;
using Microsoft.AspNetCore.SignalR.Client;

namespace Dispatch.Simulator.Scenarios;

/// <summary>
/// A live operation against a server: vans driving to jobs and posting fixes (a third each over the JSON batch API,
/// OsmAnd and the SignalR hub), technicians moving their work through Acknowledged → En Route → On Site → Complete,
/// a dispatcher creating, dispatching and now and then reassigning orders, dashboards subscribed to the map and the
/// board. Time runs <c>--speedup</c> times faster than the wall clock for driving and job lengths.
/// </summary>
public static class Live
{
    public static async Task<object> RunAsync(Arguments options, CancellationToken cancellationToken)
    {
        var conditions = new Conditions();
        await using var target = await Target.OpenAsync(options);
        return await DriveAsync(target, options, conditions, cancellationToken);
    }

    /// <summary>One command for a live city: a local server (kept in --data, default ./data-demo) and a live run until Ctrl+C.</summary>
    public static async Task<object> DemoAsync(Arguments options, CancellationToken cancellationToken)
    {
        var data = Path.GetFullPath(options.Text("data", "data-demo"));
        await using var server = await LocalServer.StartAsync(data, Target.LocalServerArguments);
        var token = server.Token("demo-dispatcher", "Dispatcher");
        var ws = new UriBuilder(server.Url) { Scheme = "ws", Path = "/graphql" }.Uri;
        Progress.Note($$"""

            Live city running at {{server.Url}} (data in {{data}}).
            A dashboard token (Dispatcher): {{token}}
            Watch it: open a graphql-transport-ws client on {{ws}} with
              subscription { technicianLocations(boundingBox: {minLatitude: 29.3, minLongitude: -95.8, maxLatitude: 30.2, maxLongitude: -94.9}) { technicianId position { latitude longitude } } }
            or subscribe to boardUpdated; the SignalR hub /hubs/tracking (WatchBoundingBox) works too. Ctrl+C stops.

            """);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        var args = new Arguments(["--seconds", options.Text("seconds", "0"), "--technicians", options.Text("technicians", "100"), "--prefix", "demo",
            "--speedup", options.Text("speedup", "10")]);
        return await DriveAsync(await Target.ForLocalAsync(server, token), args, new Conditions(), stop.Token);
    }

    private enum Stage { Idle, Dispatched, EnRoute, OnSite }

    private sealed class Van
    {
        public required SimDevice Device;
        public required GeoPoint Position;
        public double Heading;
        public Stage Stage;
        public string? Order;
        public GeoPoint Destination;
        public double StageUntil;
        public long FixAt = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds();
        public readonly List<(GeoPoint P, long At, double Speed)> Pending = [];
        public HubConnection? Hub;
    }

    private static async Task<object> DriveAsync(Target target, Arguments options, Conditions conditions, CancellationToken cancellationToken)
    {
        var technicians = options.Int("technicians", 200);
        var seconds = options.Double("seconds", 60);
        var speedup = options.Double("speedup", 10);
        var dashboards = options.Int("dashboards", 3);
        var city = Geography.Resolve(options.List("cities", "Houston"), options.Double("radius", 0.3));
        var prefix = options.Text("prefix", $"live-{Guid.NewGuid().ToString("N")[..6]}");
        var graph = target.GraphQL(16);
        var fleet = new Fleet(graph, prefix, city);
        var suffix = Guid.NewGuid().ToString("N")[..4];
        var seeded = await fleet.CreateTechniciansAsync(0, technicians, devices: true, shifts: "always", batch: 30, parallel: 4,
            osmAnd: n => n % 3 == 1, deviceSuffix: suffix);
        var vans = seeded.Devices.Select(d => new Van { Device = d, Position = d.Technician.Home, Heading = d.Technician.Home.Latitude * 1000 % 360 }).ToArray();

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 32 }) { BaseAddress = target.Url };
        long fixes = 0, errors = 0, created = 0, dispatched = 0, reassigned = 0, completed = 0, mapUpdates = 0, boardEvents = 0;
        var firstErrors = new List<string>();
        void Fail(string what)
        {
            Interlocked.Increment(ref errors);
            lock (firstErrors)
            {
                if (firstErrors.Count < 5)
                    firstErrors.Add(what);
            }
        }

        foreach (var van in vans.Where(v => !v.Device.OsmAnd && Array.IndexOf(vans, v) % 3 == 2))
        {
            van.Hub = new HubConnectionBuilder().WithUrl(new Uri(target.Url, "/hubs/tracking"), o => o.AccessTokenProvider = () => Task.FromResult<string?>("device:" + van.Device.Credential)).Build();
            await van.Hub.StartAsync(cancellationToken);
        }

        var box = new
        {
            minLatitude = city.Min(c => c.Centre.Latitude) - 1, minLongitude = city.Min(c => c.Centre.Longitude) - 1,
            maxLatitude = city.Max(c => c.Centre.Latitude) + 1, maxLongitude = city.Max(c => c.Centre.Longitude) + 1,
        };
        var subscriptions = new List<GraphQLSubscription>();
        for (var i = 0; i < dashboards; i++)
        {
            subscriptions.Add(await GraphQLSubscription.OpenAsync(target.Url, target.DispatcherToken,
                "subscription($box: BoundingBoxInput) { technicianLocations(boundingBox: $box) { technicianId position { latitude longitude } } }",
                new { box }, data => Interlocked.Add(ref mapUpdates, data.GetProperty("technicianLocations").GetArrayLength())));
        }

        subscriptions.Add(await GraphQLSubscription.OpenAsync(target.Url, target.DispatcherToken, "subscription { boardUpdated { kind workOrderId } }", null,
            _ => Interlocked.Increment(ref boardEvents)));

        // Technicians change their own orders when this run can mint their tokens (a local server); otherwise the dispatcher does.
        var technicianGraph = new Dictionary<string, GraphQLClient>();
        GraphQLClient As(Van van)
        {
            if (target.Local is not { } local)
                return graph;
            if (!technicianGraph.TryGetValue(van.Device.Technician.Id, out var client))
                technicianGraph[van.Device.Technician.Id] = client = GraphQLClient.Create(target.Url, local.Token(van.Device.Technician.UserId, "Technician"), 2);
            return client;
        }

        async Task Status(Van van, string status)
        {
            try
            {
                await As(van).RunAsync("mutation($input: UpdateWorkOrderStatusInput!) { updateWorkOrderStatus(input: $input) { id status } }",
                    new { input = new { id = van.Order, status } });
                if (status == "COMPLETE")
                    Interlocked.Increment(ref completed);
            }
            catch (Exception e)
            {
                Fail($"{status}: {e.Message}");
            }
        }

        var random = new Random(5);
        var orderNumber = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var tick = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var simulated = 0.0;
        while ((seconds <= 0 || clock.Elapsed.TotalSeconds < seconds) && !cancellationToken.IsCancellationRequested)
        {
            try
            {
                await tick.WaitForNextTickAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            simulated += speedup;
            var work = new List<Task>();

            // The dispatcher: a few new orders a second, each dispatched to an idle technician nearby; now and then a reassignment.
            var idle = vans.Where(v => v.Stage == Stage.Idle).ToList();
            for (var i = 0; i < Math.Max(1, technicians / 50) && idle.Count > 0; i++)
            {
                var van = idle[random.Next(idle.Count)];
                idle.Remove(van);
                var n = Interlocked.Increment(ref orderNumber);
                var id = $"{prefix}-{suffix}-o{n}";
                var site = Geography.Step(van.Position, random.NextDouble() * 360, 2000 + random.NextDouble() * 8000);
                van.Stage = Stage.Dispatched;
                van.Order = id;
                van.Destination = site;
                van.StageUntil = simulated + 60;
                work.Add(Task.Run(async () =>
                {
                    try
                    {
                        await graph.RunAsync("mutation($input: CreateWorkOrderInput!) { createWorkOrder(input: $input) { id } }", new
                        {
                            input = new
                            {
                                id, title = "Pump pressure low", type = "Repair",
                                customer = new { name = "Bayou City Water" },
                                site = new { address = $"{100 + n} Main St", location = new { latitude = site.Latitude, longitude = site.Longitude } },
                                estimatedDurationMinutes = 45,
                            },
                        });
                        Interlocked.Increment(ref created);
                        var now = DateTimeOffset.UtcNow;
                        var result = await graph.RunAsync("mutation($input: DispatchWorkOrderInput!) { dispatchWorkOrder(input: $input) { outcome } }",
                            new { input = new { id, technicianIds = new[] { van.Device.Technician.Id }, arrivalWindow = new { start = now, end = now.AddHours(2) } } });
                        if (result.GetProperty("dispatchWorkOrder").GetProperty("outcome").GetString() == "DISPATCHED")
                            Interlocked.Increment(ref dispatched);
                        else
                            van.Stage = Stage.Idle;
                    }
                    catch (Exception e)
                    {
                        Fail("create/dispatch: " + e.Message);
                        van.Stage = Stage.Idle;
                    }
                }));
            }

            if (random.NextDouble() < 0.1 && idle.Count > 0 && vans.FirstOrDefault(v => v.Stage == Stage.Dispatched && v.StageUntil > simulated) is { } from)
            {
                // A sick call: the order moves to another idle technician before anyone set off.
                var to = idle[random.Next(idle.Count)];
                (to.Order, to.Destination, to.Stage, to.StageUntil) = (from.Order, from.Destination, Stage.Dispatched, simulated + 30);
                (from.Order, from.Stage) = (null, Stage.Idle);
                work.Add(Task.Run(async () =>
                {
                    try
                    {
                        await graph.RunAsync("mutation($input: ReassignWorkOrderInput!) { reassignWorkOrder(input: $input) { outcome } }",
                            new { input = new { id = to.Order, technicianIds = new[] { to.Device.Technician.Id }, reason = "Sick call" } });
                        Interlocked.Increment(ref reassigned);
                    }
                    catch (Exception e)
                    {
                        Fail("reassign: " + e.Message);
                    }
                }));
            }

            foreach (var van in vans)
            {
                switch (van.Stage)
                {
                    case Stage.Dispatched when simulated >= van.StageUntil:
                        van.Stage = Stage.EnRoute;
                        work.Add(Task.Run(async () =>
                        {
                            await Status(van, "ACKNOWLEDGED");
                            await Status(van, "EN_ROUTE");
                        }));
                        break;
                    case Stage.EnRoute:
                        van.Heading = Geography.HeadingTo(van.Position, van.Destination);
                        var remaining = van.Position.DistanceKmTo(van.Destination) * 1000;
                        var step = Math.Min(remaining, 13 * speedup);
                        van.Position = Geography.Step(van.Position, van.Heading, step);
                        if (remaining - step < 30)
                        {
                            van.Stage = Stage.OnSite;
                            van.StageUntil = simulated + 1800;
                            work.Add(Status(van, "ON_SITE"));
                        }

                        break;
                    case Stage.OnSite when simulated >= van.StageUntil:
                        van.Stage = Stage.Idle;
                        work.Add(Status(van, "COMPLETE"));
                        break;
                    case Stage.Idle:
                        van.Position = Geography.Step(van.Position, van.Heading = (van.Heading + random.Next(-20, 21) + 360) % 360, 2 * speedup);
                        break;
                }

                van.Pending.Add((van.Position, ++van.FixAt + (long)(clock.Elapsed.TotalMilliseconds), van.Stage == Stage.EnRoute ? 13 : 0.5));
                var protocol = Array.IndexOf(vans, van) % 3;
                if (protocol == 0 && van.Pending.Count < 5)
                    continue; // the JSON batch devices send every five fixes
                var batch = van.Pending.ToArray();
                van.Pending.Clear();
                work.Add(SendAsync(van, protocol, batch));
            }

            await Task.WhenAll(work);
            Progress.Line($"[live] {clock.Elapsed.TotalSeconds,5:0}s fixes {fixes:N0} orders {created}/{dispatched} dispatched, {reassigned} reassigned, {completed} complete; map updates {mapUpdates:N0}, board events {boardEvents:N0}, errors {errors}");
        }

        Progress.EndLine();
        foreach (var s in subscriptions)
            await s.DisposeAsync();
        foreach (var van in vans.Where(v => v.Hub is not null))
            await van.Hub!.DisposeAsync();
        return new
        {
            command = "live",
            technicians = vans.Length,
            seconds = Math.Round(clock.Elapsed.TotalSeconds, 1),
            fixes, created, dispatched, reassigned, completed, mapUpdates, boardEvents, errors, firstErrors,
            conditions = conditions.Finish(target),
        };

        async Task SendAsync(Van van, int protocol, (GeoPoint P, long At, double Speed)[] batch)
        {
            try
            {
                switch (protocol)
                {
                    case 0:
                        var body = new StringBuilder("{\"fixes\":[");
                        body.AppendJoin(',', batch.Select(f => string.Create(CultureInfo.InvariantCulture,
                            $"{{\"lat\":{f.P.Latitude:0.000000},\"lon\":{f.P.Longitude:0.000000},\"timestamp\":{f.At},\"speed\":{f.Speed},\"accuracy\":8}}")));
                        body.Append("]}");
                        using (var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/locations") { Content = new StringContent(body.ToString(), Encoding.UTF8, "application/json") })
                        {
                            request.Headers.Authorization = new AuthenticationHeaderValue("Device", van.Device.Credential);
                            using var response = await http.SendAsync(request);
                            if (!response.IsSuccessStatusCode)
                                throw new HttpRequestException($"batch {(int)response.StatusCode}");
                        }

                        break;
                    case 1:
                        foreach (var f in batch)
                        {
                            // Traccar Client's form: speed in knots, timestamp in Unix seconds (ms when larger).
                            var url = string.Create(CultureInfo.InvariantCulture,
                                $"/osmand?id={van.Device.Id}&lat={f.P.Latitude:0.000000}&lon={f.P.Longitude:0.000000}&timestamp={f.At}&speed={f.Speed / 0.514444:0.0}&accuracy=8&batt=77");
                            using var response = await http.PostAsync(url, null);
                            if (!response.IsSuccessStatusCode)
                                throw new HttpRequestException($"osmand {(int)response.StatusCode}");
                        }

                        break;
                    default:
                        await van.Hub!.InvokeAsync<object>("SendFixes", batch.Select(f => new
                        {
                            lat = f.P.Latitude, lon = f.P.Longitude, timestamp = DateTimeOffset.FromUnixTimeMilliseconds(f.At), speed = f.Speed, accuracy = 8.0,
                        }).ToArray());
                        break;
                }

                Interlocked.Add(ref fixes, batch.Length);
            }
            catch (Exception e)
            {
                Fail(e.Message);
            }
        }
    }
}
