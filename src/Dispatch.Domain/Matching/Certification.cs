namespace Dispatch.Domain.Matching;

/// <summary>A certification a technician holds; no expiry means it does not lapse.</summary>
[GenerateSerializer, Immutable, Alias("Dispatch.Certification")]
public sealed record Certification(
    [property: Id(0)] string Name,
    [property: Id(1)] DateTimeOffset? ExpiresAt = null)
{
    /// <summary>The certification lapses at <see cref="ExpiresAt"/>: it is no longer valid from that instant on.</summary>
    public bool IsValidAt(DateTimeOffset instant) => ExpiresAt is null || ExpiresAt > instant;

    /// <summary>Valid for all of a job ending at <paramref name="end"/> (windows are half-open, so lapsing exactly then is fine).</summary>
    public bool IsValidThrough(DateTimeOffset end) => ExpiresAt is null || ExpiresAt >= end;
}
