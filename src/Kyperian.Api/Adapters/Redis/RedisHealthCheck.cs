using System.Diagnostics;
using Kyperian.Api.Adapters.Resilience;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Kyperian.Api.Adapters.Redis;

/// <summary>PING with its round trip. Redis away is Degraded by default: the webhook still works without it.</summary>
public sealed class RedisHealthCheck(RedisConnection connection, ResiliencePipelines resilience) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var db = await connection.DatabaseAsync();
            var ping = await db.PingAsync().WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            return HealthCheckResult.Healthy(
                $"PING {ping.TotalMilliseconds:F2} ms", HealthData.Of(ms, resilience.CircuitState(Backends.Redis).ToString()));
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            return new HealthCheckResult(
                context.Registration.FailureStatus,
                $"Redis unreachable after {ms:F1} ms: {ex.GetType().Name}",
                data: HealthData.Of(ms, resilience.CircuitState(Backends.Redis).ToString()));
        }
    }
}
