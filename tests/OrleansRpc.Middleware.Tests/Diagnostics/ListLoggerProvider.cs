using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace OrleansRpc.Middleware.Tests.Diagnostics;

/// <summary>Captures structured log entries (category, event, state key/values).</summary>
internal sealed class ListLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<Entry> _lines = new();

    public IReadOnlyList<Entry> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    public sealed record Entry(string Category, EventId EventId, string Message, Dictionary<string, object?> State);

    private sealed class Logger(string category, ConcurrentQueue<Entry> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = new Dictionary<string, object?>(StringComparer.Ordinal);
            if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
            {
                foreach (var pair in pairs)
                {
                    values[pair.Key] = pair.Value;
                }
            }

            lines.Enqueue(new Entry(category, eventId, formatter(state, exception), values));
        }
    }
}
