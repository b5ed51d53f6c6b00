using Dispatch.Domain.Scheduling;
using Dispatch.Grains.Events;
using Dispatch.Grains.ReadModel;
using Dispatch.Grains.Storage;
using Dispatch.Grains.Telemetry;
using Dispatch.Grains.Technicians;
using Dispatch.Grains.Tracking;
using Dispatch.Grains.WorkOrders;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Newtonsoft.Json;
using Orleans.Serialization;
using Orleans.Storage;

namespace Dispatch.Grains.Hosting;

public static class DispatchGrainsExtensions
{
    /// <summary>
    /// The services the grains need besides storage: the work-order read model for <paramref name="storage"/>'s mode
    /// (SQLite table, PostgreSQL table, or in memory; registered as <see cref="IWorkOrderReadModel"/> and
    /// <see cref="IWorkOrderReadModelStore"/>), the live event feed (<see cref="IWorkOrderEventFeed"/>) and its per-silo
    /// publisher, the technician-index publisher, the grain-state scanner and read-model rebuilder, and the start-up
    /// wake-up sweep. Called by <see cref="DispatchSiloBuilderExtensions.UseDispatchStorage"/>; call it directly when
    /// storage is configured otherwise (tests).
    /// </summary>
    /// <param name="readModel">A read model to use instead of the mode's own (several in-process test silos share one).</param>
    public static ISiloBuilder AddDispatchGrains(this ISiloBuilder silo, DispatchStorageOptions storage, IWorkOrderReadModelStore? readModel = null)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(storage);
        var services = silo.Services;

        // Grain state is stored in Orleans' binary format (GrainStateSerializer: a quarter of a dispatch's CPU went to
        // Newtonsoft); state stored before in Orleans' default JSON is still read, with the settings below.
        services.AddSingleton<IGrainStorageSerializer>(sp => new GrainStateSerializer(
            sp.GetRequiredService<Serializer>(), new JsonGrainStorageSerializer(sp.GetRequiredService<OrleansJsonSerializer>())));

        // Two fixes to Orleans' JSON grain-storage settings for immutable records with initializers. It leaves out members
        // equal to their type's default, and a member left out is read back as its initializer: a technician made inactive
        // (false) came back active (true); so write them all. And it "reuses" an object a property already holds instead of
        // creating the stored one, which for an immutable record means the initializer wins: a technician's capacity came
        // back unlimited; so replace.
        services.Configure<OrleansJsonSerializerOptions>(o =>
        {
            o.JsonSerializerSettings.DefaultValueHandling = DefaultValueHandling.Include;
            o.JsonSerializerSettings.ObjectCreationHandling = ObjectCreationHandling.Replace;
        });

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(new ScheduleConflictChecker());

        if (readModel is not null)
        {
            services.AddSingleton(readModel);
        }
        else
        {
            services.AddSingleton<IWorkOrderReadModelStore>(_ => storage.Mode switch
            {
                StorageMode.Embedded => SqlWorkOrderReadModel.Sqlite(storage.SqliteConnectionString, storage.ServiceId),
                StorageMode.Postgres => SqlWorkOrderReadModel.Postgres(storage.ConnectionString
                    ?? throw new InvalidOperationException("Postgres mode needs a connection string."), storage.ServiceId),
                _ => new InMemoryWorkOrderReadModel(),
            });
        }

        services.AddSingleton<IWorkOrderReadModel>(sp => sp.GetRequiredService<IWorkOrderReadModelStore>());
        services.AddSingleton<IGrainStateScanner>(sp => storage.Mode == StorageMode.Memory
            ? new NoGrainStateScanner()
            : new AdoNetGrainStateScanner(storage, sp.GetRequiredService<IGrainStorageSerializer>()));
        services.AddSingleton<WorkOrderReadModelRebuilder>();

        services.AddSingleton<WorkOrderEventPublisher>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<WorkOrderEventPublisher>());
        // Every silo hosts technician location grains (the dispatch lifecycle sets their activity), so every silo has the
        // publisher they hand positions to; it finds no host to send to on a silo without the tracking API.
        services.AddSingleton<LocationPublisher>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<LocationPublisher>());
        services.AddSingleton<WorkOrderEventFeed>();
        services.AddSingleton<IWorkOrderEventFeed>(sp => sp.GetRequiredService<WorkOrderEventFeed>());
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<WorkOrderEventFeed>());
        services.AddSingleton<TechnicianIndexPublisher>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<TechnicianIndexPublisher>());
        silo.AddIncomingGrainCallFilter<DispatchTelemetryFilter>();
        services.AddSingleton<WakeUpSweeper>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<WakeUpSweeper>());
        services.AddSingleton<TechnicianIndexWarmUp>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<TechnicianIndexWarmUp>());
        return silo;
    }
}
