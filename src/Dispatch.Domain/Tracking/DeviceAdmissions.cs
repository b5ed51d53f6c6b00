namespace Dispatch.Domain.Tracking;

/// <summary>What a device's grain tells a location grain after authenticating the device: its id and current credential.</summary>
[GenerateSerializer, Immutable, Alias("Dispatch.DeviceAdmission")]
public sealed record DeviceAdmission(
    [property: Id(0)] string DeviceId,
    [property: Id(1)] string KeyHash,
    /// <summary>An OsmAnd device may also send without its key, identified by its registered id.</summary>
    [property: Id(2)] bool OsmAnd)
{
    /// <summary>Whether a request presenting <paramref name="keyHash"/> (null: an OsmAnd request by id alone) is this device's.</summary>
    public bool Accepts(string? keyHash) => keyHash is null ? OsmAnd : DeviceKeys.HashesEqual(keyHash, KeyHash);
}

/// <summary>
/// The devices a technician's location grain takes fixes from without asking each device's grain first: one grain call
/// per request instead of two (S1 in docs/benchmarks.md). Each entry holds the hash of the device's current key and the
/// device's rate-limit bucket.
/// <para>
/// The device's grain stays the authority. It admits a device here only after authenticating it, and withdraws it before
/// it stores any change to the device (a revocation), so a stored revocation never leaves an admission behind. An
/// admission also lapses after its lifetime: the device's grain is asked again then, which bounds how long an
/// admission could outlive a withdrawal that never arrived (a duplicate activation during a cluster change). Anything
/// not admitted here, including a wrong key, goes to the device's grain, which decides.
/// </para>
/// </summary>
public sealed class DeviceAdmissions(TimeSpan lifetime)
{
    private readonly Dictionary<string, Entry> _devices = new(StringComparer.Ordinal);

    public int Count => _devices.Count;

    /// <summary>
    /// Admits (or re-admits) a device its grain just authenticated; returns its bucket. A re-admission with the same key
    /// keeps the bucket, so the periodic check with the device's grain does not forgive a burst.
    /// </summary>
    public TokenBucket Admit(DeviceAdmission admission, DateTimeOffset now, Func<TokenBucket> newBucket)
    {
        var bucket = _devices.TryGetValue(admission.DeviceId, out var entry) && entry.Admission.KeyHash == admission.KeyHash
            ? entry.Bucket
            : newBucket();
        _devices[admission.DeviceId] = new Entry(admission, now + lifetime, bucket);
        return bucket;
    }

    /// <summary>
    /// The device's bucket when it is admitted and <paramref name="keyHash"/> is its key (or null for an OsmAnd device
    /// sending by id); null when the device's grain must decide.
    /// </summary>
    public TokenBucket? Find(string deviceId, string? keyHash, DateTimeOffset now)
    {
        if (!_devices.TryGetValue(deviceId, out var entry))
            return null;
        if (now >= entry.ExpiresAt)
        {
            _devices.Remove(deviceId);
            return null;
        }

        return entry.Admission.Accepts(keyHash) ? entry.Bucket : null;
    }

    /// <summary>Forgets a device (it is being revoked); true when it was admitted.</summary>
    public bool Withdraw(string deviceId) => _devices.Remove(deviceId);

    private sealed record Entry(DeviceAdmission Admission, DateTimeOffset ExpiresAt, TokenBucket Bucket);
}
