using Amazon.SQS;
using Amazon.SQS.Model;
using Kyperian.Api.Infrastructure.Resilience;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Infrastructure.Sqs;

/// <summary>The queue's backlog (ApproximateNumberOfMessages).</summary>
public sealed class SqsHealthCheck(IAmazonSQS sqs, IOptions<SqsOptions> options, ResiliencePipelines resilience)
    : BackendHealthCheck(resilience, Backend.Sqs, "SQS")
{
    protected override async Task<ProbeResult> ProbeAsync(CancellationToken cancellationToken)
    {
        var attributes = await sqs.GetQueueAttributesAsync(
            new GetQueueAttributesRequest { QueueUrl = options.Value.QueueUrl, AttributeNames = ["ApproximateNumberOfMessages"] },
            cancellationToken);
        return new ProbeResult(true, $"backlog {attributes.Attributes?.GetValueOrDefault("ApproximateNumberOfMessages") ?? "?"}");
    }
}
