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

    /// <summary>
    /// How long an unknown tenant is answered from the cache. 0 (the default): a token for a tenant not in the cached
    /// list makes the registry be read again (concurrent misses share one read), so a tenant just added works at once.
    /// </summary>
    public TimeSpan MissRefreshInterval { get; set; } = TimeSpan.Zero;

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
/// registry (a short list) is cached and read again every <see cref="TenantOptions.RefreshInterval"/>, and when a token
/// names a tenant not in it (so one just added is accepted at once). Removed tenants stop being accepted within the
/// refresh interval. Only correctly signed tokens get this far, so misses cannot be used to flood the database.
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
        var now = clock.GetUtcNow();
        if (now - snapshot.LoadedAt < (known ? options.RefreshInterval : options.MissRefreshInterval))
        {
            return known;
        }

        return (await ReloadAsync(now, cancellationToken)).Tenants.Contains(tenant);
    }

    private async Task<Snapshot> ReloadAsync(DateTimeOffset asked, CancellationToken cancellationToken)
    {
        await _reload.WaitAsync(cancellationToken);
        try
        {
            if (_snapshot.LoadedAt >= asked)
            {
                return _snapshot; // read by another request after this one asked: fresh enough
            }

            var started = clock.GetUtcNow();
            try
            {
                var tenants = await store.ListAsync(cancellationToken);
                _snapshot = new Snapshot(tenants.Select(t => t.Tenant).ToHashSet(StringComparer.Ordinal), started);
            }
            catch (DbException e)
            {
                // Keep answering from the last list (the configured tenants always work); try again on the next miss.
                logger.LogWarning("Could not read the tenant registry ({Error}); answering from the last list.", e.Message);
                _snapshot = _snapshot with { LoadedAt = started };
            }

            return _snapshot;
        }
        finally
        {
            _reload.Release();
        }
    }

    /// <summary>The registry as read when <see cref="LoadedAt"/> (the moment the read began).</summary>
    private sealed record Snapshot(HashSet<string> Tenants, DateTimeOffset LoadedAt);
}
