namespace Dispatch.Domain.Tracking;

/// <summary>What a technician is doing, as far as location reporting cares.</summary>
public enum TechnicianActivity
{
    /// <summary>On shift with nothing under way (the default until the dispatch lifecycle says otherwise).</summary>
    Idle,

    /// <summary>Driving to a job.</summary>
    EnRoute,

    /// <summary>At the job site: the position barely changes.</summary>
    OnSite,

    /// <summary>Not working: report rarely, to save battery and data.</summary>
    OffShift,
}

/// <summary>The situation the reporting policy decides on.</summary>
/// <param name="Activity">What the technician is doing.</param>
/// <param name="TimeToArrival">Estimated driving time to the job while en route, when known.</param>
[GenerateSerializer, Immutable, Alias("Dispatch.ReportingSituation")]
public readonly record struct ReportingSituation(
    [property: Id(0)] TechnicianActivity Activity,
    [property: Id(1)] TimeSpan? TimeToArrival = null);

/// <summary>Interval per situation. Bound from <c>Dispatch:Tracking:Reporting</c>.</summary>
public sealed class ReportingIntervals
{
    /// <summary>En route and about to arrive: the customer and dispatcher watch the last minutes closely.</summary>
    public TimeSpan EnRouteNearArrival { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan EnRoute { get; set; } = TimeSpan.FromSeconds(15);

    public TimeSpan OnSite { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>On shift and free: fresh enough for best match to place the technician.</summary>
    public TimeSpan Idle { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan OffShift { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary>"Near arrival" means an estimated arrival within this.</summary>
    public TimeSpan NearArrivalWithin { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>
/// How often a device should report, decided by the server and sent back in every ingest answer, so battery and
/// bandwidth go where dispatch needs precision (the last minutes before arrival) and not where it does not.
/// </summary>
public static class ReportingPolicy
{
    public static TimeSpan IntervalFor(ReportingSituation situation, ReportingIntervals intervals) => situation.Activity switch
    {
        TechnicianActivity.EnRoute when situation.TimeToArrival is { } eta && eta <= intervals.NearArrivalWithin => intervals.EnRouteNearArrival,
        TechnicianActivity.EnRoute => intervals.EnRoute,
        TechnicianActivity.OnSite => intervals.OnSite,
        TechnicianActivity.OffShift => intervals.OffShift,
        _ => intervals.Idle,
    };
}
