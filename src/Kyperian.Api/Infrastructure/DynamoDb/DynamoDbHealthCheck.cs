using Amazon.DynamoDBv2;
using Kyperian.Api.Infrastructure.Resilience;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Infrastructure.DynamoDb;

/// <summary>Describes the signals table: reachable and ACTIVE.</summary>
public sealed class DynamoDbHealthCheck(IAmazonDynamoDB client, IOptions<DynamoDbOptions> options, ResiliencePipelines resilience)
    : BackendHealthCheck(resilience, Backend.DynamoDb, "DynamoDB")
{
    protected override async Task<ProbeResult> ProbeAsync(CancellationToken cancellationToken)
    {
        var table = await client.DescribeTableAsync(options.Value.SignalsTable, cancellationToken);
        var status = table.Table.TableStatus.Value;
        return new ProbeResult(status == "ACTIVE", $"{options.Value.SignalsTable} {status}");
    }
}
