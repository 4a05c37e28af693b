namespace Kyperian.Api.Infrastructure.DynamoDb;

/// <summary><c>Kyperian:DynamoDb</c>: tables, endpoint and retention.</summary>
public sealed class DynamoDbOptions
{
    public const string Section = "Kyperian:DynamoDb";

    /// <summary>Key <c>signalId</c>; GSIs <c>bySymbol</c> (symbol, receivedAt) and <c>pending</c> (pendingShard, receivedAt); TTL <c>expiresAt</c>.</summary>
    public string SignalsTable { get; set; } = "kyperian-local-signals";

    /// <summary>
    /// Key <c>decisionId</c>; GSIs <c>bySymbol</c> (symbol, decidedAt) and <c>byTime</c> (decidedMonth, decidedKey).
    /// Also holds the risk ledger item unless <see cref="RiskTable"/> names another table, and the notification outbox
    /// (<c>ntf#…</c>, GSIs <c>outboxDue</c> and <c>outboxStatus</c>).
    /// </summary>
    public string DecisionsTable { get; set; } = "kyperian-local-decisions";

    /// <summary>
    /// Where the risk ledger item lives. Empty (the default): in the decisions table, "beside the decisions", under the
    /// reserved key <c>decisionId = risk#ledger</c>, which has no <c>symbol</c> and so never shows in <c>bySymbol</c>.
    /// A separate table needs the same key schema (hash key <c>decisionId</c>, string).
    /// </summary>
    public string? RiskTable { get; set; }

    /// <summary>Key <c>hour</c> (<c>yyyy-MM-ddTHH</c>): the hourly activity counters behind <c>GET /stats</c>; TTL <c>expiresAt</c>.</summary>
    public string StatsTable { get; set; } = "kyperian-local-stats";

    /// <summary>Activity counters expire (TTL <c>expiresAt</c>) this many days after their hour.</summary>
    public int StatsRetentionDays { get; set; } = 90;

    /// <summary>A local endpoint (dynalite: <c>http://127.0.0.1:4567</c>); empty for AWS.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>Empty: the SDK's default (AWS_REGION).</summary>
    public string? Region { get; set; }

    /// <summary>Creates missing tables at start (local servers and tests; the template owns them in AWS).</summary>
    public bool CreateTables { get; set; }

    /// <summary>Signals expire (TTL <c>expiresAt</c>) this many days after receipt.</summary>
    public int SignalRetentionDays { get; set; } = 30;

    /// <summary>
    /// Partitions of the sparse <c>pending</c> index (and of the outbox's indexes). Every signal is written Pending first,
    /// so a single key would be a hot partition at high rates; the sweeper queries each shard.
    /// </summary>
    public int PendingShards { get; set; } = 4;

    /// <summary>Strongly consistent reads by id (an operator reading what the webhook just accepted).</summary>
    public bool ConsistentReads { get; set; } = true;

    public string RiskTableName => string.IsNullOrWhiteSpace(RiskTable) ? DecisionsTable : RiskTable;
}
