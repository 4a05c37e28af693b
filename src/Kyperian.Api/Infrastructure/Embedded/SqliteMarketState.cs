using System.Collections.Concurrent;
using System.Text.Json;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Signals;

namespace Kyperian.Api.Infrastructure.Embedded;

/// <summary>
/// The engine's view of each symbol in <c>timeframe_state</c> and <c>cooldowns</c>, the recently used symbols in memory.
/// </summary>
/// <remarks>
/// A symbol is loaded on the writer (which has seen every write queued before), then changed in memory under its lock
/// and each change queued for the writer without waiting: the decision that follows is written behind it and awaited,
/// so the state a decision was made on is committed with it. At most <see cref="EmbeddedOptions.SymbolCacheSize"/>
/// symbols stay in memory; the least recently used go first and are loaded again when needed.
/// </remarks>
public sealed class SqliteMarketState : IMarketState, IMarketView
{
    /// <summary>What operators read of the symbols memory does not hold: from the database on a reader, never holding up a decision.</summary>
    private const string ViewSomeSql = """
        SELECT t.symbol, t.seconds, t.action, t.confidence, t.observed_at, t.signal_id, c.last_execute_at, t.received_at
        FROM json_each($symbols) AS s JOIN timeframe_state AS t ON t.symbol = s.value LEFT JOIN cooldowns AS c ON c.symbol = t.symbol
        ORDER BY t.symbol
        """;

    private const string StoredSymbolsSql = "SELECT DISTINCT symbol FROM timeframe_state";

    private const string ViewOneSql = """
        SELECT t.symbol, t.seconds, t.action, t.confidence, t.observed_at, t.signal_id, c.last_execute_at, t.received_at
        FROM timeframe_state AS t LEFT JOIN cooldowns AS c ON c.symbol = t.symbol
        WHERE t.symbol = $symbol
        """;

    private const string LoadTimeframesSql =
        "SELECT seconds, action, confidence, observed_at, signal_id, received_at FROM timeframe_state WHERE symbol = $symbol";

    private const string LoadCooldownSql = "SELECT last_execute_at FROM cooldowns WHERE symbol = $symbol";

    private const string SaveTimeframeSql = """
        INSERT INTO timeframe_state (symbol, seconds, action, confidence, observed_at, received_at, signal_id, updated_at)
        VALUES ($symbol, $seconds, $action, $confidence, $observed_at, $received_at, $signal_id, $updated_at)
        ON CONFLICT (symbol, seconds) DO UPDATE SET action = excluded.action, confidence = excluded.confidence,
            observed_at = excluded.observed_at, received_at = excluded.received_at, signal_id = excluded.signal_id,
            updated_at = excluded.updated_at
        """;

    private const string SaveCooldownSql = """
        INSERT INTO cooldowns (symbol, last_execute_at, expires_at) VALUES ($symbol, $at, $expires_at)
        ON CONFLICT (symbol) DO UPDATE SET last_execute_at = excluded.last_execute_at, expires_at = excluded.expires_at
        """;

    private readonly EmbeddedDatabase _database;
    private readonly TimeProvider _time;
    private readonly int _capacity;
    private readonly ConcurrentDictionary<Symbol, CachedSymbol> _symbols = new();
    private readonly Lock _evicting = new();

    // Every symbol with timeframe state, in memory or not: the file's as this process opened it, and each one recorded
    // since. A listing reads from the file only the symbols memory does not hold.
    private readonly ConcurrentDictionary<Symbol, byte> _known = new();
    private readonly Task _knownLoaded;
    private long _uses;

    public SqliteMarketState(EmbeddedDatabase database, TimeProvider time)
    {
        _database = database;
        _time = time;
        _capacity = database.Options.SymbolCacheSize;
        _knownLoaded = database.RunAsync(_known, static (c, known) =>
        {
            using var reader = c.Statement(StoredSymbolsSql).ExecuteReader();
            while (reader.Read())
            {
                known.TryAdd(Symbol.FromTrusted(reader.GetString(0)), 0);
            }

            return 0;
        }, isolated: false);
    }

    /// <summary>Symbols held in memory.</summary>
    public int Cached => _symbols.Count;

    public async Task<IReadOnlyList<TimeframeSignal>> RecordAsync(Signal signal, CancellationToken cancellationToken)
    {
        var candidate = TimeframeSignal.From(signal);
        while (true)
        {
            var state = await LoadAsync(signal.Symbol);
            lock (state)
            {
                if (state.Evicted)
                {
                    continue;
                }

                if (candidate.Supersedes(state.Timeframes.GetValueOrDefault(signal.Timeframe.Seconds)))
                {
                    state.Timeframes[signal.Timeframe.Seconds] = candidate;
                    _known.TryAdd(signal.Symbol, 0);
                    _database.Post((signal.Symbol, candidate, updatedAt: _time.GetUtcNow()), static (c, s) => c.Statement(SaveTimeframeSql)
                        .Set("$symbol", s.Symbol.Value)
                        .Set("$seconds", s.candidate.Timeframe.Seconds)
                        .Set("$action", s.candidate.Action.ToString())
                        .Set("$confidence", s.candidate.Confidence)
                        .Set("$observed_at", s.candidate.ObservedAt)
                        .Set("$received_at", s.candidate.ReceivedAt?.UtcTicks)
                        .Set("$signal_id", s.candidate.SignalId)
                        .Set("$updated_at", s.updatedAt)
                        .ExecuteNonQuery(), isolated: false);
                }

                return [.. state.Timeframes.Values];
            }
        }
    }

    public async Task<IReadOnlyList<TimeframeSignal>> ReadAsync(Symbol symbol, CancellationToken cancellationToken)
    {
        var state = await LoadAsync(symbol);
        lock (state)
        {
            return [.. state.Timeframes.Values];
        }
    }

    public async Task<DateTimeOffset?> GetLastExecuteAsync(Symbol symbol, CancellationToken cancellationToken)
    {
        var state = await LoadAsync(symbol);
        lock (state)
        {
            return state.LastExecute;
        }
    }

    public async Task SetLastExecuteAsync(Symbol symbol, DateTimeOffset at, TimeSpan cooldown, CancellationToken cancellationToken)
    {
        while (true)
        {
            var state = await LoadAsync(symbol);
            lock (state)
            {
                if (state.Evicted)
                {
                    continue;
                }

                if (state.LastExecute is { } current && current >= at)
                {
                    return;
                }

                state.LastExecute = at;
                _database.Post((symbol, at, expiresAt: at + cooldown), static (c, s) => c.Statement(SaveCooldownSql)
                    .Set("$symbol", s.symbol.Value)
                    .Set("$at", s.at)
                    .Set("$expires_at", s.expiresAt)
                    .ExecuteNonQuery(), isolated: false);
                return;
            }
        }
    }

    public async Task<IReadOnlyList<SymbolState>> ListAsync(CancellationToken cancellationToken)
    {
        await _knownLoaded;
        var states = new List<SymbolState>(_known.Count);
        List<string>? notInMemory = null;
        foreach (var symbol in _known.Keys)
        {
            if (_symbols.TryGetValue(symbol, out var cached) && InMemory(symbol, cached) is { } fresh)
            {
                states.Add(fresh);
            }
            else
            {
                (notInMemory ??= []).Add(symbol.Value);
            }
        }

        if (notInMemory is not null)
        {
            var list = JsonSerializer.Serialize(notInMemory.ToArray(), EmbeddedJsonContext.Default.StringArray);
            states.AddRange(await _database.ReadAsync(list, static (c, l) => ReadView(c.Statement(ViewSomeSql).Set("$symbols", l)), cancellationToken));
        }

        return [.. states.OrderBy(s => s.Symbol.Value, StringComparer.Ordinal)];
    }

    public async Task<SymbolState?> GetAsync(Symbol symbol, CancellationToken cancellationToken) =>
        _symbols.TryGetValue(symbol, out var cached) && InMemory(symbol, cached) is { } fresh
            ? fresh
            : (await _database.ReadAsync(symbol, static (c, s) => ReadView(c.Statement(ViewOneSql).Set("$symbol", s.Value)), cancellationToken)) is [var one] ? one : null;

    /// <summary>
    /// A loaded symbol as memory holds it: ahead of the file by the writes still queued (a cooldown is queued after
    /// its decision is stored), so a reader sees what the engine will decide on next.
    /// </summary>
    private static SymbolState? InMemory(Symbol symbol, CachedSymbol cached)
    {
        if (!cached.Loaded.Task.IsCompletedSuccessfully)
        {
            return null;
        }

        lock (cached)
        {
            return cached.Evicted || cached.Timeframes.Count == 0
                ? null
                : new SymbolState(symbol, [.. cached.Timeframes.Values], cached.LastExecute);
        }
    }

    /// <summary>Rows ordered by symbol, one per timeframe, folded into one state per symbol (ordinal order: SQLite's BINARY collation).</summary>
    private static IReadOnlyList<SymbolState> ReadView(Microsoft.Data.Sqlite.SqliteCommand command)
    {
        var states = new List<SymbolState>();
        using var reader = command.ExecuteReader();
        List<TimeframeSignal>? timeframes = null;
        string? current = null;
        DateTimeOffset? lastExecute = null;
        while (reader.Read())
        {
            var symbol = reader.GetString(0);
            if (symbol != current)
            {
                Flush();
                (current, timeframes, lastExecute) = (symbol, [], reader.IsDBNull(6) ? null : reader.GetTime(6));
            }

            var timeframe = Timeframe.FromSeconds(reader.GetInt32(1));
            timeframes!.Add(new TimeframeSignal(
                timeframe,
                Enum.Parse<SignalAction>(reader.GetString(2)),
                reader.IsDBNull(3) ? null : reader.GetInt32(3),
                reader.GetTime(4),
                reader.GetString(5),
                reader.IsDBNull(7) ? null : reader.GetTime(7)));
        }

        Flush();
        return states;

        void Flush()
        {
            if (current is not null && timeframes is { Count: > 0 })
            {
                states.Add(new SymbolState(Symbol.FromTrusted(current), timeframes, lastExecute));
            }
        }
    }

    private async Task<CachedSymbol> LoadAsync(Symbol symbol)
    {
        if (!_symbols.TryGetValue(symbol, out var state))
        {
            var fresh = new CachedSymbol { LastUse = Interlocked.Increment(ref _uses) };
            state = _symbols.GetOrAdd(symbol, fresh);
            if (ReferenceEquals(state, fresh))
            {
                _ = FillAsync(symbol, fresh);
                EvictIfFull(symbol);
            }
        }

        state.LastUse = Interlocked.Increment(ref _uses);
        await state.Loaded.Task;
        return state;
    }

    private async Task FillAsync(Symbol symbol, CachedSymbol state)
    {
        try
        {
            await _database.RunAsync((symbol, state), static (c, s) =>
            {
                using (var reader = c.Statement(LoadTimeframesSql).Set("$symbol", s.symbol.Value).ExecuteReader())
                {
                    while (reader.Read())
                    {
                        var timeframe = Timeframe.FromSeconds(reader.GetInt32(0));
                        s.state.Timeframes[timeframe.Seconds] = new TimeframeSignal(
                            timeframe,
                            Enum.Parse<SignalAction>(reader.GetString(1)),
                            reader.IsDBNull(2) ? null : reader.GetInt32(2),
                            reader.GetTime(3),
                            reader.GetString(4),
                            reader.IsDBNull(5) ? null : reader.GetTime(5));
                    }
                }

                using (var reader = c.Statement(LoadCooldownSql).Set("$symbol", s.symbol.Value).ExecuteReader())
                {
                    if (reader.Read())
                    {
                        s.state.LastExecute = reader.GetTime(0);
                    }
                }

                return 0;
            }, isolated: false);
            state.Loaded.TrySetResult();
        }
        catch (Exception ex)
        {
            // Not kept: the next use loads it again.
            _symbols.TryRemove(new KeyValuePair<Symbol, CachedSymbol>(symbol, state));
            state.Loaded.TrySetException(ex);
        }
    }

    /// <summary>Forgets the least recently used tenth of the symbols when there are too many.</summary>
    private void EvictIfFull(Symbol added)
    {
        if (_symbols.Count <= _capacity || !_evicting.TryEnter())
        {
            return;
        }

        try
        {
            var oldest = _symbols.Where(s => s.Key != added).OrderBy(s => s.Value.LastUse).Take(Math.Max(1, _capacity / 10)).ToList();
            foreach (var (symbol, state) in oldest)
            {
                lock (state)
                {
                    state.Evicted = true;
                }

                _symbols.TryRemove(new KeyValuePair<Symbol, CachedSymbol>(symbol, state));
            }
        }
        finally
        {
            _evicting.Exit();
        }
    }

    private sealed class CachedSymbol
    {
        public TaskCompletionSource Loaded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Dictionary<int, TimeframeSignal> Timeframes { get; } = [];

        public DateTimeOffset? LastExecute { get; set; }

        public long LastUse { get; set; }

        /// <summary>Set under the lock when the symbol leaves memory: a holder of this copy must load it again.</summary>
        public bool Evicted { get; set; }
    }
}
