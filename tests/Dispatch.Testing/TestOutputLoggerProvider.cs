using Microsoft.Extensions.Logging;

namespace Dispatch.Testing;

/// <summary>
/// Routes host logs (at or above <see cref="MinimumLevel"/>) to the current xUnit test's output, so a failing test shows
/// what the silo complained about while passing tests stay quiet. Messages logged outside a test are dropped.
/// </summary>
public sealed class TestOutputLoggerProvider(LogLevel minimumLevel = LogLevel.Warning) : ILoggerProvider
{
    public LogLevel MinimumLevel { get; } = minimumLevel;

    public ILogger CreateLogger(string categoryName) => new TestOutputLogger(categoryName, MinimumLevel);

    public void Dispose()
    {
    }

    private sealed class TestOutputLogger(string category, LogLevel minimumLevel) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimumLevel && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel) || TestContext.Current.TestOutputHelper is not { } output)
            {
                return;
            }

            try
            {
                var line = $"[{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}] {formatter(state, exception)}";
                output.WriteLine(exception is null ? line : $"{line}{Environment.NewLine}{exception}");
            }
            catch (InvalidOperationException)
            {
                // The test finished while a background component was still logging.
            }
        }
    }
}
