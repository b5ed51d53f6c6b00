using Dispatch.Domain.Identity;
using Dispatch.Domain.Tracking;
using Orleans.Concurrency;

namespace Dispatch.Grains.Tracking;

/// <summary>
/// One technician's live location: current position, bounded trail, and the activity that sets the reporting rate.
/// Key: "{tenant}/{technicianId}". A grain of its own, not part of <c>TechnicianGrain</c>: a storm of fixes must never
/// queue behind schedule reservations (which serialize on the technician grain), and reservations must never wait for
/// fixes.
/// </summary>
[Alias("Dispatch.ITechnicianLocationGrain")]
public interface ITechnicianLocationGrain : IGrainWithStringKey
{
    /// <summary>Applies validated fixes from a caller that already authenticated them (the app path below, the lifecycle tests).</summary>
    [Alias("Report")]
    Task<LocationReportResult> Report(LocationFix[] fixes);

    /// <summary>
    /// The device hot path, one grain call per request: a device this grain has admitted (<see cref="DeviceAdmissions"/>)
    /// is authenticated, rate-limited, validated and applied here. <see cref="IngestStatus.NotAdmitted"/> (nothing stored)
    /// when the device's grain must decide: unknown here, lapsed, or another key.
    /// </summary>
    [Alias("IngestFromDevice")]
    Task<IngestResult> IngestFromDevice(string deviceId, string? keyHash, FixInput[] fixes);

    /// <summary>From a device's grain that has just authenticated the device: admits it, then ingests as above.</summary>
    [Alias("AdmitAndIngest")]
    Task<IngestResult> AdmitAndIngest(DeviceAdmission admission, FixInput[] fixes);

    /// <summary>From a device's grain before it stores a revocation: that device's requests go to its grain again.</summary>
    [Alias("Withdraw")]
    Task Withdraw(string deviceId);

    /// <summary>The mobile app's path: the signed-in user must be the technician's user (<c>Technician.UserId</c>).</summary>
    [Alias("ReportAsUser")]
    Task<LocationReportResult> ReportAsUser(string userId, LocationFix[] fixes);

    [ReadOnly, Alias("GetCurrent")]
    Task<LocationUpdate?> GetCurrent();

    [ReadOnly, Alias("GetTrail")]
    Task<LocationFix[]> GetTrail(DateTimeOffset from, DateTimeOffset to, int max);

    [ReadOnly, Alias("GetReportingInterval")]
    Task<int> GetReportingIntervalSeconds();

    /// <summary>
    /// Integration point for the dispatch lifecycle: what the technician is doing and, en route, where to. Drives the
    /// reporting rate (near arrival → fastest) and, when the destination names a work order (the primary technician's),
    /// the work order's live ETA: estimated on fixes and sent to the work order only when it matters.
    /// </summary>
    [Alias("SetActivity")]
    Task SetActivity(TechnicianActivity activity, TravelDestination? destination, Actor actor);
}

/// <summary>
/// A registered device. Key: "{tenant}/{deviceId}". The authority on the device's key: it authenticates a request the
/// technician's location grain has not admitted, admits the device there, and withdraws it there before a revocation.
/// </summary>
[Alias("Dispatch.IDeviceGrain")]
public interface IDeviceGrain : IGrainWithStringKey
{
    /// <summary>Registers (or re-registers a revoked) device with the hash of a freshly generated key.</summary>
    [Alias("Register")]
    Task<DeviceInfo> Register(NewDevice input, string keyHash, Actor actor);

    [Alias("Revoke")]
    Task<DeviceInfo> Revoke(Actor actor);

    [ReadOnly, Alias("Get")]
    Task<DeviceInfo?> Get();

    /// <summary>
    /// Ingests a batch: authenticates, then admits the device at its technician's location grain, which rate-limits,
    /// validates and applies it. <paramref name="keyHash"/> is the SHA-256 of the presented key (the key itself never
    /// reaches a grain); null only for an OsmAnd device identified by its registered id.
    /// </summary>
    [Alias("Ingest")]
    Task<IngestResult> Ingest(string? keyHash, FixInput[] fixes);
}

/// <summary>
/// OsmAnd (Traccar Client) requests carry only an identifier, no tenant: this directory maps the identifier to the
/// device that claimed it. Key: the identifier itself; one grain per identifier, so there is no hot spot.
/// </summary>
[Alias("Dispatch.IOsmAndIdGrain")]
public interface IOsmAndIdGrain : IGrainWithStringKey
{
    [Alias("Claim")]
    Task Claim(string tenant, string deviceId);

    [Alias("Release")]
    Task Release(string tenant, string deviceId);

    [ReadOnly, Alias("Resolve")]
    Task<OsmAndTarget?> Resolve();
}

/// <summary>
/// The technicians of a tenant that ever reported a position. Key: the tenant. Lets a host that just started fill its
/// in-memory position index with last known positions. Touched once per technician (until stored), never per fix.
/// </summary>
[Alias("Dispatch.ITrackedFleetGrain")]
public interface ITrackedFleetGrain : IGrainWithStringKey
{
    /// <summary>
    /// Adds a technician; completes once the roster holding them is stored. Writes are batched (one per persist interval
    /// however many join), so the call may take up to that long; it interleaves, so waiting callers block nobody.
    /// </summary>
    [AlwaysInterleave, Alias("Enroll")]
    Task Enroll(string technicianId);

    [ReadOnly, Alias("List")]
    Task<string[]> List();
}

/// <summary>One per web host: receives every batch once, then filters per client locally.</summary>
[Alias("Dispatch.ILocationFeedObserver")]
public interface ILocationFeedObserver : IGrainObserver
{
    [OneWay, Alias("OnLocations")]
    Task OnLocations(LocationUpdate[] batch);
}

/// <summary>
/// The hosts that want location batches. Small and off the hot path: hosts re-register every few seconds, silos' publishers
/// re-read the list every few seconds, and batches never pass through it.
/// </summary>
[Alias("Dispatch.ILocationFeedRegistryGrain")]
public interface ILocationFeedRegistryGrain : IGrainWithIntegerKey
{
    [Alias("Register")]
    Task Register(SiloAddress host, ILocationFeedObserver observer);

    [Alias("Unregister")]
    Task Unregister(SiloAddress host);

    [ReadOnly, Alias("GetHosts")]
    Task<ILocationFeedObserver[]> GetHosts();
}
