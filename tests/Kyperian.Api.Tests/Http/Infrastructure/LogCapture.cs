using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Kyperian.Api.Tests.Http.Infrastructure;

/// <summary>One log line as the app wrote it: the formatted message, its structured values and the exception text.</summary>
public sealed record CapturedLog(LogLevel Level, string Category, string Message, string? Exception)
{
    public string Text => Exception is null ? $"{Level} {Category}: {Message}" : $"{Level} {Category}: {Message}{Environment.NewLine}{Exception}";
}

/// <summary>Records every line the app logs (Kyperian categories down to Trace, the rest at the app's own levels).</summary>
public sealed class LogCapture : ILoggerProvider
{
    public ConcurrentQueue<CapturedLog> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = formatter(state, exception);
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                // The structured values too: a sink that stores them (CloudWatch JSON) would keep a secret the message hides.
                var structured = string.Join(" ", values.Select(v => $"{v.Key}={v.Value}"));
                message = $"{message} [{structured}]";
            }

            owner.Lines.Enqueue(new CapturedLog(logLevel, category, message, exception?.ToString()));
        }
    }
}
