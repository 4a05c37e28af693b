using System.Diagnostics;
using Amazon.SQS;
using Amazon.SQS.Model;
using Kyperian.Api.Adapters.Resilience;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Adapters.Sqs;

/// <summary>The queue's backlog (ApproximateNumberOfMessages) with the round trip.</summary>
public sealed class SqsHealthCheck(IAmazonSQS sqs, IOptions<SqsOptions> options, ResiliencePipelines resilience) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        var circuit = resilience.CircuitState(Backends.Sqs).ToString();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            var attributes = await sqs.GetQueueAttributesAsync(
                new GetQueueAttributesRequest { QueueUrl = options.Value.QueueUrl, AttributeNames = ["ApproximateNumberOfMessages"] },
                timeout.Token);
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var backlog = attributes.Attributes?.GetValueOrDefault("ApproximateNumberOfMessages") ?? "?";
            var data = new Dictionary<string, object>(HealthData.Of(ms, circuit)) { ["backlog"] = backlog };
            return HealthCheckResult.Healthy($"backlog {backlog}, {ms:F1} ms", data);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            return new HealthCheckResult(
                context.Registration.FailureStatus, $"SQS unreachable after {ms:F1} ms: {ex.GetType().Name}", data: HealthData.Of(ms, circuit));
        }
    }
}
