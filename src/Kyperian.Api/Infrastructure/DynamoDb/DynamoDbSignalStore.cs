using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Kyperian.Api.Infrastructure.Resilience;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Signals;
using Microsoft.Extensions.Options;
using static Kyperian.Api.Infrastructure.DynamoDb.DynamoDbFormats;

namespace Kyperian.Api.Infrastructure.DynamoDb;

/// <summary>
/// Signals in <c>{prefix}-signals</c>. One item per signal, keyed by its deterministic id and added only when absent,
/// so a replay is reported and never overwrites.
/// </summary>
/// <remarks>
/// Pending signals are found through a sparse GSI, <c>pending</c> (<c>pendingShard</c>, <c>receivedAt</c>): the shard
/// attribute exists only while a signal is Pending and is removed when it is marked Published, so the index holds just
/// the signals waiting for the bus. The sweeper reads only those, at a cost that does not grow with the table, where a
/// Scan with a filter would read (and pay for) every stored signal on each sweep. The key is spread over
/// <see cref="DynamoDbOptions.PendingShards"/> values because every signal passes through Pending.
/// </remarks>
public sealed class DynamoDbSignalStore(
    IAmazonDynamoDB client,
    IOptions<DynamoDbOptions> options,
    ResiliencePipelines resilience,
    TimeProvider time) : ISignalStore
{
    public const string BySymbolIndex = DynamoDbQueries.BySymbolIndex;
    public const string PendingIndex = "pending";

    private readonly DynamoDbOptions _options = options.Value;

    /// <summary>The attribute holding the alert's body until delivery; <see cref="FromItem"/> never reads it.</summary>
    internal const string RawAlertAttribute = "rawAlert";

    public Task<bool> TryAddAsync(Signal signal, PublishState state, CancellationToken cancellationToken) =>
        TryAddAsync(signal, state, rawAlert: null, cancellationToken);

    public async Task<bool> TryAddAsync(Signal signal, PublishState state, string? rawAlert, CancellationToken cancellationToken) =>
        await DynamoDbQueries.PutIfAbsentAsync(client, resilience, _options.SignalsTable, "signalId", ToItem(signal, state, rawAlert), cancellationToken) switch
        {
            PutOutcome.Added => true,

            // An earlier attempt may have written it before timing out: then it is ours, not a replay.
            PutOutcome.ExistsAfterRetry => (await GetAsync(signal.SignalId, cancellationToken))?.ReceivedAt == signal.ReceivedAt,
            _ => false,
        };

    public async Task<Signal?> GetAsync(string signalId, CancellationToken cancellationToken) =>
        await DynamoDbQueries.GetItemAsync(client, resilience, _options.SignalsTable, "signalId", signalId, _options.ConsistentReads, cancellationToken) is { } item
            ? FromItem(item)
            : null;

    public async Task<string?> GetRawAlertAsync(string signalId, CancellationToken cancellationToken) =>
        await DynamoDbQueries.GetItemAsync(client, resilience, _options.SignalsTable, "signalId", signalId, _options.ConsistentReads, cancellationToken) is { } item
            ? GetSOrNull(item, RawAlertAttribute)
            : null;

    public async Task DropRawAlertAsync(string signalId, CancellationToken cancellationToken)
    {
        try
        {
            await DropAsync(signalId, cancellationToken);
        }
        catch (ConditionalCheckFailedException)
        {
            // No such signal: nothing to forget.
        }
    }

    private async Task DropAsync(string signalId, CancellationToken cancellationToken) =>
        await resilience.ExecuteAsync(
            Backend.DynamoDb,
            (id, ct) => new ValueTask<UpdateItemResponse>(client.UpdateItemAsync(
                new UpdateItemRequest
                {
                    TableName = _options.SignalsTable,
                    Key = new Dictionary<string, AttributeValue> { ["signalId"] = S(id) },
                    UpdateExpression = "REMOVE " + RawAlertAttribute,
                    ConditionExpression = "attribute_exists(signalId)",
                },
                ct)),
            signalId,
            cancellationToken);

    public async Task<IReadOnlyList<Signal>> ListBySymbolAsync(Symbol symbol, int limit, CancellationToken cancellationToken) =>
        [.. (await DynamoDbQueries.QueryBySymbolAsync(client, resilience, _options.SignalsTable, symbol.Value, limit, cancellationToken)).Select(FromItem)];

    public async Task MarkPublishedAsync(string signalId, CancellationToken cancellationToken)
    {
        try
        {
            await resilience.ExecuteAsync(
                Backend.DynamoDb,
                (id, ct) => new ValueTask<UpdateItemResponse>(client.UpdateItemAsync(
                    new UpdateItemRequest
                    {
                        TableName = _options.SignalsTable,
                        Key = new Dictionary<string, AttributeValue> { ["signalId"] = S(id) },
                        // Leaving the sparse index is what marks it done for the sweeper.
                        UpdateExpression = "SET publishState = :published REMOVE pendingShard",
                        ConditionExpression = "attribute_exists(signalId)",
                        ExpressionAttributeValues = new Dictionary<string, AttributeValue>
                        {
                            [":published"] = S(nameof(PublishState.Published)),
                        },
                    },
                    ct)),
                signalId,
                cancellationToken);
        }
        catch (ConditionalCheckFailedException)
        {
            // Not stored (the store failed when the bus took it): nothing to mark, and no stub item is created.
        }
    }

    public async Task<IReadOnlyList<Signal>> ListPendingAsync(DateTimeOffset receivedBefore, int limit, CancellationToken cancellationToken)
    {
        if (limit <= 0)
        {
            return [];
        }

        var shards = Math.Max(1, _options.PendingShards);
        var queries = new Task<List<Dictionary<string, AttributeValue>>>[shards];
        for (var shard = 0; shard < shards; shard++)
        {
            queries[shard] = DynamoDbQueries.QueryAsync(
                client,
                resilience,
                new QueryRequest
                {
                    TableName = _options.SignalsTable,
                    IndexName = PendingIndex,
                    KeyConditionExpression = "pendingShard = :shard AND receivedAt < :before",
                    ExpressionAttributeValues = new Dictionary<string, AttributeValue>
                    {
                        [":shard"] = S(ShardKey(shard)),
                        [":before"] = S(Time(receivedBefore)),
                    },
                    ScanIndexForward = true,
                },
                limit,
                cancellationToken);
        }

        var results = await Task.WhenAll(queries);

        // A GSI is eventually consistent: an item just marked Published may still be listed, so check its state too.
        return
        [
            .. results.SelectMany(static r => r)
                .Where(static item => GetSOrNull(item, "publishState") == nameof(PublishState.Pending))
                .Select(FromItem)
                .OrderBy(static s => s.ReceivedAt)
                .ThenBy(static s => s.SignalId, StringComparer.Ordinal)
                .Take(limit),
        ];
    }

    internal Dictionary<string, AttributeValue> ToItem(Signal signal, PublishState state, string? rawAlert = null)
    {
        var item = new Dictionary<string, AttributeValue>(20)
        {
            ["signalId"] = S(signal.SignalId),
            ["symbol"] = S(signal.Symbol.Value),
            ["action"] = S(signal.Action.ToString()),
            ["timeframe"] = S(signal.Timeframe.Label),
            ["timeframeSeconds"] = Num(signal.Timeframe.Seconds),
            ["source"] = S(signal.Source),
            ["receivedAt"] = S(Time(signal.ReceivedAt)),
            ["publishState"] = S(state.ToString()),
            ["expiresAt"] = Num(ExpiresAt(signal)),
        };
        PutIfNotNull(item, "confidence", signal.Confidence);
        PutIfNotNull(item, "price", signal.Price);
        PutIfNotNull(item, "priceSource", signal.PriceSource == PriceSource.Alert ? null : signal.PriceSource.ToString());
        PutIfNotNull(item, "exchange", signal.Exchange);
        PutIfNotNull(item, "alertId", signal.AlertId);
        PutIfNotNull(item, "alertTime", signal.AlertTime is { } at ? Time(at) : null);
        PutIfNotNull(item, "quantity", signal.Quantity);
        PutIfNotNull(item, "stopLoss", signal.StopLoss);
        PutIfNotNull(item, "takeProfit", signal.TakeProfit);
        PutIfNotNull(item, "comment", signal.Comment);
        PutIfNotNull(item, RawAlertAttribute, rawAlert);
        if (state == PublishState.Pending)
        {
            item["pendingShard"] = S(ShardKey(ShardOf(signal.SignalId)));
        }

        return item;
    }

    internal static Signal FromItem(Dictionary<string, AttributeValue> item) => new()
    {
        SignalId = GetS(item, "signalId"),
        Symbol = Symbol.FromTrusted(GetS(item, "symbol")),
        Exchange = GetSOrNull(item, "exchange"),
        Action = Enum.Parse<SignalAction>(GetS(item, "action")),
        Timeframe = Timeframe.FromSeconds((int)GetLong(item, "timeframeSeconds")),
        Price = GetDecimalOrNull(item, "price"),
        PriceSource = GetSOrNull(item, "priceSource") is { } priceSource ? Enum.Parse<PriceSource>(priceSource) : PriceSource.Alert,
        Confidence = GetDecimalOrNull(item, "confidence") is { } confidence ? (int)confidence : null,
        Source = GetS(item, "source"),
        AlertId = GetSOrNull(item, "alertId"),
        AlertTime = GetSOrNull(item, "alertTime") is { } alertTime ? ParseTime(alertTime) : null,
        ReceivedAt = ParseTime(GetS(item, "receivedAt")),
        Quantity = GetDecimalOrNull(item, "quantity"),
        StopLoss = GetDecimalOrNull(item, "stopLoss"),
        TakeProfit = GetDecimalOrNull(item, "takeProfit"),
        Comment = GetSOrNull(item, "comment"),
    };

    /// <summary>Epoch seconds, as DynamoDB's TTL reads them: receipt plus the retention, never already in the past.</summary>
    private long ExpiresAt(Signal signal)
    {
        var retention = TimeSpan.FromDays(Math.Max(1, _options.SignalRetentionDays));
        var from = signal.ReceivedAt > time.GetUtcNow() - retention ? signal.ReceivedAt : time.GetUtcNow();
        return (from + retention).ToUnixTimeSeconds();
    }

    private int ShardOf(string signalId)
    {
        // FNV-1a: stable across processes, unlike string.GetHashCode.
        var hash = 2166136261u;
        foreach (var c in signalId)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % (uint)Math.Max(1, _options.PendingShards));
    }

    private static string ShardKey(int shard) => "pending#" + shard.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
