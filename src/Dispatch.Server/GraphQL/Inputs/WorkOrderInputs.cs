using Dispatch.Domain.Common;
using Dispatch.Domain.Geo;
using Dispatch.Domain.WorkOrders;
using Dispatch.Server.GraphQL.Types;
using GraphQL.Types;

namespace Dispatch.Server.GraphQL.Inputs;

/// <summary>Plain settable shapes for graphql-dotnet to bind; each converts to the domain's immutable command.</summary>
public sealed class GeoPointInput
{
    public double Latitude { get; set; }
    public double Longitude { get; set; }

    public GeoPoint ToGeoPoint(string field)
    {
        try
        {
            return new GeoPoint(Latitude, Longitude);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw DomainException.Validation(field, e.Message.Split(" (Parameter")[0]);
        }
    }
}

public sealed class CustomerInput
{
    public string Name { get; set; } = "";
    public CustomerTier Tier { get; set; } = CustomerTier.Standard;
    public string? Phone { get; set; }
}

public sealed class SiteInput
{
    public string Address { get; set; } = "";
    public GeoPointInput? Location { get; set; }
    public string? AccessNotes { get; set; }
}

public sealed class AssetInput
{
    public string? Make { get; set; }
    public string? Model { get; set; }
    public string? SerialNumber { get; set; }
}

public sealed class CreateWorkOrderInput
{
    /// <summary>Optional client-chosen id: a retried create with the same id cannot make a duplicate.</summary>
    public string? Id { get; set; }
    public string Title { get; set; } = "";
    public string? Description { get; set; }
    public string? Type { get; set; }
    public Priority Priority { get; set; } = Priority.Normal;
    public CustomerInput Customer { get; set; } = new();
    public SiteInput Site { get; set; } = new();
    public AssetInput? Asset { get; set; }
    public DateTimeOffset? SlaDueAt { get; set; }
    public List<string>? RequiredSkills { get; set; }
    public List<string>? RequiredCertifications { get; set; }
    public int EstimatedDurationMinutes { get; set; } = 60;
    public string? SpecialInstructions { get; set; }

    public NewWorkOrder ToCommand() => new()
    {
        Title = Title,
        Description = Description,
        Type = Type,
        Priority = Priority,
        Customer = new Customer(Customer.Name, Customer.Tier, Customer.Phone),
        Site = new Site(Site.Address, Site.Location?.ToGeoPoint("site.location"), Site.AccessNotes),
        Asset = Asset is null ? null : new Asset(Asset.Make, Asset.Model, Asset.SerialNumber),
        SlaDueAt = SlaDueAt,
        RequiredSkills = [.. RequiredSkills ?? []],
        RequiredCertifications = [.. RequiredCertifications ?? []],
        EstimatedDuration = TimeSpan.FromMinutes(EstimatedDurationMinutes),
        SpecialInstructions = SpecialInstructions,
    };
}

public sealed class UpdateWorkOrderStatusInput
{
    public string Id { get; set; } = "";
    public WorkOrderStatus Status { get; set; }
    public string? Note { get; set; }
    public Dispatching.PartsOrderInput? Parts { get; set; }
}

public sealed class AddWorkOrderNoteInput
{
    public string Id { get; set; } = "";
    public string Note { get; set; } = "";
}

public sealed class GeoPointInputType : InputObjectGraphType<GeoPointInput>
{
    public GeoPointInputType()
    {
        Name = "GeoPointInput";
        Field(x => x.Latitude);
        Field(x => x.Longitude);
    }
}

public sealed class CustomerInputType : InputObjectGraphType<CustomerInput>
{
    public CustomerInputType()
    {
        Name = "CustomerInput";
        Field(x => x.Name);
        Field(x => x.Tier, type: typeof(CustomerTierEnum));
        Field(x => x.Phone, nullable: true);
    }
}

public sealed class SiteInputType : InputObjectGraphType<SiteInput>
{
    public SiteInputType()
    {
        Name = "SiteInput";
        Field(x => x.Address);
        Field(x => x.Location, type: typeof(GeoPointInputType));
        Field(x => x.AccessNotes, nullable: true);
    }
}

public sealed class AssetInputType : InputObjectGraphType<AssetInput>
{
    public AssetInputType()
    {
        Name = "AssetInput";
        Field(x => x.Make, nullable: true);
        Field(x => x.Model, nullable: true);
        Field(x => x.SerialNumber, nullable: true);
    }
}

public sealed class CreateWorkOrderInputType : InputObjectGraphType<CreateWorkOrderInput>
{
    public CreateWorkOrderInputType()
    {
        Name = "CreateWorkOrderInput";
        Field(x => x.Id, type: typeof(IdGraphType)).Description("Optional; makes a retried create safe.");
        Field(x => x.Title);
        Field(x => x.Description, nullable: true);
        Field(x => x.Type, nullable: true);
        Field(x => x.Priority, type: typeof(PriorityEnum));
        Field(x => x.Customer, type: typeof(NonNullGraphType<CustomerInputType>));
        Field(x => x.Site, type: typeof(NonNullGraphType<SiteInputType>));
        Field(x => x.Asset, type: typeof(AssetInputType));
        Field(x => x.SlaDueAt, nullable: true);
        Field(x => x.RequiredSkills, type: typeof(ListGraphType<NonNullGraphType<StringGraphType>>));
        Field(x => x.RequiredCertifications, type: typeof(ListGraphType<NonNullGraphType<StringGraphType>>));
        Field(x => x.EstimatedDurationMinutes, nullable: true);
        Field(x => x.SpecialInstructions, nullable: true);
    }
}

public sealed class UpdateWorkOrderStatusInputType : InputObjectGraphType<UpdateWorkOrderStatusInput>
{
    public UpdateWorkOrderStatusInputType()
    {
        Name = "UpdateWorkOrderStatusInput";
        Field(x => x.Id, type: typeof(NonNullGraphType<IdGraphType>));
        Field(x => x.Status, type: typeof(NonNullGraphType<WorkOrderStatusEnum>));
        Field(x => x.Note, nullable: true);
        Field(x => x.Parts, type: typeof(Dispatching.PartsOrderInputType)).Description("Required for AWAITING_PARTS: supplier, tracking number, expected date.");
    }
}

public sealed class AddWorkOrderNoteInputType : InputObjectGraphType<AddWorkOrderNoteInput>
{
    public AddWorkOrderNoteInputType()
    {
        Name = "AddWorkOrderNoteInput";
        Field(x => x.Id, type: typeof(NonNullGraphType<IdGraphType>));
        Field(x => x.Note);
    }
}
