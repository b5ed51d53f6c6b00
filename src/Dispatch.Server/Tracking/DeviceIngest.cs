using System.Collections.Concurrent;
using Dispatch.Domain.Common;
using Dispatch.Domain.Tracking;
using Dispatch.Grains.Tracking;

namespace Dispatch.Server.Tracking;

/// <summary>
/// Sends a device's batch where it is taken in one grain call: to the location grain of the technician the device
/// feeds, which has admitted the device (<see cref="DeviceAdmissions"/>). The first request of a device, and any the
/// location grain does not admit (another key, a revoked or moved device, a lapsed admission), go to the device's grain,
/// which decides and admits. Going through the device grain every time cost a second grain call per request, the
/// largest part of S1's gap to a no-op endpoint (docs/benchmarks.md).
/// <para>
/// The route remembered here is only a hint, never a credential: a wrong or stale one is answered
/// <see cref="IngestStatus.NotAdmitted"/> and the device's grain is asked. Grain references are made once per device
/// (Orleans resolves the interface by reflection on every <c>GetGrain</c>; S1 profile) and the map is bounded (cleared
/// past <see cref="MaxEntries"/>, then refilled by the devices still sending).
/// </para>
/// </summary>
public sealed class DeviceIngest(IGrainFactory grains)
{
    private const int MaxEntries = 200_000;
    private readonly ConcurrentDictionary<string, Route> _routes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IOsmAndIdGrain> _osmAnd = new(StringComparer.Ordinal);

    /// <summary>
    /// Ingests a batch for <paramref name="tenant"/>/<paramref name="deviceId"/>; <paramref name="keyHash"/> is null only
    /// for an OsmAnd device identified by its id. Never answers <see cref="IngestStatus.NotAdmitted"/>.
    /// </summary>
    public async Task<IngestResult> IngestAsync(string tenant, string deviceId, string? keyHash, FixInput[] fixes)
    {
        var key = TenantKey.Compose(tenant, deviceId);
        var route = Get(_routes, key, static (g, k) => new Route(g.GetGrain<IDeviceGrain>(k), null));
        if (route.Location is { } location)
        {
            var fast = await location.Grain.IngestFromDevice(deviceId, keyHash, fixes);
            if (fast.Status != IngestStatus.NotAdmitted)
                return fast;
        }

        var result = await route.Device.Ingest(keyHash, fixes);
        if (result.Status == IngestStatus.Ok && result.TechnicianId is { } technicianId && route.Location?.TechnicianId != technicianId)
        {
            _routes[key] = route with
            {
                Location = (technicianId, grains.GetGrain<ITechnicianLocationGrain>(TenantKey.Compose(tenant, technicianId))),
            };
        }

        return result;
    }

    public IOsmAndIdGrain OsmAndId(string id) => Get(_osmAnd, id, static (g, key) => g.GetGrain<IOsmAndIdGrain>(key));

    private T Get<T>(ConcurrentDictionary<string, T> cache, string key, Func<IGrainFactory, string, T> create)
    {
        if (cache.TryGetValue(key, out var value))
            return value;
        if (cache.Count >= MaxEntries)
            cache.Clear();
        return cache.GetOrAdd(key, create(grains, key));
    }

    private sealed record Route(IDeviceGrain Device, (string TechnicianId, ITechnicianLocationGrain Grain)? Location);
}
