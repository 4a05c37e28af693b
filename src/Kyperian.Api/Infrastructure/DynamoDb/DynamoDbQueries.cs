using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Kyperian.Api.Infrastructure.Resilience;

namespace Kyperian.Api.Infrastructure.DynamoDb;

internal enum PutOutcome
{
    Added,

    /// <summary>An item with the key was there before this call.</summary>
    Exists,

    /// <summary>The item is there, but an earlier, timed-out attempt of this same call may have written it.</summary>
    ExistsAfterRetry,
}

/// <summary>The item-level calls the stores share: conditional add, read by key, paged query.</summary>
internal static class DynamoDbQueries
{
    /// <summary>The index both tables have on (<c>symbol</c>, time), for newest-first listings.</summary>
    public const string BySymbolIndex = "bySymbol";

    /// <summary>Adds <paramref name="item"/> only when no item has its key, so a replay never overwrites.</summary>
    public static async Task<PutOutcome> PutIfAbsentAsync(
        IAmazonDynamoDB client,
        ResiliencePipelines resilience,
        string table,
        string keyName,
        Dictionary<string, AttributeValue> item,
        CancellationToken cancellationToken)
    {
        var attempts = 0;
        var request = new PutItemRequest
        {
            TableName = table,
            Item = item,
            ConditionExpression = $"attribute_not_exists({keyName})",
        };
        try
        {
            await resilience.ExecuteAsync(
                Backend.DynamoDb,
                async (r, ct) =>
                {
                    Interlocked.Increment(ref attempts);
                    return await client.PutItemAsync(r, ct);
                },
                request,
                cancellationToken);
            return PutOutcome.Added;
        }
        catch (ConditionalCheckFailedException)
        {
            return attempts > 1 ? PutOutcome.ExistsAfterRetry : PutOutcome.Exists;
        }
    }

    public static async Task<Dictionary<string, AttributeValue>?> GetItemAsync(
        IAmazonDynamoDB client,
        ResiliencePipelines resilience,
        string table,
        string keyName,
        string key,
        bool consistentRead,
        CancellationToken cancellationToken)
    {
        var response = await resilience.ExecuteAsync(
            Backend.DynamoDb,
            (r, ct) => new ValueTask<GetItemResponse>(client.GetItemAsync(r, ct)),
            new GetItemRequest
            {
                TableName = table,
                Key = new Dictionary<string, AttributeValue> { [keyName] = DynamoDbFormats.S(key) },
                ConsistentRead = consistentRead,
            },
            cancellationToken);
        return response.Item is { Count: > 0 } item ? item : null;
    }

    /// <summary>A symbol's items on the <c>bySymbol</c> index, newest first.</summary>
    public static Task<List<Dictionary<string, AttributeValue>>> QueryBySymbolAsync(
        IAmazonDynamoDB client,
        ResiliencePipelines resilience,
        string table,
        string symbol,
        int limit,
        CancellationToken cancellationToken) =>
        limit <= 0
            ? Task.FromResult(new List<Dictionary<string, AttributeValue>>())
            : QueryAsync(
                client,
                resilience,
                new QueryRequest
                {
                    TableName = table,
                    IndexName = BySymbolIndex,
                    KeyConditionExpression = "symbol = :symbol",
                    ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":symbol"] = DynamoDbFormats.S(symbol) },
                    ScanIndexForward = false,
                },
                limit,
                cancellationToken);

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
                Backend.DynamoDb,
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
