using Dispatch.Domain.Common;
using Dispatch.Domain.Geo;
using Dispatch.Domain.Identity;
using Dispatch.Domain.Technicians;
using Dispatch.Domain.Tracking;
using Dispatch.Grains.Technicians;
using Dispatch.Grains.WorkOrders;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Storage;

namespace Dispatch.Grains.Tracking;

/// <summary>A fix in the shape grain storage writes: plain fields, so any storage serializer round-trips it exactly.</summary>
[GenerateSerializer, Alias("Dispatch.StoredFix")]
public sealed class StoredFix
{
    [Id(0)] public double Latitude { get; set; }
    [Id(1)] public double Longitude { get; set; }
    [Id(2)] public long TimestampMs { get; set; }
    [Id(3)] public double? AccuracyMeters { get; set; }
    [Id(4)] public double? SpeedMetersPerSecond { get; set; }
    [Id(5)] public double? HeadingDegrees { get; set; }
    [Id(6)] public double? AltitudeMeters { get; set; }
    [Id(7)] public double? BatteryPercent { get; set; }
    [Id(8)] public string Source { get; set; } = "";

    public static StoredFix From(LocationFix fix) => new()
    {
        Latitude = fix.Position.Latitude,
        Longitude = fix.Position.Longitude,
        TimestampMs = fix.Timestamp.ToUnixTimeMilliseconds(),
        AccuracyMeters = fix.AccuracyMeters,
        SpeedMetersPerSecond = fix.SpeedMetersPerSecond,
        HeadingDegrees = fix.HeadingDegrees,
        AltitudeMeters = fix.AltitudeMeters,
        BatteryPercent = fix.BatteryPercent,
        Source = fix.Source,
    };

    public LocationFix ToFix() => new()
    {
        Position = new GeoPoint(Latitude, Longitude),
        Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(TimestampMs),
        AccuracyMeters = AccuracyMeters,
        SpeedMetersPerSecond = SpeedMetersPerSecond,
        HeadingDegrees = HeadingDegrees,
        AltitudeMeters = AltitudeMeters,
        BatteryPercent = BatteryPercent,
        Source = Source,
    };
}

[GenerateSerializer, Alias("Dispatch.TechnicianLocationState")]
public sealed class TechnicianLocationState
{
    [Id(0)] public StoredFix? Current { get; set; }
    [Id(1)] public List<StoredFix> RecentTrail { get; set; } = [];
    [Id(2)] public TechnicianActivity Activity { get; set; }
    [Id(3)] public double? DestinationLatitude { get; set; }
    [Id(4)] public double? DestinationLongitude { get; set; }
    /// <summary>The work order whose ETA this technician's position drives (set for the primary while en route).</summary>
    [Id(5)] public string? EtaWorkOrderId { get; set; }
    /// <summary>End of that order's arrival window, Unix milliseconds.</summary>
    [Id(6)] public long? ArrivalWindowEndMs { get; set; }
    /// <summary>The tenant's roster (<see cref="ITrackedFleetGrain"/>) has stored this technician, so a restarted host finds them.</summary>
    [Id(7)] public bool Rostered { get; set; }

    public TravelDestination? GetDestination() => DestinationLatitude is { } lat && DestinationLongitude is { } lon
        ? new TravelDestination(new GeoPoint(lat, lon), EtaWorkOrderId,
            ArrivalWindowEndMs is { } end ? DateTimeOffset.FromUnixTimeMilliseconds(end) : null)
        : null;

    public void SetDestination(TravelDestination? destination)
    {
        DestinationLatitude = destination?.Site.Latitude;
        DestinationLongitude = destination?.Site.Longitude;
        EtaWorkOrderId = destination?.WorkOrderId;
        ArrivalWindowEndMs = destination?.ArrivalWindowEnd?.ToUnixTimeMilliseconds();
    }
}

/// <inheritdoc cref="ITechnicianLocationGrain"/>
public sealed class TechnicianLocationGrain(
    [PersistentState("location")] IPersistentState<TechnicianLocationState> state,
    IOptions<TrackingOptions> options,
    LocationPublisher publisher,
    TimeProvider clock,
    ILogger<TechnicianLocationGrain> logger) : Grain, ITechnicianLocationGrain
{
    /// <summary>How long a verified "this user is this technician" holds before the technician grain is asked again.</summary>
    private static readonly TimeSpan OwnerCheckLifetime = TimeSpan.FromMinutes(5);

    /// <summary>How long a device admission holds before the device's grain is asked again (see <see cref="DeviceAdmissions"/>).</summary>
    internal static readonly TimeSpan AdmissionLifetime = TimeSpan.FromMinutes(5);

    private readonly TrackingOptions _options = options.Value;
    private LocationTrack _track = null!;
    private string _tenant = "";
    private string _technicianId = "";
    private bool _dirty;
    private Task? _enrollment;
    private (string? UserId, DateTimeOffset CheckedAt)? _owner;
    private DateTimeOffset _forwardedAt = DateTimeOffset.MinValue;
    private bool _forwardPending;
    private ArrivalEstimate? _etaSent;
    private DateTimeOffset? _etaSentAt;
    private IGrainTimer? _followUp;
    private DateTimeOffset? _followUpAt;
    // In memory only: a new activation admits each device again through its grain, and a restart forgiving a burst is harmless.
    private readonly DeviceAdmissions _admissions = new(AdmissionLifetime);

    /// <summary>
    /// How often the newest position goes on to the technician grain (and from there to the best-match index). Best
    /// match needs to know roughly where people are, not every step; this keeps location storms off the grain that
    /// serializes schedule reservations.
    /// </summary>
    internal static readonly TimeSpan ForwardToTechnicianEvery = TimeSpan.FromSeconds(10);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_tenant, _technicianId) = TenantKey.Parse(this.GetPrimaryKeyString());
        _track = new LocationTrack(_options.Trail, state.State.Current?.ToFix(), state.State.RecentTrail.Select(f => f.ToFix()));
        // Persist on a throttle, never per fix: at most one write per interval, and only when something changed. The
        // first tick is spread over one interval so a fleet activated together (a restart, a shift start) does not write
        // all at the same instant.
        var firstTick = _options.PersistInterval * (1 + Random.Shared.NextDouble());
        this.RegisterGrainTimer(PersistIfDirtyAsync, new GrainTimerCreationOptions(firstTick, _options.PersistInterval));
        if (_track.Current is not null)
            EnsureRostered();
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_enrollment is { IsCompleted: false } enrollment)
        {
            // A shutdown right after the first fix: let the roster store this technician first, or a restarted host
            // would never look for their last known position.
            try
            {
                await enrollment.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            }
            catch (Exception e)
            {
                logger.LogDebug(e, "{Technician} not yet on the tracked roster at deactivation.", _technicianId);
            }
        }

        await PersistIfDirtyAsync(cancellationToken);
    }

    /// <summary>Puts the technician on the tenant's roster once, durably; a failure is retried with the next moving fix.</summary>
    private void EnsureRostered()
    {
        if (state.State.Rostered || _enrollment is { IsCompleted: false })
            return;
        _enrollment = EnrollAsync();

        async Task EnrollAsync()
        {
            await GrainFactory.GetGrain<ITrackedFleetGrain>(_tenant).Enroll(_technicianId);
            state.State.Rostered = true;
            _dirty = true;
        }
    }

    public Task<LocationReportResult> Report(LocationFix[] fixes) => Task.FromResult(Apply(fixes, clock.GetUtcNow()));

    public Task<IngestResult> IngestFromDevice(string deviceId, string? keyHash, FixInput[] fixes)
    {
        var now = clock.GetUtcNow();
        return Task.FromResult(_admissions.Find(deviceId, keyHash, now) is { } bucket
            ? Ingest(deviceId, bucket, fixes, now)
            : IngestResult.Refused(IngestStatus.NotAdmitted));
    }

    public Task<IngestResult> AdmitAndIngest(DeviceAdmission admission, FixInput[] fixes)
    {
        var now = clock.GetUtcNow();
        var bucket = _admissions.Admit(admission, now, () => new TokenBucket(_options.RateLimit.Burst, _options.RateLimit.PerSecond, now));
        return Task.FromResult(Ingest(admission.DeviceId, bucket, fixes, now));
    }

    public Task Withdraw(string deviceId)
    {
        _admissions.Withdraw(deviceId);
        return Task.CompletedTask;
    }

    /// <summary>An admitted device's batch: whole or not at all against its rate limit, then each fix validated and applied.</summary>
    private IngestResult Ingest(string deviceId, TokenBucket bucket, FixInput[] fixes, DateTimeOffset now)
    {
        if (fixes.Length > _options.Limits.MaxBatchSize)
            return IngestResult.Refused(IngestStatus.TooLarge);
        if (!bucket.TryTake(fixes.Length, now, out var retryAfter))
            return IngestResult.Refused(IngestStatus.RateLimited, (int)Math.Ceiling(retryAfter.TotalSeconds));

        var valid = new List<LocationFix>(fixes.Length);
        var rejected = new List<FixRejection>();
        for (var i = 0; i < fixes.Length; i++)
        {
            var (fix, rejection) = FixValidator.Validate(fixes[i], i, deviceId, now, _options.Limits);
            if (fix is not null)
                valid.Add(fix);
            else
                rejected.Add(rejection!);
        }

        var duplicates = 0;
        int interval;
        if (valid.Count > 0)
        {
            var result = Apply([.. valid], now);
            duplicates = result.Outcomes.Count(o => o == FixOutcome.Duplicate);
            interval = result.ReportingIntervalSeconds;
        }
        else
        {
            interval = ReportingIntervalSeconds();
        }

        return new IngestResult(IngestStatus.Ok, valid.Count, duplicates, [.. rejected], interval, 0, _technicianId);
    }

    private LocationReportResult Apply(LocationFix[] fixes, DateTimeOffset now)
    {
        var outcomes = new FixOutcome[fixes.Length];
        var moved = false;
        for (var i = 0; i < fixes.Length; i++)
        {
            outcomes[i] = _track.Apply(fixes[i], now);
            moved |= outcomes[i] == FixOutcome.Current;
            _dirty |= outcomes[i] is FixOutcome.Current or FixOutcome.TrailOnly;
        }

        if (moved)
        {
            // One update per report, the newest position: the live map needs where the technician is, not every step.
            publisher.Publish(new LocationUpdate(_tenant, _technicianId, _track.Current!));
            EnsureRostered();

            ForwardOrHold(now);
            ConsiderEta(now);
        }

        return new LocationReportResult(outcomes, ReportingIntervalSeconds());
    }

    /// <summary>
    /// Forwards the newest position to the technician grain at most every <see cref="ForwardToTechnicianEvery"/>. A position
    /// held back is sent when the interval is up even if no further fix comes, so best match never keeps a technician
    /// where they were before their last few fixes.
    /// </summary>
    private void ForwardOrHold(DateTimeOffset now)
    {
        if (now - _forwardedAt >= ForwardToTechnicianEvery)
        {
            _forwardedAt = now;
            _forwardPending = false;
            _ = ForwardToTechnicianAsync(_track.Current!);
        }
        else
        {
            _forwardPending = true;
            FollowUpAt(_forwardedAt + ForwardToTechnicianEvery);
        }
    }

    /// <summary>
    /// En route with a work order to report to: estimates the arrival from the current position and tells the work order
    /// only when it matters (see <see cref="ArrivalEstimator.Decide"/>), so a work order grain is not called per fix. A
    /// change held back by the throttle goes out when the throttle allows, even if no further fix comes.
    /// </summary>
    private void ConsiderEta(DateTimeOffset now)
    {
        if (state.State.Activity != TechnicianActivity.EnRoute || state.State.GetDestination() is not { WorkOrderId: { } workOrderId } destination
            || _track.Current is not { } current
            || ArrivalEstimator.Estimate(current, destination, now, _options.Eta) is not { } estimate)
        {
            return;
        }

        switch (ArrivalEstimator.Decide(_etaSent, _etaSentAt, estimate, now, _options.Eta))
        {
            case EtaReportDecision.Send:
                _etaSent = estimate;
                _etaSentAt = now;
                _ = SendEtaAsync(workOrderId, estimate);
                break;
            case EtaReportDecision.Later:
                FollowUpAt(_etaSentAt!.Value + _options.Eta.ReportEvery);
                break;
        }
    }

    private async Task SendEtaAsync(string workOrderId, ArrivalEstimate estimate)
    {
        try
        {
            var keepReporting = await GrainFactory.GetGrain<IWorkOrderGrain>(TenantKey.Compose(_tenant, workOrderId)).ReportEta(_technicianId, estimate);
            if (!keepReporting && state.State.EtaWorkOrderId == workOrderId)
            {
                // The order is no longer en route with this technician as primary (a status change or reassignment raced
                // this report): stop calling it. The lifecycle sets the next destination when there is one.
                state.State.EtaWorkOrderId = null;
                state.State.ArrivalWindowEndMs = null;
                _dirty = true;
            }
        }
        catch (Exception e)
        {
            // Best effort: the next fix (or the follow-up) tries again.
            if (ReferenceEquals(_etaSent, estimate))
                _etaSent = null;
            logger.LogDebug(e, "ETA of {Technician} not delivered to work order {WorkOrder}.", _technicianId, workOrderId);
        }
    }

    /// <summary>One one-shot timer for whatever the throttles held back; armed for the earliest due time.</summary>
    private void FollowUpAt(DateTimeOffset at)
    {
        if (_followUp is not null && _followUpAt <= at)
            return;
        _followUp?.Dispose();
        var due = at - clock.GetUtcNow();
        _followUpAt = at;
        _followUp = this.RegisterGrainTimer(FollowUpAsync, new GrainTimerCreationOptions(due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan));
    }

    private Task FollowUpAsync(CancellationToken cancellationToken)
    {
        _followUp?.Dispose();
        _followUp = null;
        _followUpAt = null;
        var now = clock.GetUtcNow();
        if (_forwardPending && _track.Current is not null)
            ForwardOrHold(now);
        ConsiderEta(now);
        return Task.CompletedTask;
    }

    private async Task ForwardToTechnicianAsync(LocationFix fix)
    {
        try
        {
            var position = new TechnicianPosition(fix.Position, fix.Timestamp,
                fix.SpeedMetersPerSecond is { } speed ? speed * 3.6 : null, fix.HeadingDegrees);
            await GrainFactory.GetGrain<ITechnicianGrain>(this.GetPrimaryKeyString()).ReportLocation(position, Actor.System(_tenant));
        }
        catch (Exception e)
        {
            // A technician tracked before their profile exists (or a transient failure): the next forward tries again.
            logger.LogDebug(e, "Position of {Technician} not forwarded to its technician grain.", _technicianId);
        }
    }

    public async Task<LocationReportResult> ReportAsUser(string userId, LocationFix[] fixes)
    {
        var now = clock.GetUtcNow();
        if (_owner is not { } owner || now - owner.CheckedAt > OwnerCheckLifetime)
        {
            var technician = await GrainFactory.GetGrain<ITechnicianGrain>(this.GetPrimaryKeyString()).Get()
                ?? throw DomainException.NotFound("Technician", _technicianId);
            _owner = owner = (technician.UserId, now);
        }

        if (owner.UserId is null || !string.Equals(owner.UserId, userId, StringComparison.Ordinal))
            throw new DomainException(ErrorCodes.Forbidden, "You may report the location of your own technician record only.");
        return await Report(fixes);
    }

    public Task<LocationUpdate?> GetCurrent() =>
        Task.FromResult(_track.Current is { } current ? new LocationUpdate(_tenant, _technicianId, current) : null);

    public Task<LocationFix[]> GetTrail(DateTimeOffset from, DateTimeOffset to, int max) =>
        Task.FromResult(_track.Between(from, to, Math.Clamp(max, 0, _options.Trail.MaxPoints)).ToArray());

    public Task<int> GetReportingIntervalSeconds() => Task.FromResult(ReportingIntervalSeconds());

    public async Task SetActivity(TechnicianActivity activity, TravelDestination? destination, Actor actor)
    {
        GrainGuards.EnsureSameTenant(_tenant, actor);
        state.State.Activity = activity;
        state.State.SetDestination(destination);
        // A new trip: its first estimate goes out at once, whatever was sent for the previous one.
        _etaSent = null;
        _etaSentAt = null;
        // Rare (a status change), so written at once rather than on the throttle.
        _dirty = true;
        await PersistIfDirtyAsync(CancellationToken.None);
        // Not awaited by the caller's turn: the work order calling us is busy until we return, and gets the ETA after.
        ConsiderEta(clock.GetUtcNow());
    }

    private int ReportingIntervalSeconds()
    {
        TimeSpan? eta = null;
        var now = clock.GetUtcNow();
        if (state.State.Activity == TechnicianActivity.EnRoute && _track.Current is { } current && state.State.GetDestination() is { } destination
            && ArrivalEstimator.Estimate(current, destination, now, _options.Eta) is { } estimate)
        {
            eta = estimate.ArrivesAt - now;
        }

        return (int)Math.Ceiling(ReportingPolicy.IntervalFor(new ReportingSituation(state.State.Activity, eta), _options.Reporting).TotalSeconds);
    }

    private async Task PersistIfDirtyAsync(CancellationToken cancellationToken)
    {
        if (!_dirty)
            return;
        _dirty = false;
        state.State.Current = _track.Current is { } current ? StoredFix.From(current) : null;
        state.State.RecentTrail = _track.PersistedTrail().Select(StoredFix.From).ToList();
        try
        {
            await state.WriteStateAsync(cancellationToken);
        }
        catch (Exception ex)
        {
            // Keep the in-memory truth and try again on the next tick. After an ETag conflict (a brief duplicate
            // activation), reload the ETag first; the newest position still wins because ours is in memory.
            _dirty = true;
            logger.LogWarning(ex, "Could not persist the location of {Technician}; will retry", this.GetPrimaryKeyString());
            if (ex is InconsistentStateException)
            {
                var mine = (state.State.Current, state.State.RecentTrail, state.State.Activity, state.State.GetDestination(), state.State.Rostered);
                await state.ReadStateAsync(cancellationToken);
                if (state.State.Current is { } stored)
                    _track.Apply(stored.ToFix(), clock.GetUtcNow());
                (state.State.Current, state.State.RecentTrail, state.State.Activity) = (mine.Current, mine.RecentTrail, mine.Activity);
                state.State.Rostered |= mine.Rostered;
                state.State.SetDestination(mine.Item4);
            }
        }
    }
}
