using Dispatch.Domain.Geo;
using Dispatch.Domain.Matching;
using Dispatch.Domain.Technicians;
using Dispatch.Domain.Scheduling;
using Dispatch.Grains.Technicians;
using Dispatch.Server.GraphQL.Access;
using Dispatch.Server.GraphQL.Dispatching;
using GraphQL;
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
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<WorkingShiftType>>>, IEnumerable<WorkingShift>>("workingHours")
            .Description("Weekly shifts, local to timeZoneId.").Resolve(c => c.Source.WorkingHours);
        Field<NonNullGraphType<TechnicianCapacityType>, TechnicianCapacity>("capacity").Resolve(c => c.Source.Capacity);
        Field<NonNullGraphType<TechnicianScheduleType>, TechnicianScheduleView>("schedule")
            .Description("Bookings and availability blocks overlapping [from, to) (both optional: everything), active work, location.")
            .Argument<DateTimeOffsetGraphType>("from")
            .Argument<DateTimeOffsetGraphType>("to")
            .ResolveAsync(async c =>
            {
                var from = c.GetArgument<DateTimeOffset?>("from") ?? DateTimeOffset.MinValue;
                var to = c.GetArgument<DateTimeOffset?>("to") ?? DateTimeOffset.MaxValue;
                TimeWindow? range = from == DateTimeOffset.MinValue && to == DateTimeOffset.MaxValue ? null : Valid.Check("to", () => new TimeWindow(from, to));
                Ownership.EnsureOwn(c.Source, c.Actor());
                return await c.RequestServices!.GetRequiredService<IGrainFactory>()
                    .GetGrain<ITechnicianGrain>(c.Actor().KeyFor(c.Source.Id)).GetSchedule(range);
            });
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<AvailabilityBlockType>>>, IEnumerable<AvailabilityBlock>>("availabilityBlocks")
            .Description("Every absence and on-call block on the calendar.")
            .ResolveAsync(async c => (await c.RequestServices!.GetRequiredService<IGrainFactory>()
                .GetGrain<ITechnicianGrain>(c.Actor().KeyFor(Ownership.EnsureOwn(c.Source, c.Actor())!.Id)).GetSchedule(null)).AvailabilityBlocks);
    }
}
