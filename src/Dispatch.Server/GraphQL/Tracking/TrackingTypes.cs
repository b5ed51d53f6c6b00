using Dispatch.Domain.Common;
using Dispatch.Domain.Geo;
using Dispatch.Domain.Tracking;
using Dispatch.Grains.Tracking;
using Dispatch.Server.GraphQL.Types;
using GraphQL.Types;

namespace Dispatch.Server.GraphQL.Tracking;

public sealed class TechnicianLocationType : ObjectGraphType<LocationUpdate>
{
    public TechnicianLocationType()
    {
        Name = "TechnicianLocation";
        Description = "A technician's newest position.";
        Field<NonNullGraphType<IdGraphType>, string>("technicianId").Resolve(c => c.Source.TechnicianId);
        Field<NonNullGraphType<GeoPointType>, GeoPoint>("position").Resolve(c => c.Source.Fix.Position);
        Field<NonNullGraphType<DateTimeOffsetGraphType>, DateTimeOffset>("timestamp").Description("When the device took the fix.").Resolve(c => c.Source.Fix.Timestamp);
        Field<FloatGraphType, double?>("speed").Description("Metres per second.").Resolve(c => c.Source.Fix.SpeedMetersPerSecond);
        Field<FloatGraphType, double?>("heading").Description("Degrees clockwise from north.").Resolve(c => c.Source.Fix.HeadingDegrees);
        Field<FloatGraphType, double?>("accuracy").Description("Metres (radius of 68 % confidence).").Resolve(c => c.Source.Fix.AccuracyMeters);
        Field<FloatGraphType, double?>("altitude").Description("Metres above sea level.").Resolve(c => c.Source.Fix.AltitudeMeters);
        Field<FloatGraphType, double?>("battery").Description("Device battery, percent.").Resolve(c => c.Source.Fix.BatteryPercent);
    }
}

public sealed class LocationPointType : ObjectGraphType<LocationFix>
{
    public LocationPointType()
    {
        Name = "LocationPoint";
        Description = "One fix of a technician's trail.";
        Field<NonNullGraphType<GeoPointType>, GeoPoint>("position").Resolve(c => c.Source.Position);
        Field<NonNullGraphType<DateTimeOffsetGraphType>, DateTimeOffset>("timestamp").Resolve(c => c.Source.Timestamp);
        Field<FloatGraphType, double?>("speed").Description("Metres per second.").Resolve(c => c.Source.SpeedMetersPerSecond);
        Field<FloatGraphType, double?>("heading").Resolve(c => c.Source.HeadingDegrees);
        Field<FloatGraphType, double?>("accuracy").Resolve(c => c.Source.AccuracyMeters);
        Field<NonNullGraphType<StringGraphType>, string>("source").Description("The device id, or app:{userId} for the mobile app.").Resolve(c => c.Source.Source);
    }
}

public sealed class DeviceType : ObjectGraphType<DeviceInfo>
{
    public DeviceType()
    {
        Name = "Device";
        Description = "A registered tracking device bound to one technician.";
        Field<NonNullGraphType<IdGraphType>, string>("id").Resolve(c => c.Source.Id);
        Field<NonNullGraphType<IdGraphType>, string>("technicianId").Resolve(c => c.Source.TechnicianId);
        Field(x => x.Name, nullable: true);
        Field(x => x.OsmAnd).Description("Accepts the OsmAnd protocol (Traccar Client) with the device id as identifier.");
        Field(x => x.RegisteredAt);
        Field(x => x.RevokedAt, nullable: true);
    }
}

/// <summary>The answer to <c>registerDevice</c>: the only time the key is shown.</summary>
public sealed record RegisteredDevice(DeviceInfo Device, string Key, string Credential);

public sealed class RegisteredDeviceType : ObjectGraphType<RegisteredDevice>
{
    public RegisteredDeviceType()
    {
        Name = "RegisteredDevice";
        Field<NonNullGraphType<DeviceType>, DeviceInfo>("device").Resolve(c => c.Source.Device);
        Field<NonNullGraphType<StringGraphType>, string>("key").Description("The device key. Shown once: only its hash is kept.").Resolve(c => c.Source.Key);
        Field<NonNullGraphType<StringGraphType>, string>("credential")
            .Description("What the device sends: Authorization: Device {credential} (see docs/devices.md).").Resolve(c => c.Source.Credential);
    }
}

public sealed class FixRejectionType : ObjectGraphType<FixRejection>
{
    public FixRejectionType()
    {
        Name = "FixRejection";
        Field(x => x.Index).Description("Position of the fix in the request.");
        Field(x => x.Code);
        Field(x => x.Message);
    }
}

/// <summary>The answer to <c>reportLocation</c>.</summary>
public sealed record LocationReport(int Accepted, int Duplicates, IReadOnlyList<FixRejection> Rejections, int ReportingIntervalSeconds);

public sealed class LocationReportType : ObjectGraphType<LocationReport>
{
    public LocationReportType()
    {
        Name = "LocationReport";
        Field(x => x.Accepted).Description("Fixes taken (including duplicates, so a retry answers the same).");
        Field(x => x.Duplicates);
        Field<NonNullGraphType<IntGraphType>, int>("rejected").Resolve(c => c.Source.Rejections.Count);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<FixRejectionType>>>, IEnumerable<FixRejection>>("rejections").Resolve(c => c.Source.Rejections);
        Field(x => x.ReportingIntervalSeconds).Description("How often to report from now on.");
    }
}

public sealed class BoundingBoxInput
{
    public double MinLatitude { get; set; }
    public double MinLongitude { get; set; }
    public double MaxLatitude { get; set; }
    public double MaxLongitude { get; set; }

    public BoundingBox ToBoundingBox(string field)
    {
        try
        {
            return new BoundingBox(MinLatitude, MinLongitude, MaxLatitude, MaxLongitude);
        }
        catch (ArgumentException e)
        {
            throw DomainException.Validation(field, e.Message.Split(" (Parameter")[0]);
        }
    }
}

public sealed class BoundingBoxInputType : InputObjectGraphType<BoundingBoxInput>
{
    public BoundingBoxInputType()
    {
        Name = "BoundingBoxInput";
        Description = "A latitude/longitude rectangle, edges inclusive (boxes across the antimeridian are refused).";
        Field(x => x.MinLatitude);
        Field(x => x.MinLongitude);
        Field(x => x.MaxLatitude);
        Field(x => x.MaxLongitude);
    }
}

public sealed class RegisterDeviceInput
{
    public string? Id { get; set; }
    public string TechnicianId { get; set; } = "";
    public string? Name { get; set; }
    public bool OsmAnd { get; set; }
}

public sealed class RegisterDeviceInputType : InputObjectGraphType<RegisterDeviceInput>
{
    public RegisterDeviceInputType()
    {
        Name = "RegisterDeviceInput";
        Field(x => x.Id, type: typeof(IdGraphType)).Description("Device id; generated when left out. For OsmAnd it is the identifier set in Traccar Client.");
        Field(x => x.TechnicianId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(x => x.Name, nullable: true);
        Field(x => x.OsmAnd, type: typeof(BooleanGraphType)).DefaultValue(false);
    }
}

public sealed class LocationFixInput
{
    public double? Latitude { get; set; }
    public double? Longitude { get; set; }
    public DateTimeOffset? Timestamp { get; set; }
    public double? Accuracy { get; set; }
    public double? Speed { get; set; }
    public double? Heading { get; set; }
    public double? Altitude { get; set; }
    public double? Battery { get; set; }

    public FixInput ToInput() => new()
    {
        Latitude = Latitude, Longitude = Longitude, Timestamp = Timestamp, AccuracyMeters = Accuracy,
        SpeedMetersPerSecond = Speed, HeadingDegrees = Heading, AltitudeMeters = Altitude, BatteryPercent = Battery,
    };
}

public sealed class LocationFixInputType : InputObjectGraphType<LocationFixInput>
{
    public LocationFixInputType()
    {
        Name = "LocationFixInput";
        Field(x => x.Latitude, type: typeof(NonNullGraphType<FloatGraphType>));
        Field(x => x.Longitude, type: typeof(NonNullGraphType<FloatGraphType>));
        Field(x => x.Timestamp, type: typeof(NonNullGraphType<DateTimeOffsetGraphType>)).Description("When the fix was taken.");
        Field(x => x.Accuracy, nullable: true).Description("Metres.");
        Field(x => x.Speed, nullable: true).Description("Metres per second.");
        Field(x => x.Heading, nullable: true).Description("Degrees clockwise from north.");
        Field(x => x.Altitude, nullable: true).Description("Metres.");
        Field(x => x.Battery, nullable: true).Description("Percent.");
    }
}

public sealed class ReportLocationInput
{
    public string TechnicianId { get; set; } = "";
    public List<LocationFixInput> Fixes { get; set; } = [];
}

public sealed class ReportLocationInputType : InputObjectGraphType<ReportLocationInput>
{
    public ReportLocationInputType()
    {
        Name = "ReportLocationInput";
        Field(x => x.TechnicianId, type: typeof(NonNullGraphType<IdGraphType>))
            .Description("Your own technician id: the technician record whose userId is your user.");
        Field(x => x.Fixes, type: typeof(NonNullGraphType<ListGraphType<NonNullGraphType<LocationFixInputType>>>));
    }
}
