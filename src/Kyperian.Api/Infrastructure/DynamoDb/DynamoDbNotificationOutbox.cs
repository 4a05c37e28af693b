using System.IO.Hashing;
using System.Text;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Kyperian.Api.Infrastructure.Resilience;
using Kyperian.Domain.Ports;
using Microsoft.Extensions.Options;
using static Kyperian.Api.Infrastructure.DynamoDb.DynamoDbFormats;

namespace Kyperian.Api.Infrastructure.DynamoDb;

/// <summary>
/// The notification outbox in the decisions table, beside the decisions that raise its events: one item per delivery
/// under the key <c>ntf#{deliveryId}</c> (no <c>symbol</c>, so never in <c>bySymbol</c>), added only when absent.
/// </summary>
/// <remarks>
/// Two sparse GSIs keep reads proportional to what is asked for. <c>outboxDue</c> (<c>outboxDue</c>, <c>dueAt</c>) holds
/// only pending deliveries, keyed by destination and shard, sorted by when they are next due (their planned attempt, or
/// the end of a worker's claim): a destination's worker queries just its due items. <c>outboxStatus</c>
/// (<c>outboxStatus</c>, <c>outboxAt</c>) lists deliveries by status, newest first, for <c>GET /notifications</c>. Both
/// keys are spread over <see cref="DynamoDbOptions.PendingShards"/> values, as every delivery passes through them. A
/// claim is a conditional update on the item (its <c>dueAt</c> unchanged since the index showed it), so two workers
/// never both hold one; the index is only eventually consistent, the condition is not.
/// </remarks>
public sealed class DynamoDbNotificationOutbox(
    IAmazonDynamoDB client,
    IOptions<DynamoDbOptions> options,
    ResiliencePipelines resilience) : INotificationOutbox
{
    public const string KeyPrefix = "ntf#";
    public const string DueIndex = "outboxDue";
    public const string StatusIndex = "outboxStatus";

    private readonly DynamoDbOptions _options = options.Value;

    private int Shards => Math.Max(1, _options.PendingShards);

    public async Task EnqueueAsync(IReadOnlyList<OutboxDelivery> deliveries, CancellationToken cancellationToken)
    {
        // Each is its own conditional put: a delivery enqueued before (a repaired step) is left as it is.
        await Task.WhenAll(deliveries.Select(d =>
            DynamoDbQueries.PutIfAbsentAsync(client, resilience, _options.DecisionsTable, "decisionId", ToItem(d), cancellationToken)));
    }

    public async Task<IReadOnlyList<OutboxDelivery>> ClaimDueAsync(
        string destination, DateTimeOffset now, TimeSpan lease, int limit, CancellationToken cancellationToken)
    {
        if (limit <= 0)
        {
            return [];
        }

        var candidates = (await QueryShardsAsync(
                DueIndex,
                "outboxDue = :due AND dueAt <= :now",
                shard => new() { [":due"] = S(DueKey(destination, shard)), [":now"] = S(Time(now)) },
                oldestFirst: true,
                limit,
                cancellationToken))
            .OrderBy(static item => GetS(item, "dueAt"), StringComparer.Ordinal)
            .ToList();

        var claimed = new List<OutboxDelivery>(limit);
        var until = S(Time(now + lease));
        foreach (var candidate in candidates)
        {
            if (claimed.Count == limit)
            {
                break;
            }

            try
            {
                var response = await Update(
                    GetS(candidate, "decisionId"),
                    "SET claimedUntil = :until, dueAt = :until",
                    "#status = :pending AND dueAt = :seen",
                    new() { [":until"] = until, [":pending"] = S(nameof(DeliveryStatus.Pending)), [":seen"] = candidate["dueAt"] },
                    cancellationToken,
                    ReturnValue.ALL_NEW);
                claimed.Add(FromItem(response.Attributes));
            }
            catch (ConditionalCheckFailedException)
            {
                // Another worker claimed it, or it was sent, since the index was read.
            }
        }

        return claimed;
    }

    public Task MarkSentAsync(string deliveryId, int attempts, DateTimeOffset at, CancellationToken cancellationToken) =>
        UpdateExisting(
            deliveryId,
            "SET #status = :sent, attempts = :attempts, lastAttemptAt = :at, sentAt = :at, outboxStatus = :statusKey, outboxAt = :at "
                + "REMOVE outboxDue, dueAt, claimedUntil, rawAlert",
            new()
            {
                [":sent"] = S(nameof(DeliveryStatus.Sent)),
                [":attempts"] = Num(attempts),
                [":at"] = S(Time(at)),
                [":statusKey"] = S(StatusKey(DeliveryStatus.Sent, deliveryId)),
            },
            cancellationToken);

    public Task MarkRetryingAsync(
        string deliveryId,
        int attempts,
        DateTimeOffset at,
        string error,
        DateTimeOffset nextAttemptAt,
        DateTimeOffset claimedUntil,
        CancellationToken cancellationToken) =>
        UpdateExisting(
            deliveryId,
            "SET attempts = :attempts, lastAttemptAt = :at, lastError = :error, nextAttemptAt = :next, claimedUntil = :until, dueAt = :until, outboxAt = :at",
            new()
            {
                [":attempts"] = Num(attempts),
                [":at"] = S(Time(at)),
                [":error"] = S(error),
                [":next"] = S(Time(nextAttemptAt)),
                [":until"] = S(Time(claimedUntil > nextAttemptAt ? claimedUntil : nextAttemptAt)),
            },
            cancellationToken);

    public Task MarkFailedAsync(string deliveryId, int attempts, DateTimeOffset at, string error, CancellationToken cancellationToken) =>
        UpdateExisting(
            deliveryId,
            "SET #status = :failed, attempts = :attempts, lastAttemptAt = :at, lastError = :error, outboxStatus = :statusKey, outboxAt = :at "
                + "REMOVE outboxDue, dueAt, claimedUntil",
            new()
            {
                [":failed"] = S(nameof(DeliveryStatus.Failed)),
                [":attempts"] = Num(attempts),
                [":at"] = S(Time(at)),
                [":error"] = S(error),
                [":statusKey"] = S(StatusKey(DeliveryStatus.Failed, deliveryId)),
            },
            cancellationToken);

    public async Task<OutboxDelivery?> GetAsync(string deliveryId, CancellationToken cancellationToken) =>
        await DynamoDbQueries.GetItemAsync(
            client, resilience, _options.DecisionsTable, "decisionId", KeyPrefix + deliveryId, _options.ConsistentReads, cancellationToken) is { } item
            ? FromItem(item)
            : null;

    public async Task<IReadOnlyList<OutboxDelivery>> ListAsync(DeliveryStatus status, int limit, CancellationToken cancellationToken)
    {
        if (limit <= 0)
        {
            return [];
        }

        var items = await QueryShardsAsync(
            StatusIndex,
            "outboxStatus = :status",
            shard => new() { [":status"] = S(StatusKey(status, shard)) },
            oldestFirst: false,
            limit,
            cancellationToken);

        // The index lags the item a little: keep only what still has the status asked for.
        return
        [
            .. items
                .Select(FromItem)
                .Where(d => d.Status == status)
                .OrderByDescending(static d => d.LastAttemptAt ?? d.CreatedAt)
                .ThenBy(static d => d.DeliveryId, StringComparer.Ordinal)
                .Take(limit),
        ];
    }

    /// <summary>The same query on every shard of a sparse index, up to <paramref name="limit"/> items each, together.</summary>
    private async Task<IEnumerable<Dictionary<string, AttributeValue>>> QueryShardsAsync(
        string index,
        string keyCondition,
        Func<int, Dictionary<string, AttributeValue>> values,
        bool oldestFirst,
        int limit,
        CancellationToken cancellationToken)
    {
        var queries = Enumerable.Range(0, Shards).Select(shard => DynamoDbQueries.QueryAsync(
            client,
            resilience,
            new QueryRequest
            {
                TableName = _options.DecisionsTable,
                IndexName = index,
                KeyConditionExpression = keyCondition,
                ExpressionAttributeValues = values(shard),
                ScanIndexForward = oldestFirst,
            },
            limit,
            cancellationToken));
        return (await Task.WhenAll(queries)).SelectMany(static items => items);
    }

    public async Task<bool> RetryAsync(string deliveryId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var item = await DynamoDbQueries.GetItemAsync(
            client, resilience, _options.DecisionsTable, "decisionId", KeyPrefix + deliveryId, consistentRead: true, cancellationToken);
        if (item is null)
        {
            return false;
        }

        try
        {
            await Update(
                KeyPrefix + deliveryId,
                "SET #status = :pending, attempts = :zero, nextAttemptAt = :now, dueAt = :now, outboxDue = :dueKey, outboxStatus = :statusKey, outboxAt = :now "
                    + "REMOVE claimedUntil",
                "#status = :failed",
                new()
                {
                    [":pending"] = S(nameof(DeliveryStatus.Pending)),
                    [":failed"] = S(nameof(DeliveryStatus.Failed)),
                    [":zero"] = Num(0),
                    [":now"] = S(Time(now)),
                    [":dueKey"] = S(DueKey(GetS(item, "destination"), ShardOf(deliveryId))),
                    [":statusKey"] = S(StatusKey(DeliveryStatus.Pending, deliveryId)),
                },
                cancellationToken);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    internal Dictionary<string, AttributeValue> ToItem(OutboxDelivery delivery)
    {
        var shard = ShardOf(delivery.DeliveryId);
        var item = new Dictionary<string, AttributeValue>(20)
        {
            ["decisionId"] = S(KeyPrefix + delivery.DeliveryId),
            ["deliveryId"] = S(delivery.DeliveryId),
            ["eventId"] = S(delivery.EventId),
            ["eventType"] = S(delivery.EventType),
            ["destination"] = S(delivery.Destination),
            ["payload"] = S(delivery.Payload),
            ["status"] = S(delivery.Status.ToString()),
            ["attempts"] = Num(delivery.Attempts),
            ["createdAt"] = S(Time(delivery.CreatedAt)),
            ["nextAttemptAt"] = S(Time(delivery.NextAttemptAt)),
            ["outboxStatus"] = S(StatusKey(delivery.Status, shard)),
            ["outboxAt"] = S(Time(delivery.LastAttemptAt ?? delivery.CreatedAt)),
        };
        PutIfNotNull(item, "rawAlert", delivery.RawAlert);
        PutIfNotNull(item, "lastError", delivery.LastError);
        PutIfNotNull(item, "lastAttemptAt", delivery.LastAttemptAt is { } last ? Time(last) : null);
        PutIfNotNull(item, "sentAt", delivery.SentAt is { } sent ? Time(sent) : null);
        PutIfNotNull(item, "claimedUntil", delivery.ClaimedUntil is { } until ? Time(until) : null);
        if (delivery.Status == DeliveryStatus.Pending)
        {
            var due = delivery.ClaimedUntil is { } claimed && claimed > delivery.NextAttemptAt ? claimed : delivery.NextAttemptAt;
            item["outboxDue"] = S(DueKey(delivery.Destination, shard));
            item["dueAt"] = S(Time(due));
        }

        return item;
    }

    internal static OutboxDelivery FromItem(Dictionary<string, AttributeValue> item) => new()
    {
        DeliveryId = GetS(item, "deliveryId"),
        EventId = GetS(item, "eventId"),
        EventType = GetS(item, "eventType"),
        Destination = GetS(item, "destination"),
        Payload = GetS(item, "payload"),
        RawAlert = GetSOrNull(item, "rawAlert"),
        Status = Enum.Parse<DeliveryStatus>(GetS(item, "status")),
        Attempts = (int)GetLong(item, "attempts"),
        CreatedAt = ParseTime(GetS(item, "createdAt")),
        NextAttemptAt = ParseTime(GetS(item, "nextAttemptAt")),
        ClaimedUntil = GetSOrNull(item, "claimedUntil") is { } until ? ParseTime(until) : null,
        LastAttemptAt = GetSOrNull(item, "lastAttemptAt") is { } last ? ParseTime(last) : null,
        LastError = GetSOrNull(item, "lastError"),
        SentAt = GetSOrNull(item, "sentAt") is { } sent ? ParseTime(sent) : null,
    };

    private static string DueKey(string destination, int shard) => $"{destination}#{shard}";

    private string StatusKey(DeliveryStatus status, string deliveryId) => StatusKey(status, ShardOf(deliveryId));

    private static string StatusKey(DeliveryStatus status, int shard) => $"{status.ToString().ToLowerInvariant()}#{shard}";

    /// <summary>A delivery keeps its shard for life, so that each of its index keys is found in one place.</summary>
    private int ShardOf(string deliveryId) =>
        (int)(XxHash32.HashToUInt32(Encoding.UTF8.GetBytes(deliveryId)) % (uint)Shards);

    /// <summary>Updates a delivery that exists; one that does not (retention took it) is left alone.</summary>
    private async Task UpdateExisting(
        string deliveryId, string update, Dictionary<string, AttributeValue> values, CancellationToken cancellationToken)
    {
        try
        {
            await Update(KeyPrefix + deliveryId, update, "attribute_exists(decisionId)", values, cancellationToken);
        }
        catch (ConditionalCheckFailedException)
        {
            // Gone: nothing to record.
        }
    }

    private async Task<UpdateItemResponse> Update(
        string key,
        string update,
        string condition,
        Dictionary<string, AttributeValue> values,
        CancellationToken cancellationToken,
        ReturnValue? returnValues = null) =>
        await resilience.ExecuteAsync(
            Backend.DynamoDb,
            (request, ct) => new ValueTask<UpdateItemResponse>(client.UpdateItemAsync(request, ct)),
            new UpdateItemRequest
            {
                TableName = _options.DecisionsTable,
                Key = new Dictionary<string, AttributeValue> { ["decisionId"] = S(key) },
                UpdateExpression = update,
                ConditionExpression = condition,
                ExpressionAttributeValues = values,

                // "status" is a reserved word in DynamoDB expressions.
                ExpressionAttributeNames = update.Contains("#status", StringComparison.Ordinal) || condition.Contains("#status", StringComparison.Ordinal)
                    ? new Dictionary<string, string> { ["#status"] = "status" }
                    : null,
                ReturnValues = returnValues ?? ReturnValue.NONE,
            },
            cancellationToken);
}
