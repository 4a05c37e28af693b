using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Kyperian.Api.Adapters.Resilience;

namespace Kyperian.Api.Adapters.DynamoDb;

internal static class DynamoDbQueries
{
    /// <summary>
    /// Runs a query until <paramref name="limit"/> items are read or the key range ends: a page stops at 1 MB, so
    /// one call can return fewer items than asked for while more remain.
    /// </summary>
    public static async Task<List<Dictionary<string, AttributeValue>>> QueryAsync(
        IAmazonDynamoDB client,
        ResiliencePipelines resilience,
        QueryRequest request,
        int limit,
        CancellationToken cancellationToken)
    {
        var items = new List<Dictionary<string, AttributeValue>>(Math.Min(limit, 256));
        Dictionary<string, AttributeValue>? startKey = null;
        do
        {
            request.Limit = limit - items.Count;
            request.ExclusiveStartKey = startKey;
            var page = await resilience.ExecuteAsync(
                Backends.DynamoDb,
                (r, ct) => new ValueTask<QueryResponse>(client.QueryAsync(r, ct)),
                request,
                cancellationToken);
            if (page.Items is { } pageItems)
            {
                items.AddRange(pageItems);
            }

            startKey = page.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (startKey is not null && items.Count < limit);

        return items;
    }
}
