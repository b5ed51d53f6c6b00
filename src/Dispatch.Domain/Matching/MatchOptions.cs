namespace Dispatch.Domain.Matching;

/// <summary>How much each score component counts; only the ratios matter.</summary>
public sealed record MatchWeights
{
    public static MatchWeights Default { get; } = new();

    public MatchWeights(double travel = 0.35, double availability = 0.25, double skills = 0.15, double workload = 0.25)
    {
        foreach (var (name, value) in new[] { (nameof(travel), travel), (nameof(availability), availability), (nameof(skills), skills), (nameof(workload), workload) })
            if (!double.IsFinite(value) || value < 0)
                throw new ArgumentOutOfRangeException(name, value, "Weights must be finite and not negative.");
        if (travel + availability + skills + workload <= 0)
            throw new ArgumentException("At least one weight must be positive.");
        Travel = travel;
        Availability = availability;
        Skills = skills;
        Workload = workload;
    }

    public double Travel { get; }
    public double Availability { get; }
    public double Skills { get; }
    public double Workload { get; }
}

/// <summary>Tuning for <see cref="MatchScorer"/>; the defaults suit a regional pump-and-service fleet.</summary>
public sealed record MatchOptions
{
    public static MatchOptions Default { get; } = new();

    /// <summary>A GPS fix older than this no longer says where the technician is.</summary>
    public TimeSpan LocationFreshness { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>A previous job that ended longer ago than this before the window is not where the technician will be.</summary>
    public TimeSpan PreviousJobLookback { get; init; } = TimeSpan.FromHours(12);

    /// <summary>The drive that halves the travel score (score = half / (half + travel)).</summary>
    public TimeSpan TravelTimeForHalfScore { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Free time after the job that earns full availability: room to run over without delaying the next job.</summary>
    public TimeSpan OverrunAllowance { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Active work orders that count as a full load for technicians without a limit of their own.</summary>
    public int FullLoadActiveOrders { get; init; } = 5;

    /// <summary>Booked time per day that counts as a full day for technicians without a limit of their own.</summary>
    public TimeSpan FullLoadBookedPerDay { get; init; } = TimeSpan.FromHours(8);

    public MatchWeights Weights { get; init; } = MatchWeights.Default;

    /// <summary>
    /// List technicians whose schedule conflicts with the window (scored with zero availability) instead of
    /// excluding them, for a dispatcher who means to override.
    /// </summary>
    public bool IncludeConflicted { get; init; }

    internal void Validate()
    {
        if (LocationFreshness < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(LocationFreshness));
        if (PreviousJobLookback < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(PreviousJobLookback));
        if (TravelTimeForHalfScore <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(TravelTimeForHalfScore));
        if (OverrunAllowance <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(OverrunAllowance));
        if (FullLoadActiveOrders < 1) throw new ArgumentOutOfRangeException(nameof(FullLoadActiveOrders));
        if (FullLoadBookedPerDay <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(FullLoadBookedPerDay));
        ArgumentNullException.ThrowIfNull(Weights);
    }
}
