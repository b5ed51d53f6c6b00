using System.Diagnostics;

namespace Dispatch.Testing;

/// <summary>Polling instead of sleeping: wait for an observable condition, with a deadline.</summary>
public static class Eventually
{
    private static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Evaluates <paramref name="condition"/> until it returns true, waiting <paramref name="interval"/> (default 100 ms)
    /// between attempts. An exception thrown by the condition counts as "not yet". Throws <see cref="TimeoutException"/>
    /// (carrying the last exception, if any) when <paramref name="deadline"/> passes first.
    /// </summary>
    public static async Task Until(Func<Task<bool>> condition, TimeSpan deadline, string? because = null, TimeSpan? interval = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var clock = Stopwatch.StartNew();
        Exception? lastError = null;
        var attempts = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            attempts++;
            try
            {
                if (await condition())
                {
                    return;
                }

                lastError = null;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                lastError = ex;
            }

            if (clock.Elapsed >= deadline)
            {
                var what = because is null ? "Condition" : $"Condition ({because})";
                throw new TimeoutException($"{what} not met within {deadline} ({attempts} attempts).", lastError);
            }

            await Task.Delay(interval ?? DefaultInterval, cancellationToken);
        }
    }

    /// <summary>Synchronous-condition overload of <see cref="Until(Func{Task{bool}}, TimeSpan, string?, TimeSpan?, CancellationToken)"/>.</summary>
    public static Task Until(Func<bool> condition, TimeSpan deadline, string? because = null, TimeSpan? interval = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return Until(() => Task.FromResult(condition()), deadline, because, interval, cancellationToken);
    }
}
