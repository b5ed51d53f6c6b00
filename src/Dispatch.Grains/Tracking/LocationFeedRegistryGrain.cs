namespace Dispatch.Grains.Tracking;

/// <inheritdoc cref="ILocationFeedRegistryGrain"/>
/// <remarks>
/// Not persisted: hosts re-register every few seconds, so a new activation (after its silo left) is complete again within
/// one refresh. Hosts whose silo is no longer active in the membership are left out and forgotten once declared dead.
/// </remarks>
public sealed class LocationFeedRegistryGrain(IClusterMembershipService membership) : Grain, ILocationFeedRegistryGrain
{
    private readonly Dictionary<SiloAddress, ILocationFeedObserver> _hosts = [];
    private (MembershipVersion Version, ILocationFeedObserver[] Hosts)? _cache;

    public Task Register(SiloAddress host, ILocationFeedObserver observer)
    {
        if (!_hosts.TryGetValue(host, out var known) || !known.Equals(observer))
        {
            _hosts[host] = observer;
            _cache = null;
        }
        return Task.CompletedTask;
    }

    public Task Unregister(SiloAddress host)
    {
        if (_hosts.Remove(host))
            _cache = null;
        return Task.CompletedTask;
    }

    public Task<ILocationFeedObserver[]> GetHosts()
    {
        var snapshot = membership.CurrentSnapshot;
        if (_cache is { } cache && cache.Version == snapshot.Version)
            return Task.FromResult(cache.Hosts);

        var active = new List<ILocationFeedObserver>(_hosts.Count);
        foreach (var (host, observer) in _hosts.ToArray())
        {
            switch (snapshot.GetSiloStatus(host))
            {
                case SiloStatus.Active:
                    active.Add(observer);
                    break;
                case SiloStatus.Dead:
                    _hosts.Remove(host);
                    break;
            }
        }

        var hosts = active.ToArray();
        _cache = (snapshot.Version, hosts);
        return Task.FromResult(hosts);
    }
}
