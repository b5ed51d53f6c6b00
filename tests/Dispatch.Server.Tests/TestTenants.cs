using System.Collections.Concurrent;
using Dispatch.Domain.Common;
using Dispatch.Grains.Hosting;
using Dispatch.Grains.Storage;
using Dispatch.Grains.Tenants;

namespace Dispatch.Server.Tests;

/// <summary>
/// Registers tenants in an embedded server's registry the way the <c>tenant add</c> verb does (same table, same code),
/// in-process, so suites that use a fresh tenant per test stay fast. Tokens for unregistered tenants are refused.
/// </summary>
public static class TestTenants
{
    private static readonly ConcurrentDictionary<(string, string), Lazy<Task>> Registered = new();

    public static Task RegisterAsync(string dataDirectory, string tenant)
    {
        if (tenant == TenantKey.DefaultTenant)
        {
            return Task.CompletedTask;
        }

        return Registered.GetOrAdd((Path.GetFullPath(dataDirectory), tenant), key => new Lazy<Task>(async () =>
        {
            var storage = new DispatchStorageOptions { Mode = StorageMode.Embedded, DataDirectory = key.Item1 };
            await SchemaMigrator.ApplyAsync(storage, logger: null, CancellationToken.None);
            await TenantStores.For(storage).AddAsync(tenant, tenant, DateTimeOffset.UtcNow);
        })).Value;
    }
}
