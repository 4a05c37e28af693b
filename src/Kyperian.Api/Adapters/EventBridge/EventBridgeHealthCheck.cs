using System.Diagnostics;
using Kyperian.Api.Adapters.Resilience;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Adapters.EventBridge;

/// <summary>DescribeEventBus on the configured bus, with its round trip and the publisher's circuit state.</summary>
public sealed class EventBridgeHealthCheck(
    IPutEventsClient client,
    IOptions<EventBridgeOptions> options,
    ResiliencePipelines resilience) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        var circuit = resilience.CircuitState(Backends.EventBridge);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            await client.DescribeEventBusAsync(options.Value.BusName, timeout.Token);
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var data = HealthData.Of(ms, circuit.ToString());
            return circuit == Polly.CircuitBreaker.CircuitState.Closed
                ? HealthCheckResult.Healthy($"{options.Value.BusName}, {ms:F1} ms", data)
                : HealthCheckResult.Degraded($"{options.Value.BusName}, circuit {circuit}, {ms:F1} ms", data: data);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            return new HealthCheckResult(
                context.Registration.FailureStatus,
                $"EventBridge unreachable after {ms:F1} ms: {ex.GetType().Name}",
                data: HealthData.Of(ms, circuit.ToString()));
        }
    }
}
