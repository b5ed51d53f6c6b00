using Dispatch.Domain.Common;

namespace Dispatch.Grains.Tracking;

[GenerateSerializer, Alias("Dispatch.OsmAndIdState")]
public sealed class OsmAndIdState
{
    [Id(0)] public string? Tenant { get; set; }
    [Id(1)] public string? DeviceId { get; set; }
}

/// <inheritdoc cref="IOsmAndIdGrain"/>
public sealed class OsmAndIdGrain([PersistentState("osmand")] IPersistentState<OsmAndIdState> state) : Grain, IOsmAndIdGrain
{
    public async Task Claim(string tenant, string deviceId)
    {
        if (state.State.Tenant is { } holder && (holder != tenant || state.State.DeviceId != deviceId))
            throw new DomainException(ErrorCodes.AlreadyExists,
                $"The OsmAnd identifier '{this.GetPrimaryKeyString()}' is already used by another device; choose another device id.");
        if (state.State.Tenant == tenant && state.State.DeviceId == deviceId)
            return;
        state.State.Tenant = tenant;
        state.State.DeviceId = deviceId;
        await state.WriteStateAsync();
    }

    public async Task Release(string tenant, string deviceId)
    {
        if (state.State.Tenant != tenant || state.State.DeviceId != deviceId)
            return;
        state.State.Tenant = null;
        state.State.DeviceId = null;
        await state.WriteStateAsync();
    }

    public Task<OsmAndTarget?> Resolve() =>
        Task.FromResult(state.State is { Tenant: { } tenant, DeviceId: { } device } ? new OsmAndTarget(tenant, device) : null);
}
