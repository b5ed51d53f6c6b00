namespace Dispatch.Grains.Hosting;

/// <summary>
/// A loop that runs beside the grains of one silo for as long as the silo is active: the per-silo publishers that batch
/// what grains hand them (work-order changes, positions, index summaries) and send it on.
/// </summary>
/// <remarks>
/// It starts when the silo becomes active (grain calls work from then on) and stops before the silo leaves the cluster.
/// On stop, a loop that <see cref="DrainsOnStop"/> is asked to finish what is queued and given
/// <see cref="DrainTimeout"/> to do it before it is cancelled; any other loop is cancelled at once.
/// </remarks>
public abstract class SiloBackgroundLoop : ILifecycleParticipant<ISiloLifecycle>
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(2);
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;

    /// <summary>Cancelled when the loop must end now.</summary>
    protected CancellationToken Stopping => _stopping.Token;

    /// <summary>True when the loop should finish what is queued on stop (after <see cref="CompleteQueue"/>).</summary>
    protected virtual bool DrainsOnStop => false;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(GetType().Name, ServiceLifecycleStage.Active, Start, Stop);

    /// <summary>The loop itself; it returns when its queue is completed and empty, or when <see cref="Stopping"/> fires.</summary>
    protected abstract Task RunAsync();

    /// <summary>Marks the queue complete so a draining loop ends once it has sent what is in it.</summary>
    protected virtual void CompleteQueue()
    {
    }

    /// <summary>What "drained" means: by default the loop's end; a publisher with calls still in flight waits for those too.</summary>
    protected virtual Task DrainAsync(Task loop) => loop;

    private Task Start(CancellationToken _)
    {
        _loop = Task.Run(RunAsync);
        return Task.CompletedTask;
    }

    private async Task Stop(CancellationToken ct)
    {
        CompleteQueue();
        if (!DrainsOnStop) await _stopping.CancelAsync();
        if (_loop is null) return;
        var drained = DrainAsync(_loop);
        if (await Task.WhenAny(drained, Task.Delay(DrainTimeout, ct)) != drained) await _stopping.CancelAsync();
        try
        {
            await drained;
        }
        catch (OperationCanceledException)
        {
        }
    }
}
