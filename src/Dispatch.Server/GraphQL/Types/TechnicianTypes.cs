using Dispatch.Domain.Geo;
using Dispatch.Domain.Matching;
using Dispatch.Domain.Technicians;
using GraphQL.Types;

namespace Dispatch.Server.GraphQL.Types;

public sealed class CertificationType : ObjectGraphType<Certification>
{
    public CertificationType()
    {
        Name = "Certification";
        Field(x => x.Name);
        Field(x => x.ExpiresAt, nullable: true).Description("The certification no longer counts from this instant.");
    }
}

public sealed class TechnicianType : ObjectGraphType<Technician>
{
    public TechnicianType()
    {
        Name = "Technician";
        Field(x => x.Id, type: typeof(NonNullGraphType<IdGraphType>));
        Field(x => x.Name);
        Field(x => x.Phone, nullable: true);
        Field(x => x.Email, nullable: true);
        Field(x => x.IsField).Description("Holds the Field role: only field technicians can be dispatched.");
        Field(x => x.Active);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>, IEnumerable<string>>("skills").Resolve(c => c.Source.Skills);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<CertificationType>>>, IEnumerable<Certification>>("certifications")
            .Resolve(c => c.Source.Certifications);
        Field<GeoPointType, GeoPoint?>("homeBase").Resolve(c => c.Source.HomeBase);
        Field(x => x.TimeZoneId);
        Field(x => x.UserId, type: typeof(IdGraphType));
        Field(x => x.CreatedAt);
        Field(x => x.UpdatedAt);
        Field(x => x.Version);
    }
}
