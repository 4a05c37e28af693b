using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Signals;

namespace Kyperian.Api.Infrastructure.Embedded;

/// <summary>
/// The signals and decisions of one symbol in a time range, oldest first, a page at a time on a read connection: each
/// page continues after the last row of the one before (its time and <c>seq</c>, on the <c>(symbol, time)</c> index),
/// so a long range never holds a connection or the whole range at once, and rows written meanwhile do not shift a page.
/// </summary>
public sealed class SqliteHistory(EmbeddedDatabase database) : IStoredHistory
{
    /// <summary>Rows read per page.</summary>
    internal int PageSize { get; set; } = 1000;

    // The index (symbol, time) holds seq (the rowid) after the time: these pages are ranges of one index.
    private const string SignalPageSql = """
        SELECT seq, received_at, body FROM signals
        WHERE symbol = $symbol AND received_at < $to AND (received_at > $after_time OR (received_at = $after_time AND seq > $after_seq))
        ORDER BY received_at, seq LIMIT $limit
        """;

    private const string DecisionPageSql = """
        SELECT seq, decided_at, body FROM decisions
        WHERE symbol = $symbol AND decided_at < $to AND (decided_at > $after_time OR (decided_at = $after_time AND seq > $after_seq))
        ORDER BY decided_at, seq LIMIT $limit
        """;

    private const string SymbolsSql = "SELECT DISTINCT symbol FROM decisions ORDER BY symbol";

    public Task<IReadOnlyList<Symbol>> ListSymbolsAsync(CancellationToken cancellationToken) =>
        database.ReadAsync(0, static (c, _) =>
        {
            using var reader = c.Statement(SymbolsSql).ExecuteReader();
            var symbols = new List<Symbol>();
            while (reader.Read())
            {
                symbols.Add(Symbol.FromTrusted(reader.GetString(0)));
            }

            return (IReadOnlyList<Symbol>)symbols;
        }, cancellationToken);

    public IAsyncEnumerable<Signal> ReadSignalsAsync(Symbol symbol, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        ReadAsync(SignalPageSql, EmbeddedJsonContext.Default.Signal, symbol, from, to, cancellationToken);

    public IAsyncEnumerable<Decision> ReadDecisionsAsync(Symbol symbol, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        ReadAsync(DecisionPageSql, EmbeddedJsonContext.Default.Decision, symbol, from, to, cancellationToken);

    private async IAsyncEnumerable<T> ReadAsync<T>(
        string sql, JsonTypeInfo<T> type, Symbol symbol, DateTimeOffset from, DateTimeOffset to, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Just before the range: the first page starts at its first tick.
        var after = new Position(from.UtcTicks - 1, long.MaxValue);
        while (true)
        {
            var page = await database.ReadAsync(
                new PageQuery(sql, symbol.Value, to.UtcTicks, after, PageSize),
                static (c, q) =>
                {
                    using var reader = c.Statement(q.Sql)
                        .Set("$symbol", q.Symbol)
                        .Set("$to", q.ToTicks)
                        .Set("$after_time", q.After.Ticks)
                        .Set("$after_seq", q.After.Seq)
                        .Set("$limit", q.Limit)
                        .ExecuteReader();
                    var rows = new List<(Position At, string Body)>(q.Limit);
                    while (reader.Read())
                    {
                        rows.Add((new Position(reader.GetInt64(1), reader.GetInt64(0)), reader.GetString(2)));
                    }

                    return rows;
                },
                cancellationToken);

            foreach (var (_, body) in page)
            {
                yield return JsonSerializer.Deserialize(body, type) ?? throw new InvalidDataException("A stored record is empty.");
            }

            if (page.Count < PageSize)
            {
                yield break;
            }

            after = page[^1].At;
        }
    }

    /// <summary>Where a page ends: a row's time (UTC ticks) and seq.</summary>
    private readonly record struct Position(long Ticks, long Seq);

    private sealed record PageQuery(string Sql, string Symbol, long ToTicks, Position After, int Limit);
}
