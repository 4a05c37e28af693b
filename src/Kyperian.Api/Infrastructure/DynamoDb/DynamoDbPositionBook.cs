using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Kyperian.Api.Infrastructure.Resilience;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Positions;
using Kyperian.Domain.Signals;
using Microsoft.Extensions.Options;
using static Kyperian.Api.Infrastructure.DynamoDb.DynamoDbFormats;

namespace Kyperian.Api.Infrastructure.DynamoDb;

/// <summary>
/// Model positions and closed trades in the decisions table, under reserved keys, listed through its <c>bySymbol</c>
/// index by reserved symbols (real symbols cannot hold <c>#</c>): <c>position#{symbol}</c> holds the position, and while
/// it is open the pseudo-symbol <c>#open-positions</c>; <c>trade#{closing decision}</c> holds a closed trade, under
/// <c>#trades#{symbol}</c> by its close time. A move is a conditional put on the position's last decision, so a stale
/// move is refused and a repeated one recognised; its trade is put once, after the move.
/// </summary>
public sealed class DynamoDbPositionBook(
    IAmazonDynamoDB client,
    IOptions<DynamoDbOptions> options,
    ResiliencePipelines resilience) : IPositionBook
{
    public const string OpenPositions = "#open-positions";

    private readonly DynamoDbOptions _options = options.Value;

    public static string PositionKey(Symbol symbol) => "position#" + symbol.Value;

    public static string TradeKey(string closingDecisionId) => "trade#" + closingDecisionId;

    public static string TradesOf(Symbol symbol) => "#trades#" + symbol.Value;

    public async Task<Position> GetAsync(Symbol symbol, CancellationToken cancellationToken) =>
        await DynamoDbQueries.GetItemAsync(client, resilience, _options.DecisionsTable, "decisionId", PositionKey(symbol), true, cancellationToken) is { } item
            ? PositionFrom(item)
            : Position.FlatOf(symbol);

    public async Task<IReadOnlyList<Position>> ListOpenAsync(CancellationToken cancellationToken) =>
        [.. (await DynamoDbQueries.QueryBySymbolAsync(client, resilience, _options.DecisionsTable, OpenPositions, 1000, cancellationToken))
            .Select(PositionFrom)
            .OrderBy(p => p.Symbol.Value, StringComparer.Ordinal)];

    public async Task<PositionMoveOutcome> ApplyAsync(PositionChange change, CancellationToken cancellationToken)
    {
        var outcome = await MoveAsync(change, cancellationToken);
        if (outcome != PositionMoveOutcome.Conflict && change.Closed is { } trade)
        {
            // After the move, and again when a redelivered decision finds the move made: the trade is there once.
            await DynamoDbQueries.PutIfAbsentAsync(client, resilience, _options.DecisionsTable, "decisionId", TradeItem(trade), cancellationToken);
        }

        return outcome;
    }

    public async Task<IReadOnlyList<ClosedTrade>> ListClosedTradesAsync(Symbol symbol, int limit, CancellationToken cancellationToken) =>
        [.. (await DynamoDbQueries.QueryBySymbolAsync(client, resilience, _options.DecisionsTable, TradesOf(symbol), limit, cancellationToken)).Select(TradeFrom)];

    private async Task<PositionMoveOutcome> MoveAsync(PositionChange change, CancellationToken cancellationToken)
    {
        var before = change.Before.LastDecisionId;
        var request = new PutItemRequest
        {
            TableName = _options.DecisionsTable,
            Item = PositionItem(change.After),
            ConditionExpression = before is null
                ? "attribute_not_exists(decisionId) OR attribute_not_exists(lastDecisionId)"
                : "lastDecisionId = :before",
            ExpressionAttributeValues = before is null ? null : new Dictionary<string, AttributeValue> { [":before"] = S(before) },
        };
        try
        {
            await resilience.ExecuteAsync(
                Backend.DynamoDb,
                (r, ct) => new ValueTask<PutItemResponse>(client.PutItemAsync(r, ct)),
                request,
                cancellationToken);
            return PositionMoveOutcome.Applied;
        }
        catch (ConditionalCheckFailedException)
        {
            // Made already (a redelivered decision, or a retried attempt that landed), or moved by another decision.
            var current = await GetAsync(change.After.Symbol, cancellationToken);
            return change.AppliedTo(current) == PositionMoveOutcome.AlreadyApplied ? PositionMoveOutcome.AlreadyApplied : PositionMoveOutcome.Conflict;
        }
    }

    private static Dictionary<string, AttributeValue> PositionItem(Position position)
    {
        var item = new Dictionary<string, AttributeValue>(12)
        {
            ["decisionId"] = S(PositionKey(position.Symbol)),
            ["kind"] = S("position"),
            ["positionSymbol"] = S(position.Symbol.Value),
            ["side"] = S(position.Side.ToString()),
            ["sizePct"] = Num(position.SizePct),
        };
        if (!position.IsFlat)
        {
            item["symbol"] = S(OpenPositions);
            item["decidedAt"] = S(position.Symbol.Value);
        }

        PutIfNotNull(item, "entryPrice", position.EntryPrice);
        PutIfNotNull(item, "openedAt", position.OpenedAt is { } openedAt ? Time(openedAt) : null);
        PutIfNotNull(item, "openingDecisionId", position.OpeningDecisionId);
        PutIfNotNull(item, "lastDecisionId", position.LastDecisionId);
        return item;
    }

    private static Position PositionFrom(Dictionary<string, AttributeValue> item) => new()
    {
        Symbol = Symbol.FromTrusted(GetS(item, "positionSymbol")),
        Side = Enum.Parse<PositionSide>(GetS(item, "side")),
        SizePct = GetDouble(item, "sizePct"),
        EntryPrice = GetDecimalOrNull(item, "entryPrice"),
        OpenedAt = GetSOrNull(item, "openedAt") is { } openedAt ? ParseTime(openedAt) : null,
        OpeningDecisionId = GetSOrNull(item, "openingDecisionId"),
        LastDecisionId = GetSOrNull(item, "lastDecisionId"),
    };

    private static Dictionary<string, AttributeValue> TradeItem(ClosedTrade trade)
    {
        var item = new Dictionary<string, AttributeValue>(16)
        {
            ["decisionId"] = S(TradeKey(trade.ClosingDecisionId)),
            ["kind"] = S("trade"),
            ["symbol"] = S(TradesOf(trade.Symbol)),
            ["decidedAt"] = S(Time(trade.ClosedAt)),
            ["tradeSymbol"] = S(trade.Symbol.Value),
            ["side"] = S(trade.Side.ToString()),
            ["sizePct"] = Num(trade.SizePct),
            ["openedAt"] = S(Time(trade.OpenedAt)),
            ["openingDecisionId"] = S(trade.OpeningDecisionId),
            ["closingDecisionId"] = S(trade.ClosingDecisionId),
        };
        PutIfNotNull(item, "entryPrice", trade.EntryPrice);
        PutIfNotNull(item, "exitPrice", trade.ExitPrice);
        if (trade.ReturnPct is { } returnPct)
        {
            item["returnPct"] = Num(returnPct);
        }

        return item;
    }

    private static ClosedTrade TradeFrom(Dictionary<string, AttributeValue> item) => new()
    {
        Symbol = Symbol.FromTrusted(GetS(item, "tradeSymbol")),
        Side = Enum.Parse<PositionSide>(GetS(item, "side")),
        SizePct = GetDouble(item, "sizePct"),
        EntryPrice = GetDecimalOrNull(item, "entryPrice"),
        ExitPrice = GetDecimalOrNull(item, "exitPrice"),
        OpenedAt = ParseTime(GetS(item, "openedAt")),
        ClosedAt = ParseTime(GetS(item, "decidedAt")),
        OpeningDecisionId = GetS(item, "openingDecisionId"),
        ClosingDecisionId = GetS(item, "closingDecisionId"),
        ReturnPct = item.ContainsKey("returnPct") ? GetDouble(item, "returnPct") : null,
    };
}
