using Dispatch.Domain.Common;

namespace Dispatch.Domain.Technicians;

public static class TechnicianRules
{
    public const int MaxNameLength = 200;

    public static Technician Create(string tenant, string id, NewTechnician input, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(input.Name) || input.Name.Length > MaxNameLength)
        {
            throw DomainException.Validation("name", $"A technician needs a name of 1-{MaxNameLength} characters.");
        }

        if (!TimeZoneInfo.TryFindSystemTimeZoneById(input.TimeZoneId, out _))
        {
            throw DomainException.Validation("timeZoneId", $"'{input.TimeZoneId}' is not a known time zone (use an IANA id such as America/Chicago).");
        }

        var skills = input.Skills.IsDefault ? [] : input.Skills;
        if (skills.Any(string.IsNullOrWhiteSpace))
        {
            throw DomainException.Validation("skills", "Skills cannot be blank.");
        }

        var certifications = input.Certifications.IsDefault ? [] : input.Certifications;
        if (certifications.Any(c => string.IsNullOrWhiteSpace(c.Name)))
        {
            throw DomainException.Validation("certifications", "Certifications need a name.");
        }

        return new Technician
        {
            Id = id,
            Tenant = tenant,
            Name = input.Name.Trim(),
            Phone = input.Phone,
            Email = input.Email,
            IsField = input.IsField,
            Active = true,
            Skills = [.. skills.Select(s => s.Trim()).Distinct(StringComparer.OrdinalIgnoreCase)],
            Certifications = certifications,
            HomeBase = input.HomeBase,
            TimeZoneId = input.TimeZoneId,
            UserId = input.UserId,
            CreatedAt = now,
            UpdatedAt = now,
            Version = 1,
        };
    }

    public static Technician SetActive(Technician technician, bool active, DateTimeOffset now) =>
        technician.Active == active ? technician : technician with { Active = active, UpdatedAt = now, Version = technician.Version + 1 };
}
