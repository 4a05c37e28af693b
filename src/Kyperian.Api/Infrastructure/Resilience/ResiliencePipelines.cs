using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Kyperian.Api.Infrastructure.Resilience;

/// <summary>
/// One Polly pipeline per backend, built from <see cref="ResilienceOptions"/> on first use and shared by every call
/// to that backend, so its circuit breaker sees all of them.
/// </summary>
public sealed partial class ResiliencePipelines(IOptions<ResilienceOptions> options, ILogger<ResiliencePipelines> logger)
{
    private readonly ConcurrentDictionary<Backend, Entry> _pipelines = new();

    public ResiliencePipeline For(Backend backend) => Get(backend).Pipeline;

    /// <summary>Closed, Open, HalfOpen or Isolated: for health checks.</summary>
    public CircuitState CircuitState(Backend backend) => Get(backend).Circuit.CircuitState;

    /// <summary>Runs <paramref name="call"/> through the backend's pipeline.</summary>
    public ValueTask<TResult> ExecuteAsync<TState, TResult>(
        Backend backend,
        Func<TState, CancellationToken, ValueTask<TResult>> call,
        TState state,
        CancellationToken cancellationToken) =>
        For(backend).ExecuteAsync(static (s, ct) => s.call(s.state, ct), (call, state), cancellationToken);

    private Entry Get(Backend backend) => _pipelines.GetOrAdd(backend, Build);

    private Entry Build(Backend backend)
    {
        var settings = options.Value.For(backend);
        var circuit = new CircuitBreakerStateProvider();
        var builder = new ResiliencePipelineBuilder { Name = backend.ToString() };

        builder.AddTimeout(TimeSpan.FromMilliseconds(Math.Max(1, settings.TotalTimeoutMs)));

        if (settings.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = static args => ValueTask.FromResult(
                    args.Outcome.Exception is { } e && TransientErrors.IsTransient(e, args.Context.CancellationToken)),
                MaxRetryAttempts = settings.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(Math.Max(1, settings.BaseDelayMs)),
                MaxDelay = TimeSpan.FromMilliseconds(Math.Max(1, settings.MaxDelayMs)),
                OnRetry = args =>
                {
                    LogRetry(logger, backend, args.AttemptNumber + 1, args.RetryDelay.TotalMilliseconds, args.Outcome.Exception?.GetType().Name);
                    return ValueTask.CompletedTask;
                },
            });
        }

        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            ShouldHandle = static args => ValueTask.FromResult(
                args.Outcome.Exception is { } e && TransientErrors.IsTransient(e, args.Context.CancellationToken)),
            FailureRatio = Math.Clamp(settings.BreakerFailureRatio, 0.01, 1.0),
            MinimumThroughput = Math.Max(2, settings.BreakerMinimumThroughput),
            SamplingDuration = TimeSpan.FromMilliseconds(Math.Max(500, settings.BreakerSamplingMs)),
            BreakDuration = TimeSpan.FromMilliseconds(Math.Max(500, settings.BreakerBreakMs)),
            StateProvider = circuit,
            OnOpened = args =>
            {
                LogOpened(logger, backend, args.BreakDuration.TotalMilliseconds, args.Outcome.Exception?.GetType().Name);
                return ValueTask.CompletedTask;
            },
            OnClosed = _ =>
            {
                LogClosed(logger, backend);
                return ValueTask.CompletedTask;
            },
        });

        builder.AddTimeout(new TimeoutStrategyOptions
        {
            Timeout = TimeSpan.FromMilliseconds(Math.Max(1, settings.AttemptTimeoutMs)),
        });

        return new Entry(builder.Build(), circuit);
    }

    private sealed record Entry(ResiliencePipeline Pipeline, CircuitBreakerStateProvider Circuit);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Backend}: retry {Attempt} in {DelayMs:F0} ms after {Error}")]
    private static partial void LogRetry(ILogger logger, Backend backend, int attempt, double delayMs, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Backend}: circuit opened for {BreakMs:F0} ms after {Error}")]
    private static partial void LogOpened(ILogger logger, Backend backend, double breakMs, string? error);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Backend}: circuit closed")]
    private static partial void LogClosed(ILogger logger, Backend backend);
}
