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
public sealed class DynamoDbDecisionStore(
    IAmazonDynamoDB client,
    IOptions<DynamoDbOptions> options,
    ResiliencePipelines resilience,
    DynamoDbSymbolRegistry symbols) : IDecisionStore
{
    public const string BySymbolIndex = DynamoDbQueries.BySymbolIndex;

    private const string MemberOf = "memberOf";

    private readonly DynamoDbOptions _options = options.Value;

    public async Task<bool> TryAddAsync(Decision decision, CancellationToken cancellationToken)
    {
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

    internal static Dictionary<string, AttributeValue> ToItem(Decision decision)
    {
        var item = new Dictionary<string, AttributeValue>(24)
        {
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
