using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Dispatch.Grains.Tracking;

public static class TrackingSiloBuilderExtensions
{
    /// <summary>
    /// Live tracking on this silo: options from <c>Dispatch:Tracking</c>, the host's position index, subscriber registry
    /// and location feed (registered with the fan-out registry once the silo is active).
    /// </summary>
    public static ISiloBuilder AddDispatchTracking(this ISiloBuilder silo)
    {
        var services = silo.Services;
        services.AddOptions<TrackingOptions>().BindConfiguration(TrackingOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<LivePositions>();
        services.TryAddSingleton<LocationSubscribers>();
        services.TryAddSingleton<LocationFeed>();
        services.AddSingleton<LocationFeedRegistration>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<LocationFeedRegistration>());
        return silo;
    }
}
