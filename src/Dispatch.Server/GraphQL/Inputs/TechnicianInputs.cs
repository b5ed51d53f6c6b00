using Dispatch.Domain.Matching;
using Dispatch.Domain.Technicians;
using GraphQL.Types;

namespace Dispatch.Server.GraphQL.Inputs;

public sealed class CertificationInput
{
    public string Name { get; set; } = "";
    public DateTimeOffset? ExpiresAt { get; set; }
}

public sealed class CreateTechnicianInput
{
    public string? Id { get; set; }
    public string Name { get; set; } = "";
    public string? Phone { get; set; }
    public string? Email { get; set; }
    public bool IsField { get; set; } = true;
    public List<string>? Skills { get; set; }
    public List<CertificationInput>? Certifications { get; set; }
    public GeoPointInput? HomeBase { get; set; }
    public string TimeZoneId { get; set; } = "UTC";
    public string? UserId { get; set; }

    public NewTechnician ToCommand() => new()
    {
        Name = Name,
        Phone = Phone,
        Email = Email,
        IsField = IsField,
        Skills = [.. Skills ?? []],
        Certifications = [.. (Certifications ?? []).Select(c => new Certification(c.Name, c.ExpiresAt))],
        HomeBase = HomeBase?.ToGeoPoint("homeBase"),
        TimeZoneId = TimeZoneId,
        UserId = UserId,
    };
}

public sealed class CertificationInputType : InputObjectGraphType<CertificationInput>
{
    public CertificationInputType()
    {
        Name = "CertificationInput";
        Field(x => x.Name);
        Field(x => x.ExpiresAt, nullable: true);
    }
}

public sealed class CreateTechnicianInputType : InputObjectGraphType<CreateTechnicianInput>
{
    public CreateTechnicianInputType()
    {
        Name = "CreateTechnicianInput";
        Field(x => x.Id, type: typeof(IdGraphType));
        Field(x => x.Name);
        Field(x => x.Phone, nullable: true);
        Field(x => x.Email, nullable: true);
        Field(x => x.IsField, nullable: true).Description("The Field role; defaults to true.");
        Field(x => x.Skills, type: typeof(ListGraphType<NonNullGraphType<StringGraphType>>));
        Field(x => x.Certifications, type: typeof(ListGraphType<NonNullGraphType<CertificationInputType>>));
        Field(x => x.HomeBase, type: typeof(GeoPointInputType));
        Field(x => x.TimeZoneId, nullable: true).Description("IANA time zone, e.g. America/Chicago. Defaults to UTC.");
        Field(x => x.UserId, type: typeof(IdGraphType)).Description("The user id the technician signs in with.");
    }
}
