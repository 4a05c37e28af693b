using System.Collections.Concurrent;
using System.Text.Json;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Positions;
using Kyperian.Domain.Signals;
using Microsoft.Data.Sqlite;

namespace Kyperian.Api.Infrastructure.Embedded;

/// <summary>
/// Model positions (<c>positions</c>, one row per symbol) and closed trades (<c>closed_trades</c>). A move checks the
/// position the decision was made on and writes the position and its trade in one transaction, committed before it
/// is answered. The engine reads a symbol's position for every decision, so positions are kept in memory as committed:
/// this process is the file's only writer (it holds the lock), so the copy is exact.
/// </summary>
public sealed class SqlitePositionBook : IPositionBook
{
    private readonly EmbeddedDatabase _database;

    // Each position with the number of the move that wrote it (0: read from the file), so that of two moves answered
    // out of order the later one stays. Numbered on the writer thread, which makes the moves one after the other.
    private readonly ConcurrentDictionary<Symbol, (Position Position, long Move)> _committed = new();

    // Every open position, and each one closed since this process opened the file, the same way: what the console lists
    // comes from memory. Loaded on the writer, so before any move queued after it.
    private readonly ConcurrentDictionary<Symbol, (Position Position, long Move)> _open = new();
    private readonly Task _openLoaded;
    private long _moves;

    private const string GetSql = "SELECT body FROM positions WHERE symbol = $symbol";

    private const string ListOpenSql = "SELECT body FROM positions WHERE is_open = 1 ORDER BY symbol";

    private const string SaveSql = """
        INSERT INTO positions (symbol, is_open, last_decision_id, body) VALUES ($symbol, $is_open, $last_decision_id, $body)
        ON CONFLICT (symbol) DO UPDATE SET is_open = excluded.is_open, last_decision_id = excluded.last_decision_id, body = excluded.body
        """;

    private const string AddTradeSql = """
        INSERT INTO closed_trades (closing_decision_id, symbol, closed_at, body) VALUES ($id, $symbol, $closed_at, $body)
        ON CONFLICT (closing_decision_id) DO NOTHING
        """;

    private const string ListTradesSql =
        "SELECT body FROM closed_trades WHERE symbol = $symbol ORDER BY closed_at DESC, seq DESC LIMIT $limit";

    public SqlitePositionBook(EmbeddedDatabase database)
    {
        _database = database;
        _openLoaded = database.RunAsync(_open, static (c, open) =>
        {
            foreach (var position in ReadAll(c.Statement(ListOpenSql), EmbeddedJsonContext.Default.Position))
            {
                open.TryAdd(position.Symbol, (position, 0));
            }

            return 0;
        }, isolated: false);
    }

    public async Task<Position> GetAsync(Symbol symbol, CancellationToken cancellationToken)
    {
        if (_committed.TryGetValue(symbol, out var known))
        {
            return known.Position;
        }

        var stored = await _database.ReadAsync(symbol, static (c, s) => Read(c, s), cancellationToken);
        if (_committed.Count >= _database.Options.SymbolCacheSize)
        {
            _committed.Clear();
        }

        // A move committed while this read ran has set the newer position; it stays.
        return _committed.GetOrAdd(symbol, (stored, 0)).Position;
    }

    public async Task<IReadOnlyList<Position>> ListOpenAsync(CancellationToken cancellationToken)
    {
        await _openLoaded;
        return [.. _open.Values.Select(held => held.Position).Where(p => !p.IsFlat).OrderBy(p => p.Symbol.Value, StringComparer.Ordinal)];
    }

    public async Task<PositionMoveOutcome> ApplyAsync(PositionChange change, CancellationToken cancellationToken)
    {
        // Kept in memory once committed, never before: a reader sees the position and its closed trade together.
        var (outcome, now, move) = await _database.WriteAsync((self: this, change), static (c, s) => s.self.Move(c, s.change));
        Keep(_committed);
        Keep(_open);
        return outcome;

        void Keep(ConcurrentDictionary<Symbol, (Position Position, long Move)> held) =>
            held.AddOrUpdate(change.After.Symbol, static (_, made) => made, static (_, kept, made) => made.Move > kept.Move ? made : kept, (Position: now, Move: move));
    }

    /// <returns>The outcome, the position the book now holds, and the move's number.</returns>
    private (PositionMoveOutcome Outcome, Position Now, long Move) Move(EmbeddedConnection c, PositionChange move)
    {
        var before = Read(c, move.After.Symbol);
        var outcome = move.AppliedTo(before);
        if (outcome == PositionMoveOutcome.Applied)
        {
            c.Statement(SaveSql)
                .Set("$symbol", move.After.Symbol.Value)
                .Set("$is_open", move.After.IsFlat ? 0 : 1)
                .Set("$last_decision_id", move.After.LastDecisionId)
                .Set("$body", JsonSerializer.Serialize(move.After, EmbeddedJsonContext.Default.Position))
                .ExecuteNonQuery();
        }

        if (outcome != PositionMoveOutcome.Conflict && move.Closed is { } trade)
        {
            c.Statement(AddTradeSql)
                .Set("$id", trade.ClosingDecisionId)
                .Set("$symbol", trade.Symbol.Value)
                .Set("$closed_at", trade.ClosedAt)
                .Set("$body", JsonSerializer.Serialize(trade, EmbeddedJsonContext.Default.ClosedTrade))
                .ExecuteNonQuery();
        }

        return (outcome, outcome == PositionMoveOutcome.Applied ? move.After : before, ++_moves);
    }

    public Task<IReadOnlyList<ClosedTrade>> ListClosedTradesAsync(Symbol symbol, int limit, CancellationToken cancellationToken) =>
        _database.ReadAsync(
            (symbol, limit),
            static (c, q) => ReadAll(c.Statement(ListTradesSql).Set("$symbol", q.symbol.Value).Set("$limit", q.limit), EmbeddedJsonContext.Default.ClosedTrade),
            cancellationToken);

    private static Position Read(EmbeddedConnection connection, Symbol symbol)
    {
        using var reader = connection.Statement(GetSql).Set("$symbol", symbol.Value).ExecuteReader();
        return reader.Read()
            ? JsonSerializer.Deserialize(reader.GetString(0), EmbeddedJsonContext.Default.Position) ?? throw new InvalidDataException("A stored position is empty.")
            : Position.FlatOf(symbol);
    }

    internal static IReadOnlyList<T> ReadAll<T>(SqliteCommand command, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(JsonSerializer.Deserialize(reader.GetString(0), type) ?? throw new InvalidDataException("A stored record is empty."));
        }

        return rows;
    }
}
