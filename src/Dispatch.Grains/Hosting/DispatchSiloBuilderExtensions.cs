using System.Net;
using System.Net.Sockets;
using Dispatch.Grains.ReadModel;
using Dispatch.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Dispatch.Grains.Hosting;

public static class DispatchSiloBuilderExtensions
{
    /// <summary>Name of the grain storage the stream pub/sub system uses.</summary>
    public const string PubSubStoreName = "PubSubStore";

    /// <summary>ADO.NET invariant for SQLite. Orleans maps it to Microsoft.Data.Sqlite; "Microsoft.Data.Sqlite" itself is not a valid invariant.</summary>
    public const string SqliteInvariant = "System.Data.SQLite";

    /// <summary>ADO.NET invariant for PostgreSQL (Npgsql).</summary>
    public const string PostgresInvariant = "Npgsql";

    /// <summary>
    /// Configures clustering, grain storage (the default provider and <see cref="PubSubStoreName"/>) and reminders for
    /// <see cref="DispatchStorageOptions.Mode"/>:
    /// <list type="bullet">
    /// <item><b>Embedded</b>: localhost clustering on the configured ports; ADO.NET grain storage and reminders on the
    /// SQLite file (<see cref="DispatchStorageOptions.SqliteConnectionString"/>).</item>
    /// <item><b>Postgres</b>: ADO.NET clustering, grain storage and reminders on <see cref="DispatchStorageOptions.ConnectionString"/>;
    /// endpoints from the options.</item>
    /// <item><b>Memory</b>: localhost clustering, in-memory grain storage and reminders. Tests only.</item>
    /// </list>
    /// It also registers the grains' services for the mode (<see cref="DispatchGrainsExtensions.AddDispatchGrains"/>): the
    /// work-order read model (<c>IWorkOrderReadModel</c>) in the same database, the live event feed, the best-match index.
    /// Unless <see cref="DispatchStorageOptions.ApplySchemaOnStartup"/> is off, the schema scripts are applied as the first
    /// step of silo start-up, before any provider reads its queries.
    /// </summary>
    public static ISiloBuilder UseDispatchStorage(this ISiloBuilder silo, DispatchStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(options);

        switch (options.Mode)
        {
            case StorageMode.Embedded:
            {
                silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId);
                AddAdoNetStateAndReminders(silo, SqliteInvariant, options.SqliteConnectionString);
                var queue = SqliteWriteQueue.For(options.SqliteConnectionString);
                QueueWritesOn(silo.Services, Orleans.Providers.ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, queue);
                QueueWritesOn(silo.Services, PubSubStoreName, queue);
                break;
            }

            case StorageMode.Postgres:
            {
                if (string.IsNullOrWhiteSpace(options.ConnectionString))
                {
                    throw new InvalidOperationException(
                        $"Storage mode {StorageMode.Postgres} needs {DispatchStorageOptions.SectionName}:{nameof(DispatchStorageOptions.ConnectionString)} (an Npgsql connection string).");
                }

                var connectionString = options.ConnectionString;
                var advertised = ResolveAdvertisedAddress(options.AdvertisedAddress);
                silo.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = options.ClusterId;
                    o.ServiceId = options.ServiceId;
                });
                silo.ConfigureEndpoints(advertised, options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: !IPAddress.IsLoopback(advertised));
                silo.UseAdoNetClustering(o =>
                {
                    o.Invariant = PostgresInvariant;
                    o.ConnectionString = connectionString;
                });
                AddAdoNetStateAndReminders(silo, PostgresInvariant, connectionString);
                break;
            }

            case StorageMode.Memory:
                silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId);
                silo.AddMemoryGrainStorageAsDefault();
                silo.AddMemoryGrainStorage(PubSubStoreName);
                silo.UseInMemoryReminderService();
                break;

            default:
                throw new ArgumentOutOfRangeException(nameof(options), options.Mode, "Unknown storage mode.");
        }

        silo.AddDispatchGrains(options);

        if (options.ApplySchemaOnStartup && options.Mode != StorageMode.Memory)
        {
            silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp =>
                new SchemaMigrationParticipant(options, sp.GetService<ILoggerFactory>()?.CreateLogger(typeof(SchemaMigrator).FullName!)));
        }

        return silo;
    }

    /// <summary>Grain state (default and the stream pub/sub store) and reminders in one ADO.NET database.</summary>
    private static void AddAdoNetStateAndReminders(ISiloBuilder silo, string invariant, string connectionString)
    {
        void Configure(AdoNetGrainStorageOptions o)
        {
            o.Invariant = invariant;
            o.ConnectionString = connectionString;
        }

        silo.AddAdoNetGrainStorageAsDefault(Configure);
        silo.AddAdoNetGrainStorage(PubSubStoreName, Configure);
        silo.UseAdoNetReminderService(o =>
        {
            o.Invariant = invariant;
            o.ConnectionString = connectionString;
        });
    }

    /// <summary>Wraps Orleans' grain storage registered as <paramref name="name"/> so its writes are group-committed on <paramref name="queue"/>.</summary>
    private static void QueueWritesOn(IServiceCollection services, string name, SqliteWriteQueue queue)
    {
        var registered = services.Single(d => d.ServiceType == typeof(Orleans.Storage.IGrainStorage) && d.IsKeyedService && Equals(d.ServiceKey, name));
        var create = registered.KeyedImplementationFactory
            ?? throw new InvalidOperationException($"Grain storage '{name}' is not registered through a factory.");
        services.Remove(registered);
        services.AddKeyedSingleton<Orleans.Storage.IGrainStorage>(name, (sp, key) => new SqliteGrainStorage(
            (Orleans.Storage.AdoNetGrainStorage)create(sp, key), name, sp.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId, queue,
            // The work-order list in the same file is written in the work order's own savepoint.
            [.. sp.GetServices<IWorkOrderReadModelStore>().OfType<ISqliteStateProjection>().Where(p => p.WritesTo(queue))]));
    }

    /// <summary>The address this silo advertises: an IP literal, else a host name resolved to its first IPv4 (then IPv6) address; loopback when unset.</summary>
    public static IPAddress ResolveAdvertisedAddress(string? advertisedAddress)
    {
        if (string.IsNullOrWhiteSpace(advertisedAddress))
        {
            return IPAddress.Loopback;
        }

        if (IPAddress.TryParse(advertisedAddress, out var address))
        {
            return address;
        }

        var addresses = Dns.GetHostAddresses(advertisedAddress);
        return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
            ?? addresses.FirstOrDefault()
            ?? throw new InvalidOperationException($"Advertised address '{advertisedAddress}' does not resolve to an IP address.");
    }

    /// <summary>Runs the schema migrator at the very start of the silo lifecycle, before any storage provider initializes.</summary>
    private sealed class SchemaMigrationParticipant(DispatchStorageOptions options, ILogger? logger) : ILifecycleParticipant<ISiloLifecycle>
    {
        public void Participate(ISiloLifecycle lifecycle) =>
            lifecycle.Subscribe(nameof(SchemaMigrationParticipant), ServiceLifecycleStage.First, ct => SchemaMigrator.ApplyAsync(options, logger, ct));
    }
}
