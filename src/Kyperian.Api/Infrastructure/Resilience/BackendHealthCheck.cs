using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Polly.CircuitBreaker;

namespace Kyperian.Api.Infrastructure.Resilience;

/// <summary>What a backend's probe saw: whether it is fit for work, and a short line for operators.</summary>
public readonly record struct ProbeResult(bool Fit, string Detail);

/// <summary>
/// The shape every remote backend's health check shares: one probe with a short timeout, its round trip, and the
/// backend's circuit (an open circuit means requests fail fast, so the backend counts as Degraded).
/// </summary>
public abstract class BackendHealthCheck(ResiliencePipelines resilience, Backend backend, string displayName) : IHealthCheck
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ProbeTimeout);
            var probe = await ProbeAsync(timeout.Token);
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var circuit = resilience.CircuitState(backend);
            return probe.Fit && circuit == CircuitState.Closed
                ? HealthCheckResult.Healthy($"{probe.Detail}, {ms:F1} ms")
                : HealthCheckResult.Degraded($"{probe.Detail}, circuit {circuit}, {ms:F1} ms");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            return new HealthCheckResult(
                context.Registration.FailureStatus,
                $"{displayName} unreachable after {ms:F1} ms: {ex.GetType().Name}, circuit {resilience.CircuitState(backend)}");
        }
    }

    /// <summary>One cheap call that proves the backend answers; throws when it does not.</summary>
    protected abstract Task<ProbeResult> ProbeAsync(CancellationToken cancellationToken);
}
