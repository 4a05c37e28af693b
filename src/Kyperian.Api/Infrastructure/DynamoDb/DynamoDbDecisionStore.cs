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
/// Decisions in <c>{prefix}-decisions</c>, keyed by <c>decisionId</c> (derived from the signal id) and added only when
/// absent: deciding a redelivered signal again records it once. Scalars are attributes; the per-timeframe inputs are
/// one JSON string attribute (<c>inputs</c>) and the reasons a list of their codes.
/// </summary>
public sealed class DynamoDbDecisionStore(
    IAmazonDynamoDB client,
    IOptions<DynamoDbOptions> options,
    ResiliencePipelines resilience) : IDecisionStore
{
    public const string BySymbolIndex = DynamoDbQueries.BySymbolIndex;

    private static readonly Dictionary<VetoReason, string> ReasonCodes =
        Enum.GetValues<VetoReason>().ToDictionary(r => r, r => JsonSerializer.Serialize(r, DynamoDbJsonContext.Default.VetoReason).Trim('"'));

    private static readonly Dictionary<string, VetoReason> ReasonsByCode =
        ReasonCodes.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

    private readonly DynamoDbOptions _options = options.Value;

    public async Task<bool> TryAddAsync(Decision decision, CancellationToken cancellationToken) =>
        await DynamoDbQueries.PutIfAbsentAsync(client, resilience, _options.DecisionsTable, "decisionId", ToItem(decision), cancellationToken) switch
        {
            PutOutcome.Added => true,

            // An earlier attempt may have written it before timing out: then it is ours.
            PutOutcome.ExistsAfterRetry => (await GetAsync(decision.DecisionId, cancellationToken))?.DecidedAt == decision.DecidedAt,
            _ => false,
        };

    public async Task<Decision?> GetAsync(string decisionId, CancellationToken cancellationToken)
    {
        var item = await DynamoDbQueries.GetItemAsync(
            client, resilience, _options.DecisionsTable, "decisionId", decisionId, _options.ConsistentReads, cancellationToken);

        // The risk ledger shares the table under a reserved key: it is no decision.
        return item is not null && item.ContainsKey("verdict") ? FromItem(item) : null;
    }

    public async Task<IReadOnlyList<Decision>> ListBySymbolAsync(Symbol symbol, int limit, CancellationToken cancellationToken) =>
        [.. (await DynamoDbQueries.QueryBySymbolAsync(client, resilience, _options.DecisionsTable, symbol.Value, limit, cancellationToken)).Select(FromItem)];

    internal static Dictionary<string, AttributeValue> ToItem(Decision decision) => new(16)
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
        ["reasons"] = new AttributeValue { L = [.. decision.Reasons.Select(r => S(ReasonCodes[r]))] },
        ["inputs"] = S(JsonSerializer.Serialize([.. decision.Inputs], DynamoDbJsonContext.Default.ListTimeframeInput)),
        ["decidedAt"] = S(Time(decision.DecidedAt)),
        ["latencyMs"] = Num(decision.LatencyMs),
    };

    internal static Decision FromItem(Dictionary<string, AttributeValue> item) => new()
    {
        DecisionId = GetS(item, "decisionId"),
        SignalId = GetS(item, "signalId"),
        Symbol = Symbol.FromTrusted(GetS(item, "symbol")),
        Timeframe = Timeframe.FromSeconds((int)GetLong(item, "timeframeSeconds")),
        Action = Enum.Parse<TradeAction>(GetS(item, "action")),
        Verdict = WireCodes.TryParse(GetS(item, "verdict"), out Verdict verdict) ? verdict : throw new InvalidDataException("A stored decision has no known verdict."),
        Score = GetDouble(item, "score"),
        Alignment = GetDouble(item, "alignment"),
        PositionSizePct = GetDouble(item, "positionSizePct"),
        Reasons = item.TryGetValue("reasons", out var reasons) && reasons.L is { } list
            ? [.. list.Select(r => ReasonsByCode[r.S])]
            : [],
        Inputs = JsonSerializer.Deserialize(GetS(item, "inputs"), DynamoDbJsonContext.Default.ListTimeframeInput) ?? [],
        DecidedAt = ParseTime(GetS(item, "decidedAt")),
        LatencyMs = GetDouble(item, "latencyMs"),
    };
}
