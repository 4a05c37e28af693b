using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Kyperian.Api.Infrastructure.Resilience;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Risk;
using Microsoft.Extensions.Options;
using static Kyperian.Api.Infrastructure.DynamoDb.DynamoDbFormats;

namespace Kyperian.Api.Infrastructure.DynamoDb;

/// <summary>
/// The risk ledger: one item, <c>decisionId = risk#ledger</c>, in the decisions table ("beside the decisions"; see
/// <see cref="DynamoDbOptions.RiskTable"/>). Each change reads the item, applies the domain's own rule
/// (<see cref="RiskState.WithPnl"/>, day roll-over, the day's worst point, peak) and writes it back on the condition that its
/// <c>version</c> is unchanged, retrying on a lost race: no update is lost and the arithmetic stays in the domain.
/// </summary>
public sealed class DynamoDbRiskLedger(
    IAmazonDynamoDB client,
    IOptions<DynamoDbOptions> options,
    ResiliencePipelines resilience) : IRiskLedger
{
    public const string LedgerKey = "risk#ledger";

    private const int MaxConflicts = 25;

    private readonly DynamoDbOptions _options = options.Value;

    public async Task<RiskState> GetAsync(DateOnly day, CancellationToken cancellationToken) =>
        (await ReadAsync(cancellationToken)).State.On(day);

    public Task<RiskState> RecordPnlAsync(double pnlPct, DateOnly day, CancellationToken cancellationToken) =>
        UpdateAsync(state => state.WithPnl(pnlPct, day), cancellationToken);

    public Task RecordEntryAsync(DateOnly day, CancellationToken cancellationToken) =>
        UpdateAsync(state => state.WithEntry(day), cancellationToken);

    public Task<RiskState> SetHaltedAsync(bool halted, string? reason, DateOnly day, CancellationToken cancellationToken) =>
        UpdateAsync(state => state.On(day) with { Halted = halted, HaltReason = halted ? reason : null }, cancellationToken);

    private async Task<RiskState> UpdateAsync(Func<RiskState, RiskState> change, CancellationToken cancellationToken)
    {
        for (var conflict = 0; ; conflict++)
        {
            var (state, version, _) = await ReadAsync(cancellationToken);
            var next = change(state);
            var writeId = Guid.NewGuid().ToString("N");
            try
            {
                await WriteAsync(next, version, writeId, cancellationToken);
                return next;
            }
            catch (ConditionalCheckFailedException) when (conflict < MaxConflicts)
            {
                // A retried attempt fails its condition when the first one landed after all: that write was ours.
                if ((await ReadAsync(cancellationToken)).WriteId == writeId)
                {
                    return next;
                }

                // Someone else wrote in between: read again and reapply.
                await Task.Delay(Random.Shared.Next(1, 5 + (conflict * 5)), cancellationToken);
            }
        }
    }

    private async Task<(RiskState State, long Version, string? WriteId)> ReadAsync(CancellationToken cancellationToken)
    {
        var response = await resilience.ExecuteAsync(
            Backend.DynamoDb,
            (table, ct) => new ValueTask<GetItemResponse>(client.GetItemAsync(
                new GetItemRequest
                {
                    TableName = table,
                    Key = new Dictionary<string, AttributeValue> { ["decisionId"] = S(LedgerKey) },
                    ConsistentRead = true,
                },
                ct)),
            _options.RiskTableName,
            cancellationToken);
        if (response.Item is not { Count: > 0 } item)
        {
            return (RiskState.Empty, 0, null);
        }

        var state = new RiskState
        {
            Day = DateOnly.ParseExact(GetS(item, "day"), "yyyy-MM-dd", CultureInfo.InvariantCulture),
            RealizedPnlTodayPct = GetDouble(item, "realizedPnlTodayPct"),
            WorstPnlTodayPct = GetDouble(item, "worstPnlTodayPct"),
            CumulativePnlPct = GetDouble(item, "cumulativePnlPct"),
            PeakPnlPct = GetDouble(item, "peakPnlPct"),
            EntriesToday = (int)GetLong(item, "entriesToday"),
            Halted = GetBool(item, "halted"),
            HaltReason = GetSOrNull(item, "haltReason"),
        };
        return (state, GetLong(item, "version"), GetSOrNull(item, "writeId"));
    }

    private async Task WriteAsync(RiskState state, long version, string writeId, CancellationToken cancellationToken)
    {
        var item = new Dictionary<string, AttributeValue>
        {
            ["decisionId"] = S(LedgerKey),
            ["kind"] = S("risk"),
            ["day"] = S(state.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            ["realizedPnlTodayPct"] = Num(state.RealizedPnlTodayPct),
            ["worstPnlTodayPct"] = Num(state.WorstPnlTodayPct),
            ["cumulativePnlPct"] = Num(state.CumulativePnlPct),
            ["peakPnlPct"] = Num(state.PeakPnlPct),
            ["entriesToday"] = Num(state.EntriesToday),
            ["halted"] = Bool(state.Halted),
            ["version"] = Num(version + 1),
            ["writeId"] = S(writeId),
        };
        PutIfNotNull(item, "haltReason", state.HaltReason);

        var request = new PutItemRequest
        {
            TableName = _options.RiskTableName,
            Item = item,
            ConditionExpression = version == 0 ? "attribute_not_exists(decisionId)" : "version = :version",
            ExpressionAttributeValues = version == 0
                ? null
                : new Dictionary<string, AttributeValue> { [":version"] = Num(version) },
        };
        await resilience.ExecuteAsync(
            Backend.DynamoDb,
            (r, ct) => new ValueTask<PutItemResponse>(client.PutItemAsync(r, ct)),
            request,
            cancellationToken);
    }
}
