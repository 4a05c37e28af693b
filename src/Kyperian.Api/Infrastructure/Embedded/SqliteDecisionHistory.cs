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
    /// <summary>
    /// Straight off <c>decisions_by_symbol</c> (its entries end with the rowid): one index probe per symbol, no sort. The
    /// body comes only for a decision not decoded before (<c>$known</c>: the rows <see cref="_latest"/> holds).
    /// </summary>
    private const string LatestBySymbolSql = """
        SELECT d.seq, CASE WHEN d.seq IN (SELECT value FROM json_each($known)) THEN NULL ELSE d.body END
        FROM json_each($symbols) AS s
        JOIN decisions AS d ON d.seq = (
            SELECT seq FROM decisions WHERE symbol = s.value ORDER BY decided_at DESC, seq DESC LIMIT 1)
        """;

    /// <summary>One SQL text per combination of filters, so that each is prepared once per connection.</summary>
    private static readonly ConcurrentDictionary<Filters, string> QueryTexts = new();

    /// <summary>
    /// Each symbol's newest decision as last decoded, by its row. A stored decision never changes (retention removes the
    /// row, which is then no longer found), so a row once decoded is that decision for good: the console's every look at the symbols decodes only the
    /// decisions made since the last (decoding all of them was most of its cost). Every answer still comes from the
    /// rows the database holds when it is asked; the entries number the symbols, one each.
    /// </summary>
    private readonly ConcurrentDictionary<Symbol, (long Seq, Decision Decision)> _latest = new();

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
            var (decisions, next) = ReadPage(c, q, static reader => Decode(Body(reader, 0)));
            return new DecisionPage(decisions, next);
        },
        cancellationToken);

    /// <summary>The stored bodies as they are: they are a decision's JSON with the same options as the API's.</summary>
    public Task<DecisionJsonPage> QueryJsonAsync(DecisionQuery query, CancellationToken cancellationToken) =>
        database.ReadAsync(query, static (c, q) =>
        {
            var (bodies, next) = ReadPage(c, q, static reader => new ReadOnlyMemory<byte>(Body(reader, 0)));
            return new DecisionJsonPage(bodies, next);
        },
        cancellationToken);

    public async Task<IReadOnlyDictionary<Symbol, Decision>> LatestBySymbolAsync(IReadOnlyCollection<Symbol> symbols, CancellationToken cancellationToken)
    {
        if (symbols.Count == 0)
        {
            return new Dictionary<Symbol, Decision>();
        }

        var names = new string[symbols.Count];
        var known = new Dictionary<long, Decision>(symbols.Count);
        var i = 0;
        foreach (var symbol in symbols)
        {
            names[i++] = symbol.Value;
            if (_latest.TryGetValue(symbol, out var decoded))
            {
                known[decoded.Seq] = decoded.Decision;
            }
        }

        var rows = await database.ReadAsync(
            (Symbols: JsonSerializer.Serialize(names, EmbeddedJsonContext.Default.StringArray), Known: "[" + string.Join(',', known.Keys) + "]"),
            static (c, q) =>
            {
                using var reader = c.Statement(LatestBySymbolSql).Set("$symbols", q.Symbols).Set("$known", q.Known).ExecuteReader();
                var read = new List<(long Seq, Decision? Decision)>();
                while (reader.Read())
                {
                    read.Add((reader.GetInt64(0), reader.IsDBNull(1) ? null : Decode(Body(reader, 1))));
                }

                return read;
            },
            cancellationToken);

        var latest = new Dictionary<Symbol, Decision>(rows.Count);
        foreach (var (seq, fresh) in rows)
        {
            var decision = fresh ?? known[seq];
            latest[decision.Symbol] = decision;
            if (fresh is not null)
            {
                _latest[decision.Symbol] = (seq, decision);
            }
        }

        return latest;
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
        var sql = new StringBuilder("SELECT body, decided_at, decision_id FROM decisions INDEXED BY ").Append(index).Append(" WHERE 1 = 1");
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

    /// <summary>
    /// Reads up to the query's limit rows with <paramref name="read"/>, and one more to learn whether a next page exists;
    /// the next page starts after the last row read (whose position comes from its columns, not its body).
    /// </summary>
    private static (List<T> Rows, DecisionPosition? Next) ReadPage<T>(EmbeddedConnection connection, DecisionQuery q, Func<SqliteDataReader, T> read)
    {
        var limit = Math.Clamp(q.Limit, 1, DecisionQuery.MaxLimit);
        var command = connection.Statement(QueryTexts.GetOrAdd(FiltersOf(q), Sql)).Set("$limit", limit + 1);
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

        using var reader = command.ExecuteReader();
        var rows = new List<T>(Math.Min(limit, 64));
        DecisionPosition last = default;
        while (reader.Read())
        {
            if (rows.Count == limit)
            {
                return (rows, last);
            }

            rows.Add(read(reader));
            if (rows.Count == limit)
            {
                last = new DecisionPosition(reader.GetTime(1), reader.GetString(2));
            }
        }

        return (rows, null);
    }

    /// <summary>The body's UTF-8 bytes as SQLite holds them: no UTF-16 string on the way.</summary>
    private static byte[] Body(SqliteDataReader reader, int ordinal) => reader.GetFieldValue<byte[]>(ordinal);

    private static Decision Decode(byte[] body) =>
        JsonSerializer.Deserialize(body, EmbeddedJsonContext.Default.Decision) ?? throw new InvalidDataException("A stored decision is empty.");
}
