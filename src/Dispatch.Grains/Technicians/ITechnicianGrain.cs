using Orleans.Concurrency;
using Dispatch.Domain.Identity;
using Dispatch.Domain.Technicians;

namespace Dispatch.Grains.Technicians;

/// <summary>One technician: profile now; schedule and location live here too. Key: "{tenant}/{technicianId}".</summary>
[Alias("Dispatch.ITechnicianGrain")]
public interface ITechnicianGrain : IGrainWithStringKey
{
    [Alias("Create")]
    Task<Technician> Create(NewTechnician input, Actor actor);

    [ReadOnly, Alias("Get")]
    Task<Technician?> Get();

    [Alias("SetActive")]
    Task<Technician> SetActive(bool active, Actor actor);
}
