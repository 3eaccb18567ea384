using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>Every log entry the server writes at the configured level or above, to assert on (an error, a leaked token).</summary>
public sealed class LogCapture : ILoggerProvider
{
    public ConcurrentQueue<(LogLevel Level, string Category, string Message, EventId EventId)> Entries { get; } = new();

    public IEnumerable<string> AtLeast(LogLevel level) => Entries.Where(e => e.Level >= level).Select(e => $"{e.Level} {e.Category}: {e.Message}");

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => capture.Entries.Enqueue((logLevel, category, formatter(state, exception) + (exception is null ? "" : " | " + exception), eventId));
    }
}
