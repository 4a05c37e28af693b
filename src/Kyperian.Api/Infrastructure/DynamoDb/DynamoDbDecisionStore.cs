using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Kyperian.Api.Infrastructure.Resilience;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Signals;
using Microsoft.Extensions.Options;
using static Kyperian.Api.Infrastructure.DynamoDb.DynamoDbFormats;

namespace Kyperian.Api.Infrastructure.DynamoDb;

/// <summary>
/// Decisions in <c>{prefix}-decisions</c>, keyed by <c>decisionId</c> (derived from the trigger signal's id) and added
/// only when absent: deciding a redelivered signal again records it once. Every other member of a bar-close burst gets a
/// pointer item under its own decision id (<c>memberOf</c>, no <c>symbol</c>, so never listed), so asking for any
/// member's decision finds the burst's. Scalars are attributes; the per-timeframe inputs, the explanations and the
/// positions are JSON string attributes, the reasons a list of their codes.
/// </summary>
/// <remarks>
/// Listing across symbols reads the <c>byTime</c> index: partition <c>decidedMonth</c> (<c>yyyy-MM</c>), sort
/// <c>decidedKey</c> (<c>decidedAt#decisionId</c>, unique and in list order). A page queries the newest month of its
/// range first and walks back only through months that have decisions, which the item <c>decisionId = index#months</c>
/// lists (a string set, added to once per month by each engine). A month per partition keeps a page to one or two
/// queries; the write rate of one month's partition is the decision rate, far below a partition's limit.
/// </remarks>
public sealed class DynamoDbDecisionStore(
    IAmazonDynamoDB client,
    IOptions<DynamoDbOptions> options,
    ResiliencePipelines resilience,
    TimeProvider time,
    DynamoDbSymbolRegistry symbols) : IDecisionStore, IDecisionHistory
{
    public const string BySymbolIndex = DynamoDbQueries.BySymbolIndex;
    public const string ByTimeIndex = "byTime";
    public const string MonthsKey = "index#months";

    /// <summary>How long the list of months is reused before it is read again; the current month is always walked.</summary>
    private static readonly TimeSpan MonthsCacheLifetime = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, bool> _registeredMonths = new(StringComparer.Ordinal);
    private (DateTimeOffset ReadAt, IReadOnlyList<string> Months)? _months;

    private const string MemberOf = "memberOf";

    private readonly DynamoDbOptions _options = options.Value;

    public async Task<bool> TryAddAsync(Decision decision, CancellationToken cancellationToken)
    {
        // The month is listed before its first decision is stored, so a listing never passes over a month with decisions.
        await RegisterMonthAsync(Month(decision.DecidedAt), cancellationToken);
        var outcome = await DynamoDbQueries.PutIfAbsentAsync(client, resilience, _options.DecisionsTable, "decisionId", ToItem(decision), cancellationToken);

        // An earlier attempt may have written it before timing out: then it is ours.
        var added = outcome == PutOutcome.Added
            || (outcome == PutOutcome.ExistsAfterRetry && (await GetAsync(decision.DecisionId, cancellationToken))?.DecidedAt == decision.DecidedAt);
        if (added)
        {
            // Once per symbol and process: reads across every symbol (replays, performance) find it without a scan.
            await symbols.RegisterAsync(decision.Symbol, cancellationToken);
            foreach (var member in decision.Members)
            {
                var memberDecisionId = SignalIdentity.DecisionIdFor(member);
                if (memberDecisionId != decision.DecisionId)
                {
                    await PutPointerAsync(memberDecisionId, decision.DecisionId, cancellationToken);
                }
            }
        }

        return added;
    }

    public async Task<Decision?> GetAsync(string decisionId, CancellationToken cancellationToken)
    {
        var item = await GetItemAsync(decisionId, cancellationToken);
        if (item is not null && item.TryGetValue(MemberOf, out var pointer) && pointer.S is { } burstDecisionId)
        {
            item = await GetItemAsync(burstDecisionId, cancellationToken);
        }

        // Other records share the table under reserved keys: they are no decisions.
        return item is not null && item.ContainsKey("verdict") ? FromItem(item) : null;
    }

    public async Task<IReadOnlyList<Decision>> ListBySymbolAsync(Symbol symbol, int limit, CancellationToken cancellationToken) =>
        [.. (await DynamoDbQueries.QueryBySymbolAsync(client, resilience, _options.DecisionsTable, symbol.Value, limit, cancellationToken)).Select(FromItem)];

    public async Task<DecisionPage> QueryAsync(DecisionQuery query, CancellationToken cancellationToken)
    {
        var limit = Math.Clamp(query.Limit, 1, DecisionQuery.MaxLimit);
        var upper = query.After is { } after && (query.To is not { } to || after.DecidedAt <= to) ? after.DecidedAt : query.To;
        var collected = new List<Decision>(Math.Min(limit + 1, 256));
        if (query.Symbol is { } symbol)
        {
            var request = new QueryRequest
            {
                TableName = _options.DecisionsTable,
                IndexName = BySymbolIndex,
                ScanIndexForward = false,
                ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":symbol"] = S(symbol.Value) },
            };
            request.KeyConditionExpression = "symbol = :symbol" + Range(request, "decidedAt", query.From is { } f ? Time(f) : null, upper is { } u ? Time(u) : null);
            Filter(request, query);
            await CollectAsync(request, query, limit, collected, cancellationToken);
        }
        else
        {
            var lowest = query.From is { } from ? Month(from) : null;
            var highest = Month(upper ?? time.GetUtcNow());
            foreach (var month in (await MonthsAsync(cancellationToken)).Append(Month(time.GetUtcNow())).Distinct()
                .Where(m => string.CompareOrdinal(m, highest) <= 0 && (lowest is null || string.CompareOrdinal(m, lowest) >= 0))
                .OrderDescending(StringComparer.Ordinal))
            {
                var request = new QueryRequest
                {
                    TableName = _options.DecisionsTable,
                    IndexName = ByTimeIndex,
                    ScanIndexForward = false,
                    ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":month"] = S(month) },
                };
                var high = query.After is { } a && a.DecidedAt == upper ? $"{Time(a.DecidedAt)}#{a.DecisionId}" : upper is { } u ? $"{Time(u)}#~" : null;
                request.KeyConditionExpression = "decidedMonth = :month" + Range(request, "decidedKey", query.From is { } f ? Time(f) : null, high);
                Filter(request, query);
                await CollectAsync(request, query, limit, collected, cancellationToken);
                if (collected.Count > limit)
                {
                    break;
                }
            }
        }

        collected.Sort(static (a, b) => DecisionPosition.Of(a).IsBefore(DecisionPosition.Of(b)) ? -1 : DecisionPosition.Of(b).IsBefore(DecisionPosition.Of(a)) ? 1 : 0);
        return collected.Count > limit
            ? new DecisionPage(collected[..limit], DecisionPosition.Of(collected[limit - 1]))
            : new DecisionPage(collected, null);
    }

    /// <summary>Items hold a decision's parts as attributes, not its JSON: each is written once here, as the API writes a decision.</summary>
    public async Task<DecisionJsonPage> QueryJsonAsync(DecisionQuery query, CancellationToken cancellationToken)
    {
        var page = await QueryAsync(query, cancellationToken);
        return new DecisionJsonPage(
            [.. page.Decisions.Select(d => new ReadOnlyMemory<byte>(JsonSerializer.SerializeToUtf8Bytes(d, DynamoDbJsonContext.Default.Decision)))],
            page.Next);
    }

    public async Task<IReadOnlyDictionary<Symbol, Decision>> LatestBySymbolAsync(IReadOnlyCollection<Symbol> symbols, CancellationToken cancellationToken)
    {
        var latest = new ConcurrentDictionary<Symbol, Decision>();
        await Parallel.ForEachAsync(
            symbols,
            new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken },
            async (symbol, ct) =>
            {
                if (await ListBySymbolAsync(symbol, 1, ct) is [var newest])
                {
                    latest[symbol] = newest;
                }
            });
        return latest;
    }

    /// <summary>
    /// Reads <paramref name="request"/>'s items into <paramref name="collected"/> past the query's cursor until one more
    /// than <paramref name="limit"/> is there and every item as old as the page's last one has been read: an index
    /// orders items of one sort key value arbitrarily, and the list orders them by id.
    /// </summary>
    private async Task CollectAsync(QueryRequest request, DecisionQuery query, int limit, List<Decision> collected, CancellationToken cancellationToken)
    {
        Dictionary<string, AttributeValue>? startKey = null;
        do
        {
            request.Limit = Math.Max(limit + 1 - collected.Count, 16);
            request.ExclusiveStartKey = startKey;
            var page = await resilience.ExecuteAsync(
                Backend.DynamoDb,
                (r, ct) => new ValueTask<QueryResponse>(client.QueryAsync(r, ct)),
                request,
                cancellationToken);
            foreach (var item in page.Items ?? [])
            {
                // An index may briefly hold one decision twice (a write retried across a crash): it is listed once.
                var decision = FromItem(item);
                if ((query.After is not { } after || after.IsBefore(DecisionPosition.Of(decision)))
                    && !collected.Exists(d => d.DecisionId == decision.DecisionId))
                {
                    collected.Add(decision);
                }
            }

            startKey = page.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (startKey is not null && !(collected.Count > limit && collected[^1].DecidedAt < collected[limit - 1].DecidedAt));
    }

    private static string Range(QueryRequest request, string attribute, string? low, string? high)
    {
        switch (low, high)
        {
            case ({ } l, { } h):
                request.ExpressionAttributeValues[":low"] = S(l);
                request.ExpressionAttributeValues[":high"] = S(h);
                return $" AND {attribute} BETWEEN :low AND :high";
            case ({ } l, null):
                request.ExpressionAttributeValues[":low"] = S(l);
                return $" AND {attribute} >= :low";
            case (null, { } h):
                request.ExpressionAttributeValues[":high"] = S(h);
                return $" AND {attribute} <= :high";
            default:
                return string.Empty;
        }
    }

    private static void Filter(QueryRequest request, DecisionQuery query)
    {
        var conditions = new List<string>(2);
        if (query.Verdict is { } verdict)
        {
            request.ExpressionAttributeValues[":verdict"] = S(verdict.Code());
            conditions.Add("verdict = :verdict");
        }

        if (query.Reason is { } reason)
        {
            request.ExpressionAttributeValues[":reason"] = S(reason.Code());
            conditions.Add("contains(reasons, :reason)");
        }

        if (conditions.Count > 0)
        {
            request.FilterExpression = string.Join(" AND ", conditions);
        }
    }

    private async Task RegisterMonthAsync(string month, CancellationToken cancellationToken)
    {
        if (_registeredMonths.ContainsKey(month))
        {
            return;
        }

        await resilience.ExecuteAsync(
            Backend.DynamoDb,
            (r, ct) => new ValueTask<UpdateItemResponse>(client.UpdateItemAsync(r, ct)),
            new UpdateItemRequest
            {
                TableName = _options.DecisionsTable,
                Key = new Dictionary<string, AttributeValue> { ["decisionId"] = S(MonthsKey) },
                UpdateExpression = "ADD months :month",
                ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":month"] = new() { SS = [month] } },
            },
            cancellationToken);
        _registeredMonths[month] = true;
    }

    private async Task<IReadOnlyList<string>> MonthsAsync(CancellationToken cancellationToken)
    {
        if (_months is { } cached && time.GetUtcNow() - cached.ReadAt < MonthsCacheLifetime)
        {
            return cached.Months;
        }

        var item = await DynamoDbQueries.GetItemAsync(
            client, resilience, _options.DecisionsTable, "decisionId", MonthsKey, consistentRead: false, cancellationToken);
        IReadOnlyList<string> months = item is not null && item.TryGetValue("months", out var set) && set.SS is { } list ? [.. list] : [];
        _months = (time.GetUtcNow(), months);
        return months;
    }

    /// <summary>The <c>byTime</c> partition of an instant: its UTC month.</summary>
    internal static string Month(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    internal static Dictionary<string, AttributeValue> ToItem(Decision decision)
    {
        var item = new Dictionary<string, AttributeValue>(24)
        {
            ["decidedMonth"] = S(Month(decision.DecidedAt)),
            ["decidedKey"] = S($"{Time(decision.DecidedAt)}#{decision.DecisionId}"),
            ["decisionId"] = S(decision.DecisionId),
            ["signalId"] = S(decision.SignalId),
            ["symbol"] = S(decision.Symbol.Value),
            ["timeframe"] = S(decision.Timeframe.Label),
            ["timeframeSeconds"] = Num(decision.Timeframe.Seconds),
            ["action"] = S(decision.Action.ToString()),
            ["verdict"] = S(decision.Verdict.Code()),
            ["score"] = Num(decision.Score),
            ["alignment"] = Num(decision.Alignment),
            ["positionSizePct"] = Num(decision.PositionSizePct),
            ["reasons"] = new AttributeValue { L = [.. decision.Reasons.Select(r => S(r.Code()))] },
            ["inputs"] = S(JsonSerializer.Serialize([.. decision.Inputs], DynamoDbJsonContext.Default.ListTimeframeInput)),
            ["members"] = new AttributeValue { L = [.. decision.Members.Select(S)] },
            ["settingsVersion"] = Num(decision.SettingsVersion),
            ["decidedAt"] = S(Time(decision.DecidedAt)),
            ["latencyMs"] = Num(decision.LatencyMs),
        };
        if (decision.Explanations.Count > 0)
        {
            item["explanations"] = S(JsonSerializer.Serialize([.. decision.Explanations], DynamoDbJsonContext.Default.ListExplanation));
        }

        PutIfNotNull(item, "price", decision.Price);
        PutIfNotNull(item, "confidence", decision.Confidence);
        PutIfNotNull(item, "positionBefore", decision.PositionBefore is { } before ? JsonSerializer.Serialize(before, DynamoDbJsonContext.Default.Position) : null);
        PutIfNotNull(item, "positionAfter", decision.PositionAfter is { } after ? JsonSerializer.Serialize(after, DynamoDbJsonContext.Default.Position) : null);
        PutIfNotNull(item, "closedTrade", decision.ClosedTrade is { } trade ? JsonSerializer.Serialize(trade, DynamoDbJsonContext.Default.ClosedTrade) : null);
        return item;
    }

    internal static Decision FromItem(Dictionary<string, AttributeValue> item) => new()
    {
        DecisionId = GetS(item, "decisionId"),
        SignalId = GetS(item, "signalId"),
        Symbol = Symbol.FromTrusted(GetS(item, "symbol")),
        Timeframe = Timeframe.FromSeconds((int)GetLong(item, "timeframeSeconds")),
        Action = Enum.Parse<TradeAction>(GetS(item, "action")),
        Verdict = DecisionCodes.TryParseVerdict(GetS(item, "verdict"), out var verdict)
            ? verdict
            : throw new InvalidDataException("Stored decision has an unknown verdict."),
        Score = GetDouble(item, "score"),
        Alignment = GetDouble(item, "alignment"),
        PositionSizePct = GetDouble(item, "positionSizePct"),
        Reasons = item.TryGetValue("reasons", out var reasons) && reasons.L is { } list
            ? [.. list.Select(r => DecisionCodes.TryParseReason(r.S, out var reason) ? reason : throw new InvalidDataException("Stored decision has an unknown reason."))]
            : [],
        Explanations = GetSOrNull(item, "explanations") is { } explanations
            ? JsonSerializer.Deserialize(explanations, DynamoDbJsonContext.Default.ListExplanation) ?? []
            : [],
        Inputs = JsonSerializer.Deserialize(GetS(item, "inputs"), DynamoDbJsonContext.Default.ListTimeframeInput) ?? [],
        MemberSignalIds = item.TryGetValue("members", out var members) && members.L is { } ids ? [.. ids.Select(m => m.S)] : [],
        Price = GetDecimalOrNull(item, "price"),
        Confidence = GetDecimalOrNull(item, "confidence") is { } confidence ? (int)confidence : null,
        PositionBefore = GetSOrNull(item, "positionBefore") is { } before ? JsonSerializer.Deserialize(before, DynamoDbJsonContext.Default.Position) : null,
        PositionAfter = GetSOrNull(item, "positionAfter") is { } after ? JsonSerializer.Deserialize(after, DynamoDbJsonContext.Default.Position) : null,
        ClosedTrade = GetSOrNull(item, "closedTrade") is { } trade ? JsonSerializer.Deserialize(trade, DynamoDbJsonContext.Default.ClosedTrade) : null,
        SettingsVersion = GetLong(item, "settingsVersion"),
        DecidedAt = ParseTime(GetS(item, "decidedAt")),
        LatencyMs = GetDouble(item, "latencyMs"),
    };

    private Task<Dictionary<string, AttributeValue>?> GetItemAsync(string decisionId, CancellationToken cancellationToken) =>
        DynamoDbQueries.GetItemAsync(client, resilience, _options.DecisionsTable, "decisionId", decisionId, _options.ConsistentReads, cancellationToken);

    /// <summary>
    /// Points a member's decision id at its burst's decision. It replaces an older pointer (the latest burst to claim a
    /// member keeps it) but never a decision stored under that id: a member decided on its own keeps its own.
    /// </summary>
    private async Task PutPointerAsync(string memberDecisionId, string burstDecisionId, CancellationToken cancellationToken)
    {
        try
        {
            await resilience.ExecuteAsync(
                Backend.DynamoDb,
                (r, ct) => new ValueTask<PutItemResponse>(client.PutItemAsync(r, ct)),
                new PutItemRequest
                {
                    TableName = _options.DecisionsTable,
                    Item = new Dictionary<string, AttributeValue>
                    {
                        ["decisionId"] = S(memberDecisionId),
                        [MemberOf] = S(burstDecisionId),
                    },
                    ConditionExpression = $"attribute_not_exists(decisionId) OR attribute_exists({MemberOf})",
                },
                cancellationToken);
        }
        catch (ConditionalCheckFailedException)
        {
        }
    }
}
