using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Signals;
using Microsoft.Data.Sqlite;

namespace Kyperian.Api.Infrastructure.Embedded;

/// <summary>
/// Decisions across symbols from the <c>decisions</c> table: newest first by (<c>decided_at</c>, <c>decision_id</c>) on
/// <c>decisions_by_time</c>, on <c>decisions_by_symbol</c> for one symbol, on <c>decisions_by_verdict</c> for one
/// verdict; a page starts after its cursor with a row comparison the index answers, so its cost follows the page, not
/// the history (a reason filter reads past the decisions it does not match). Reads never wait for the writer.
/// </summary>
public sealed class SqliteDecisionHistory(EmbeddedDatabase database) : IDecisionHistory
{
    /// <summary>Straight off <c>decisions_by_symbol</c> (its entries end with the rowid): one index probe per symbol, no sort.</summary>
    private const string LatestBySymbolSql = """
        SELECT d.body FROM json_each($symbols) AS s
        JOIN decisions AS d ON d.seq = (
            SELECT seq FROM decisions WHERE symbol = s.value ORDER BY decided_at DESC, seq DESC LIMIT 1)
        """;

    /// <summary>One SQL text per combination of filters, so that each is prepared once per connection.</summary>
    private static readonly ConcurrentDictionary<Filters, string> QueryTexts = new();

    [Flags]
    private enum Filters
    {
        None = 0,
        Symbol = 1,
        Verdict = 2,
        Reason = 4,
        From = 8,
        To = 16,
        After = 32,
    }

    public Task<DecisionPage> QueryAsync(DecisionQuery query, CancellationToken cancellationToken) =>
        database.ReadAsync(query, static (c, q) =>
        {
            var limit = Math.Clamp(q.Limit, 1, DecisionQuery.MaxLimit);
            var command = c.Statement(QueryTexts.GetOrAdd(FiltersOf(q), Sql)).Set("$limit", limit + 1);
            if (q.Symbol is { } symbol)
            {
                command.Set("$symbol", symbol.Value);
            }

            if (q.Verdict is { } verdict)
            {
                command.Set("$verdict", verdict.Code());
            }

            if (q.Reason is { } reason)
            {
                command.Set("$reason", reason.Code());
            }

            if (q.From is { } from)
            {
                command.Set("$from", from);
            }

            if (q.To is { } to)
            {
                command.Set("$to", to);
            }

            if (q.After is { } after)
            {
                command.Set("$after_at", after.DecidedAt).Set("$after_id", after.DecisionId);
            }

            var decisions = ReadAll(command);
            return decisions.Count > limit
                ? new DecisionPage(decisions[..limit], DecisionPosition.Of(decisions[limit - 1]))
                : new DecisionPage(decisions, null);
        },
        cancellationToken);

    public async Task<IReadOnlyDictionary<Symbol, Decision>> LatestBySymbolAsync(IReadOnlyCollection<Symbol> symbols, CancellationToken cancellationToken)
    {
        if (symbols.Count == 0)
        {
            return new Dictionary<Symbol, Decision>();
        }

        var list = JsonSerializer.Serialize(symbols.Select(s => s.Value).ToArray(), EmbeddedJsonContext.Default.StringArray);
        var latest = await database.ReadAsync(list, static (c, l) => ReadAll(c.Statement(LatestBySymbolSql).Set("$symbols", l)), cancellationToken);
        return latest.ToDictionary(d => d.Symbol);
    }

    private static Filters FiltersOf(DecisionQuery q) =>
        (q.Symbol is null ? Filters.None : Filters.Symbol)
        | (q.Verdict is null ? Filters.None : Filters.Verdict)
        | (q.Reason is null ? Filters.None : Filters.Reason)
        | (q.From is null ? Filters.None : Filters.From)
        | (q.To is null ? Filters.None : Filters.To)
        | (q.After is null ? Filters.None : Filters.After);

    private static string Sql(Filters filters)
    {
        var index = filters.HasFlag(Filters.Symbol) ? "decisions_by_symbol"
            : filters.HasFlag(Filters.Verdict) ? "decisions_by_verdict"
            : "decisions_by_time";
        var sql = new StringBuilder("SELECT body FROM decisions INDEXED BY ").Append(index).Append(" WHERE 1 = 1");
        if (filters.HasFlag(Filters.Symbol))
        {
            sql.Append(" AND symbol = $symbol");
        }

        if (filters.HasFlag(Filters.From))
        {
            sql.Append(" AND decided_at >= $from");
        }

        if (filters.HasFlag(Filters.To))
        {
            sql.Append(" AND decided_at <= $to");
        }

        if (filters.HasFlag(Filters.After))
        {
            sql.Append(filters.HasFlag(Filters.Symbol)
                ? " AND decided_at <= $after_at AND (decided_at < $after_at OR decision_id < $after_id)"
                : " AND (decided_at, decision_id) < ($after_at, $after_id)");
        }

        if (filters.HasFlag(Filters.Verdict))
        {
            sql.Append(" AND verdict = $verdict");
        }

        if (filters.HasFlag(Filters.Reason))
        {
            sql.Append(" AND EXISTS (SELECT 1 FROM json_each(body, '$.reasons') WHERE value = $reason)");
        }

        return sql.Append(" ORDER BY decided_at DESC, decision_id DESC LIMIT $limit").ToString();
    }

    private static List<Decision> ReadAll(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var decisions = new List<Decision>();
        while (reader.Read())
        {
            decisions.Add(JsonSerializer.Deserialize(reader.GetString(0), EmbeddedJsonContext.Default.Decision)
                ?? throw new InvalidDataException("A stored decision is empty."));
        }

        return decisions;
    }
}
