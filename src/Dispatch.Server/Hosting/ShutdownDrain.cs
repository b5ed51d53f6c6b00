namespace Dispatch.Server.Hosting;

/// <summary>
/// On SIGTERM, readiness turns 503 at once (see <see cref="Health.ReadinessCheck"/>); this keeps serving for
/// <c>Dispatch:ShutdownDrainSeconds</c> so load balancers notice before Kestrel stops accepting. The host runs every
/// <c>StoppingAsync</c> before any <c>StopAsync</c>; after the drain the web server (started last, stopped first) finishes
/// in-flight requests, and only then does the silo leave the cluster.
/// </summary>
internal sealed class ShutdownDrain(DispatchSettings settings, ILogger<ShutdownDrain> logger) : IHostedLifecycleService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        if (settings.ShutdownDrain <= TimeSpan.Zero)
        {
            return;
        }

        logger.LogInformation("Shutting down: not ready any more; draining for {Drain} before closing listeners.", settings.ShutdownDrain);
        try
        {
            await Task.Delay(settings.ShutdownDrain, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown budget ran out first; carry on stopping.
        }
    }
}
