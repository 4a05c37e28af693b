using System.Text.Json;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Signals;

namespace Kyperian.Api.Infrastructure.Embedded;

/// <summary>
/// Signals in the <c>signals</c> table, which is only ever appended to. Until its decision is stored, a signal also has
/// a row in <c>signal_outbox</c>: Pending until the bus took it, Published after; <see cref="SqliteDecisionStore"/>
/// removes the row in the decision's own transaction, so the outbox stays small however long the history is.
/// </summary>
public sealed class SqliteSignalStore : ISignalStore
{
    internal const int Pending = 0;
    internal const int Published = 1;

    private const string InsertSql = """
        INSERT INTO signals (signal_id, symbol, received_at, body) VALUES ($id, $symbol, $received_at, $body)
        ON CONFLICT (signal_id) DO NOTHING
        """;

    private const string InsertOutboxSql =
        "INSERT INTO signal_outbox (seq, state, received_at) VALUES (last_insert_rowid(), $state, $received_at)";

    private const string InsertRawSql = "INSERT INTO raw_alerts (seq, body) VALUES (last_insert_rowid(), $raw)";

    private const string GetRawSql = "SELECT r.body FROM raw_alerts r JOIN signals s ON s.seq = r.seq WHERE s.signal_id = $id";

    private const string DropRawSql = "DELETE FROM raw_alerts WHERE seq = (SELECT seq FROM signals WHERE signal_id = $id)";

    private const string GetSql = "SELECT body FROM signals WHERE signal_id = $id";

    private const string ListBySymbolSql =
        "SELECT body FROM signals WHERE symbol = $symbol ORDER BY received_at DESC, seq DESC LIMIT $limit";

    private const string MarkPublishedSql =
        "UPDATE signal_outbox SET state = 1 WHERE seq = (SELECT seq FROM signals WHERE signal_id = $id) AND state = 0";

    private const string ListPendingSql = """
        SELECT s.body FROM signal_outbox o JOIN signals s ON s.seq = o.seq
        WHERE o.state = 0 AND o.received_at < $before ORDER BY o.received_at LIMIT $limit
        """;

    private const string RequeueSql = "UPDATE signal_outbox SET state = 0 WHERE state = 1";

    private const string CountSql = "SELECT count(*) FROM signals";

    private readonly EmbeddedDatabase _database;
    private readonly Task _counted;
    private long _count;

    public SqliteSignalStore(EmbeddedDatabase database)
    {
        _database = database;

        // Counted in the writer's order, so the inserts that follow are added to an exact figure.
        _counted = _database.RunAsync(this, static (c, self) => Interlocked.Add(ref self._count, (long)c.Statement(CountSql).ExecuteScalar()!));
    }

    /// <summary>Signals stored, as of the last commit.</summary>
    public async Task<long> CountAsync()
    {
        await _counted;
        return Interlocked.Read(ref _count);
    }

    public async Task<bool> TryAddAsync(Signal signal, PublishState state, string? rawAlert, CancellationToken cancellationToken)
    {
        var row = new SignalRow(
            signal, state == PublishState.Pending ? Pending : Published, JsonSerializer.Serialize(signal, EmbeddedJsonContext.Default.Signal), rawAlert);
        var added = await _database.WriteAsync(
            row,
            static (c, r) =>
            {
                var inserted = c.Statement(InsertSql)
                    .Set("$id", r.Signal.SignalId)
                    .Set("$symbol", r.Signal.Symbol.Value)
                    .Set("$received_at", r.Signal.ReceivedAt)
                    .Set("$body", r.Body)
                    .ExecuteNonQuery() == 1;
                if (inserted)
                {
                    // The raw body first: both read last_insert_rowid(), which is the signal's seq until the outbox row.
                    if (r.RawAlert is not null)
                    {
                        c.Statement(InsertRawSql).Set("$raw", r.RawAlert).ExecuteNonQuery();
                    }

                    c.Statement(InsertOutboxSql).Set("$state", r.State).Set("$received_at", r.Signal.ReceivedAt).ExecuteNonQuery();
                }

                return inserted;
            },
            isolated: false);
        if (added)
        {
            Interlocked.Increment(ref _count);
        }

        return added;
    }

    public Task<string?> GetRawAlertAsync(string signalId, CancellationToken cancellationToken) =>
        _database.ReadAsync(
            signalId,
            static (c, id) => c.Statement(GetRawSql).Set("$id", id).ExecuteScalar() as string,
            cancellationToken);

    public Task DropRawAlertAsync(string signalId, CancellationToken cancellationToken) =>
        _database.WriteAsync(signalId, static (c, id) => c.Statement(DropRawSql).Set("$id", id).ExecuteNonQuery());

    public Task<Signal?> GetAsync(string signalId, CancellationToken cancellationToken) =>
        _database.ReadAsync(signalId, static (c, id) => ReadOne(c.Statement(GetSql).Set("$id", id)), cancellationToken);

    public Task<IReadOnlyList<Signal>> ListBySymbolAsync(Symbol symbol, int limit, CancellationToken cancellationToken) =>
        _database.ReadAsync(
            (symbol, limit),
            static (c, q) => ReadAll(c.Statement(ListBySymbolSql).Set("$symbol", q.symbol.Value).Set("$limit", q.limit)),
            cancellationToken);

    /// <summary>Queued behind the signal's insert and not awaited: left Pending by a crash, the signal is only republished.</summary>
    public Task MarkPublishedAsync(string signalId, CancellationToken cancellationToken)
    {
        _database.Post(signalId, static (c, id) => c.Statement(MarkPublishedSql).Set("$id", id).ExecuteNonQuery(), isolated: false);
        return Task.CompletedTask;
    }

    /// <summary>Read in the writer's order, so a signal marked published a moment ago is not listed.</summary>
    public Task<IReadOnlyList<Signal>> ListPendingAsync(DateTimeOffset receivedBefore, int limit, CancellationToken cancellationToken) =>
        _database.RunAsync(
            (receivedBefore, limit),
            static (c, q) => ReadAll(c.Statement(ListPendingSql).Set("$before", q.receivedBefore).Set("$limit", q.limit)),
            isolated: false);

    /// <summary>
    /// Makes every Published but undecided signal Pending again: for the in-process bus, whose queue died with the
    /// previous process, so that the sweeper republishes them and each is decided after a restart.
    /// </summary>
    /// <returns>How many signals were requeued.</returns>
    public Task<int> RequeuePublishedAsync() =>
        _database.WriteAsync(0, static (c, _) => c.Statement(RequeueSql).ExecuteNonQuery());

    internal void Removed(long count) => Interlocked.Add(ref _count, -count);

    private static Signal? ReadOne(Microsoft.Data.Sqlite.SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        return reader.Read() ? Parse(reader.GetString(0)) : null;
    }

    private static IReadOnlyList<Signal> ReadAll(Microsoft.Data.Sqlite.SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var signals = new List<Signal>();
        while (reader.Read())
        {
            signals.Add(Parse(reader.GetString(0)));
        }

        return signals;
    }

    private static Signal Parse(string body) =>
        JsonSerializer.Deserialize(body, EmbeddedJsonContext.Default.Signal)
        ?? throw new InvalidDataException("A stored signal is empty.");

    private sealed record SignalRow(Signal Signal, int State, string Body, string? RawAlert);
}
