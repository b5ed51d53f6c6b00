using Dispatch.Grains.Hosting;
using Dispatch.Grains.Tenants;

namespace Dispatch.Server.Security;

public static class TenantSetup
{
    public static IServiceCollection AddDispatchTenants(this IServiceCollection services, IConfiguration configuration, DispatchStorageOptions storage)
    {
        services.AddSingleton(configuration.GetSection(TenantOptions.SectionName).Get<TenantOptions>() ?? new TenantOptions());
        services.AddSingleton(TenantStores.For(storage));
        services.AddSingleton<TenantDirectory>();
        return services;
    }
}
