using System.Diagnostics;
using Amazon.DynamoDBv2;
using Kyperian.Api.Adapters.Resilience;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Adapters.DynamoDb;

/// <summary>Describes the signals table: reachable, ACTIVE, and how long the round trip took.</summary>
public sealed class DynamoDbHealthCheck(
    IAmazonDynamoDB client,
    IOptions<DynamoDbOptions> options,
    ResiliencePipelines resilience) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            var table = await client.DescribeTableAsync(options.Value.SignalsTable, timeout.Token);
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var circuit = resilience.CircuitState(Backends.DynamoDb);
            var data = HealthData.Of(ms, circuit.ToString());
            var status = table.Table.TableStatus.Value;
            return status == "ACTIVE" && circuit == Polly.CircuitBreaker.CircuitState.Closed
                ? HealthCheckResult.Healthy($"{options.Value.SignalsTable} {status}, {ms:F1} ms", data)
                : HealthCheckResult.Degraded($"{options.Value.SignalsTable} {status}, circuit {circuit}, {ms:F1} ms", data: data);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            return new HealthCheckResult(
                context.Registration.FailureStatus,
                $"DynamoDB unreachable after {ms:F1} ms: {ex.GetType().Name}",
                data: HealthData.Of(ms, resilience.CircuitState(Backends.DynamoDb).ToString()));
        }
    }
}
