namespace Dispatch.Domain.Tracking;

/// <summary>What a dispatcher enters to register a device.</summary>
[GenerateSerializer, Immutable, Alias("Dispatch.NewDevice")]
public sealed record NewDevice
{
    [Id(0)] public required string TechnicianId { get; init; }
    [Id(1)] public string? Name { get; init; }

    /// <summary>Accept the OsmAnd protocol (Traccar Client) with the device id as its identifier.</summary>
    [Id(2)] public bool OsmAnd { get; init; }
}

/// <summary>A registered device as its grain holds it. The key itself is never stored, only its hash.</summary>
[GenerateSerializer, Immutable, Alias("Dispatch.Device")]
public sealed record Device
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string Tenant { get; init; }
    [Id(2)] public required string TechnicianId { get; init; }
    [Id(3)] public string? Name { get; init; }
    [Id(4)] public bool OsmAnd { get; init; }
    [Id(5)] public required string KeyHash { get; init; }
    [Id(6)] public DateTimeOffset RegisteredAt { get; init; }
    [Id(7)] public string? RegisteredBy { get; init; }
    [Id(8)] public DateTimeOffset? RevokedAt { get; init; }
    [Id(9)] public string? RevokedBy { get; init; }

    public bool Revoked => RevokedAt is not null;
}

/// <summary>A device without its key hash: what the API shows.</summary>
[GenerateSerializer, Immutable, Alias("Dispatch.DeviceInfo")]
public sealed record DeviceInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string TechnicianId,
    [property: Id(2)] string? Name,
    [property: Id(3)] bool OsmAnd,
    [property: Id(4)] DateTimeOffset RegisteredAt,
    [property: Id(5)] DateTimeOffset? RevokedAt)
{
    public static DeviceInfo From(Device device) =>
        new(device.Id, device.TechnicianId, device.Name, device.OsmAnd, device.RegisteredAt, device.RevokedAt);
}

public static class DeviceRules
{
    public const int MaxNameLength = 200;

    public static Device Register(string tenant, string id, NewDevice input, string keyHash, string registeredBy, DateTimeOffset now)
    {
        if (!Common.TenantKey.IsValidPart(input.TechnicianId))
            throw Common.DomainException.Validation("technicianId", $"'{input.TechnicianId}' is not a valid technician id.");
        if (input.Name is { Length: > MaxNameLength })
            throw Common.DomainException.Validation("name", $"A device name has at most {MaxNameLength} characters.");
        return new Device
        {
            Id = id,
            Tenant = tenant,
            TechnicianId = input.TechnicianId,
            Name = string.IsNullOrWhiteSpace(input.Name) ? null : input.Name.Trim(),
            OsmAnd = input.OsmAnd,
            KeyHash = keyHash,
            RegisteredAt = now,
            RegisteredBy = registeredBy,
        };
    }

    public static Device Revoke(Device device, string revokedBy, DateTimeOffset now) =>
        device.Revoked ? device : device with { RevokedAt = now, RevokedBy = revokedBy };
}
