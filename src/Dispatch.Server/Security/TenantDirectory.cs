using System.Data.Common;
using Dispatch.Domain.Common;
using Dispatch.Grains.Tenants;

namespace Dispatch.Server.Security;

/// <summary>Which tenants are served (section <c>Dispatch:Tenants</c>).</summary>
public sealed class TenantOptions
{
    public const string SectionName = "Dispatch:Tenants";

    /// <summary>The <c>default</c> tenant is known without registration (a fresh install works at once).</summary>
    public bool RegisterDefault { get; set; } = true;

    /// <summary>More tenants known from configuration, without a registry row.</summary>
    public List<string> Known { get; set; } = [];

    /// <summary>How long a known tenant is answered from the cache before the registry is read again.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often at most an unknown tenant makes the registry be read again (a tenant just added appears this fast).</summary>
    public TimeSpan MissRefreshInterval { get; set; } = TimeSpan.FromSeconds(1);

    public IReadOnlySet<string> Configured()
    {
        var tenants = new HashSet<string>(Known.Where(TenantKey.IsValidPart), StringComparer.Ordinal);
        if (RegisterDefault)
        {
            tenants.Add(TenantKey.DefaultTenant);
        }

        return tenants;
    }
}

/// <summary>
/// Answers "is this tenant served here?" for every authenticated request without a database call each time: the whole
/// registry (a short list) is cached and read again at most every <see cref="TenantOptions.RefreshInterval"/>, or after
/// <see cref="TenantOptions.MissRefreshInterval"/> when a tenant is not in it (so one just added is accepted promptly).
/// Removed tenants stop being accepted within the refresh interval.
/// </summary>
public sealed class TenantDirectory(ITenantStore store, TenantOptions options, TimeProvider clock, ILogger<TenantDirectory> logger)
{
    private readonly IReadOnlySet<string> _configured = options.Configured();
    private readonly SemaphoreSlim _reload = new(1, 1);
    private volatile Snapshot _snapshot = new(new HashSet<string>(StringComparer.Ordinal), DateTimeOffset.MinValue);

    public IReadOnlySet<string> Configured => _configured;

    public async ValueTask<bool> IsKnownAsync(string tenant, CancellationToken cancellationToken = default)
    {
        if (_configured.Contains(tenant))
        {
            return true;
        }

        if (!TenantKey.IsValidPart(tenant))
        {
            return false;
        }

        var snapshot = _snapshot;
        var known = snapshot.Tenants.Contains(tenant);
        var age = clock.GetUtcNow() - snapshot.LoadedAt;
        if (age < (known ? options.RefreshInterval : options.MissRefreshInterval))
        {
            return known;
        }

        return (await ReloadAsync(snapshot, cancellationToken)).Tenants.Contains(tenant);
    }

    private async Task<Snapshot> ReloadAsync(Snapshot seen, CancellationToken cancellationToken)
    {
        await _reload.WaitAsync(cancellationToken);
        try
        {
            if (!ReferenceEquals(_snapshot, seen))
            {
                return _snapshot; // another request reloaded while this one waited
            }

            try
            {
                var tenants = await store.ListAsync(cancellationToken);
                _snapshot = new Snapshot(tenants.Select(t => t.Tenant).ToHashSet(StringComparer.Ordinal), clock.GetUtcNow());
            }
            catch (DbException e)
            {
                // Keep answering from the last list (the configured tenants always work); try again after the interval.
                logger.LogWarning("Could not read the tenant registry ({Error}); answering from the last list.", e.Message);
                _snapshot = seen with { LoadedAt = clock.GetUtcNow() };
            }

            return _snapshot;
        }
        finally
        {
            _reload.Release();
        }
    }

    private sealed record Snapshot(HashSet<string> Tenants, DateTimeOffset LoadedAt);
}
