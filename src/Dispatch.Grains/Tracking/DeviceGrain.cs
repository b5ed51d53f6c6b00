using Dispatch.Domain.Common;
using Dispatch.Domain.Identity;
using Dispatch.Domain.Tracking;
using Dispatch.Grains.Technicians;

namespace Dispatch.Grains.Tracking;

[GenerateSerializer, Alias("Dispatch.DeviceGrainState")]
public sealed class DeviceGrainState
{
    [Id(0)] public Device? Device { get; set; }
}

/// <inheritdoc cref="IDeviceGrain"/>
public sealed class DeviceGrain(
    [PersistentState("device")] IPersistentState<DeviceGrainState> state,
    TimeProvider clock) : Grain, IDeviceGrain
{
    // The location grain's reference, made once (GetGrain resolves the interface by reflection on every call; S1 profile).
    private (string TechnicianId, ITechnicianLocationGrain Grain)? _location;

    private (string Tenant, string Id) Key => TenantKey.Parse(this.GetPrimaryKeyString());

    public async Task<DeviceInfo> Register(NewDevice input, string keyHash, Actor actor)
    {
        var (tenant, id) = Key;
        GrainGuards.EnsureSameTenant(tenant, actor);
        EnsureMayManageDevices(actor);
        if (state.State.Device is { Revoked: false })
            throw new DomainException(ErrorCodes.AlreadyExists, $"Device '{id}' is already registered; revoke it first to issue a new key.");

        var device = DeviceRules.Register(tenant, id, input, keyHash, actor.UserId, clock.GetUtcNow());
        if (await GrainFactory.GetGrain<ITechnicianGrain>(TenantKey.Compose(tenant, device.TechnicianId)).Get() is null)
            throw DomainException.NotFound("Technician", device.TechnicianId);

        var osmAnd = GrainFactory.GetGrain<IOsmAndIdGrain>(id);
        if (device.OsmAnd)
            await osmAnd.Claim(tenant, id); // refuses an identifier another tenant's device holds
        else if (state.State.Device is { OsmAnd: true })
            await osmAnd.Release(tenant, id);

        var previous = state.State.Device;
        state.State.Device = device;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State.Device = previous;
            DeactivateOnIdle();
            throw;
        }

        return DeviceInfo.From(device);
    }

    public async Task<DeviceInfo> Revoke(Actor actor)
    {
        var (tenant, id) = Key;
        GrainGuards.EnsureSameTenant(tenant, actor);
        EnsureMayManageDevices(actor);
        var device = state.State.Device ?? throw DomainException.NotFound("Device", id);
        var revoked = DeviceRules.Revoke(device, actor.UserId, clock.GetUtcNow());
        if (!ReferenceEquals(revoked, device))
        {
            // Withdrawn before the revocation is stored, so a stored revocation never leaves the device admitted (if the
            // write then fails, the device's next request is simply admitted again through this grain).
            await Location(device).Withdraw(id);
            state.State.Device = revoked;
            try
            {
                await state.WriteStateAsync();
            }
            catch
            {
                state.State.Device = device;
                DeactivateOnIdle();
                throw;
            }
        }

        if (revoked.OsmAnd)
            await GrainFactory.GetGrain<IOsmAndIdGrain>(id).Release(tenant, id);
        return DeviceInfo.From(revoked);
    }

    public Task<DeviceInfo?> Get() => Task.FromResult(state.State.Device is { } d ? DeviceInfo.From(d) : null);

    public async Task<IngestResult> Ingest(string? keyHash, FixInput[] fixes)
    {
        if (state.State.Device is not { Revoked: false } device)
            return IngestResult.Refused(IngestStatus.Unauthorized);
        var admission = new DeviceAdmission(device.Id, device.KeyHash, device.OsmAnd);
        if (!admission.Accepts(keyHash))
            return IngestResult.Refused(IngestStatus.Unauthorized);

        // Admitted there, the device's next requests go to the location grain alone (the server learns where from the
        // answer's TechnicianId); batch size, rate limit, validation and the fixes themselves are that grain's.
        return await Location(device).AdmitAndIngest(admission, fixes);
    }

    private ITechnicianLocationGrain Location(Device device)
    {
        if (_location is not { } cached || cached.TechnicianId != device.TechnicianId)
            _location = cached = (device.TechnicianId, GrainFactory.GetGrain<ITechnicianLocationGrain>(TenantKey.Compose(device.Tenant, device.TechnicianId)));
        return cached.Grain;
    }

    private static void EnsureMayManageDevices(Actor actor)
    {
        // Devices hold credentials: managing them is admin work (docs/security.md), like users and settings.
        if (!actor.IsInRole(Roles.Admin))
            throw new DomainException(ErrorCodes.Forbidden, "Only admins manage devices.");
    }
}
