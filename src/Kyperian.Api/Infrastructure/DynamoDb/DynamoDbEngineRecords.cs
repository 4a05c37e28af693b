using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Kyperian.Api.Infrastructure.Resilience;
using Kyperian.Domain.Audit;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Risk;
using Microsoft.Extensions.Options;
using static Kyperian.Api.Infrastructure.DynamoDb.DynamoDbFormats;

namespace Kyperian.Api.Infrastructure.DynamoDb;

/// <summary>
/// The engine settings changed at run time: one item, <c>decisionId = settings#engine</c>, in the risk table beside the
/// ledger, replaced only by the next version (a conditional put on <c>version</c>).
/// </summary>
public sealed class DynamoDbEngineSettingsStore(
    IAmazonDynamoDB client,
    IOptions<DynamoDbOptions> options,
    ResiliencePipelines resilience) : IEngineSettingsStore
{
    public const string SettingsKey = "settings#engine";

    private readonly DynamoDbOptions _options = options.Value;

    public async Task<StoredEngineSettings?> GetLatestAsync(CancellationToken cancellationToken)
    {
        var item = await DynamoDbQueries.GetItemAsync(client, resilience, _options.RiskTableName, "decisionId", SettingsKey, true, cancellationToken);
        if (item is null)
        {
            return null;
        }

        var overrides = JsonSerializer.Deserialize(GetS(item, "overrides"), DynamoDbJsonContext.Default.EngineSettings)
            ?? throw new InvalidDataException("Stored engine settings are empty.");
        overrides.Version = GetLong(item, "version");
        var fields = item.TryGetValue("fields", out var list) && list.L is { } names ? names.Select(n => n.S).ToArray() : [];
        return new StoredEngineSettings(overrides, fields, ParseTime(GetS(item, "changedAt")));
    }

    public async Task<bool> TryAddAsync(StoredEngineSettings settings, CancellationToken cancellationToken)
    {
        var previous = settings.Version - 1;
        var request = new PutItemRequest
        {
            TableName = _options.RiskTableName,
            Item = new Dictionary<string, AttributeValue>
            {
                ["decisionId"] = S(SettingsKey),
                ["kind"] = S("settings"),
                ["version"] = Num(settings.Version),
                ["changedAt"] = S(Time(settings.ChangedAt)),
                ["fields"] = new AttributeValue { L = [.. settings.Fields.Select(S)] },
                ["overrides"] = S(JsonSerializer.Serialize(settings.Overrides, DynamoDbJsonContext.Default.EngineSettings)),
            },
            ConditionExpression = previous == 0 ? "attribute_not_exists(decisionId)" : "version = :previous",
            ExpressionAttributeValues = previous == 0 ? null : new Dictionary<string, AttributeValue> { [":previous"] = Num(previous) },
        };
        try
        {
            await resilience.ExecuteAsync(
                Backend.DynamoDb,
                (r, ct) => new ValueTask<PutItemResponse>(client.PutItemAsync(r, ct)),
                request,
                cancellationToken);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            // A retried attempt that landed after all is this very version.
            return (await GetLatestAsync(cancellationToken)) is { } latest
                && latest.Version == settings.Version && latest.ChangedAt == settings.ChangedAt;
        }
    }
}

/// <summary>
/// The operator audit log in the decisions table: <c>audit#{entryId}</c>, listed newest first through the
/// <c>bySymbol</c> index under the reserved pseudo-symbol <c>#audit</c>.
/// </summary>
public sealed class DynamoDbAuditLog(
    IAmazonDynamoDB client,
    IOptions<DynamoDbOptions> options,
    ResiliencePipelines resilience) : IAuditLog
{
    public const string Log = "#audit";

    private readonly DynamoDbOptions _options = options.Value;

    public async Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        var item = new Dictionary<string, AttributeValue>(12)
        {
            ["decisionId"] = S("audit#" + entry.EntryId),
            ["symbol"] = S(Log),
            ["decidedAt"] = S(Time(entry.At)),
            ["entryId"] = S(entry.EntryId),
            ["kind"] = S(entry.Kind.ToString()),
            ["text"] = S(entry.Text),
        };
        PutIfNotNull(item, "note", entry.Note);
        PutIfNotNull(item, "pnlPct", entry.PnlPct is { } pnl ? (decimal)pnl : null);
        PutIfNotNull(item, "settingsVersion", entry.SettingsVersion);
        if (entry.Fields is { Count: > 0 } fields)
        {
            item["fields"] = new AttributeValue { L = [.. fields.Select(S)] };
        }

        await DynamoDbQueries.PutIfAbsentAsync(client, resilience, _options.DecisionsTable, "decisionId", item, cancellationToken);
    }

    public async Task<IReadOnlyList<AuditEntry>> ListAsync(int limit, CancellationToken cancellationToken) =>
        [.. (await DynamoDbQueries.QueryBySymbolAsync(client, resilience, _options.DecisionsTable, Log, limit, cancellationToken)).Select(item => new AuditEntry
        {
            EntryId = GetS(item, "entryId"),
            Kind = Enum.Parse<AuditKind>(GetS(item, "kind")),
            At = ParseTime(GetS(item, "decidedAt")),
            Text = GetS(item, "text"),
            Note = GetSOrNull(item, "note"),
            PnlPct = GetDecimalOrNull(item, "pnlPct") is { } pnl ? (double)pnl : null,
            SettingsVersion = GetDecimalOrNull(item, "settingsVersion") is { } version ? (long)version : null,
            Fields = item.TryGetValue("fields", out var list) && list.L is { } names ? [.. names.Select(n => n.S)] : null,
        })];
}

/// <summary>
/// Risk events in the decisions table: <c>riskevent#{eventId}</c>, added once per id, listed newest first through the
/// <c>bySymbol</c> index under the reserved pseudo-symbol <c>#risk-events</c>.
/// </summary>
public sealed class DynamoDbRiskEventLog(
    IAmazonDynamoDB client,
    IOptions<DynamoDbOptions> options,
    ResiliencePipelines resilience) : IRiskEventLog
{
    public const string Log = "#risk-events";

    private readonly DynamoDbOptions _options = options.Value;

    public async Task<bool> TryAddAsync(RiskEvent riskEvent, CancellationToken cancellationToken)
    {
        var item = new Dictionary<string, AttributeValue>(12)
        {
            ["decisionId"] = S("riskevent#" + riskEvent.EventId),
            ["symbol"] = S(Log),
            ["decidedAt"] = S(Time(riskEvent.At)),
            ["eventId"] = S(riskEvent.EventId),
            ["kind"] = S(riskEvent.Kind.ToString()),
            ["limit"] = S(riskEvent.Limit.ToString()),
            ["day"] = S(riskEvent.Day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)),
            ["text"] = S(riskEvent.Text),
        };
        PutIfNotNull(item, "observedPct", riskEvent.ObservedPct is { } observed ? (decimal)observed : null);
        PutIfNotNull(item, "thresholdPct", riskEvent.ThresholdPct is { } threshold ? (decimal)threshold : null);
        return await DynamoDbQueries.PutIfAbsentAsync(client, resilience, _options.DecisionsTable, "decisionId", item, cancellationToken) == PutOutcome.Added;
    }

    public async Task<IReadOnlyList<RiskEvent>> ListAsync(int limit, CancellationToken cancellationToken) =>
        [.. (await DynamoDbQueries.QueryBySymbolAsync(client, resilience, _options.DecisionsTable, Log, limit, cancellationToken)).Select(item => new RiskEvent
        {
            EventId = GetS(item, "eventId"),
            Kind = Enum.Parse<RiskEventKind>(GetS(item, "kind")),
            Limit = Enum.Parse<RiskLimit>(GetS(item, "limit")),
            At = ParseTime(GetS(item, "decidedAt")),
            Day = DateOnly.ParseExact(GetS(item, "day"), "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            Text = GetS(item, "text"),
            ObservedPct = GetDecimalOrNull(item, "observedPct") is { } observed ? (double)observed : null,
            ThresholdPct = GetDecimalOrNull(item, "thresholdPct") is { } threshold ? (double)threshold : null,
        })];
}
