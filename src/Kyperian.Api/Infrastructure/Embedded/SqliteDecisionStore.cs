using System.Text.Json;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Signals;
using Microsoft.Data.Sqlite;

namespace Kyperian.Api.Infrastructure.Embedded;

/// <summary>
/// Decisions in the <c>decisions</c> table; storing one takes its signals (a burst's every member) out of the outbox and
/// points every other member's decision id at it (<c>decision_members</c>), in the same transaction, and there too writes
/// the deliveries of the notification it raises (<see cref="IDecisionOutbox"/>).
/// </summary>
public sealed class SqliteDecisionStore : IDecisionStore, IDecisionOutbox
{
    private const string InsertSql = """
        INSERT INTO decisions (decision_id, signal_id, symbol, decided_at, body) VALUES ($id, $signal_id, $symbol, $decided_at, $body)
        ON CONFLICT (decision_id) DO NOTHING
        """;

    private const string MarkDecidedSql =
        "DELETE FROM signal_outbox WHERE seq = (SELECT seq FROM signals WHERE signal_id = $signal_id)";

    private const string DropRawAlertSql = "DELETE FROM raw_alerts WHERE seq = (SELECT seq FROM signals WHERE signal_id = $signal_id)";

    private const string PointMemberSql = """
        INSERT INTO decision_members (member_decision_id, decision_id) VALUES ($member, $id)
        ON CONFLICT (member_decision_id) DO UPDATE SET decision_id = excluded.decision_id
        """;

    // A decision stored under the id itself comes before a burst's that lists it as a member.
    private const string GetSql = """
        SELECT body FROM (
            SELECT body, 0 AS rank FROM decisions WHERE decision_id = $id
            UNION ALL
            SELECT d.body, 1 AS rank FROM decision_members m JOIN decisions d ON d.decision_id = m.decision_id
            WHERE m.member_decision_id = $id)
        ORDER BY rank LIMIT 1
        """;

    private const string ListBySymbolSql =
        "SELECT body FROM decisions WHERE symbol = $symbol ORDER BY decided_at DESC, seq DESC LIMIT $limit";

    private const string CountSql = "SELECT count(*) FROM decisions";

    private readonly EmbeddedDatabase _database;
    private readonly Task _counted;
    private long _count;

    public SqliteDecisionStore(EmbeddedDatabase database)
    {
        _database = database;
        _counted = _database.RunAsync(this, static (c, self) => Interlocked.Add(ref self._count, (long)c.Statement(CountSql).ExecuteScalar()!));
    }

    /// <summary>Decisions stored, as of the last commit.</summary>
    public async Task<long> CountAsync()
    {
        await _counted;
        return Interlocked.Read(ref _count);
    }

    public Task<bool> TryAddAsync(Decision decision, CancellationToken cancellationToken) =>
        AddAsync(decision, deliveries: null);

    public Task<bool> TryAddAsync(Decision decision, IReadOnlyList<OutboxDelivery> deliveries, CancellationToken cancellationToken) =>
        AddAsync(decision, deliveries);

    /// <param name="decision">The decision.</param>
    /// <param name="deliveries">Null where notifications are not in play: the alert bodies are kept then.</param>
    private async Task<bool> AddAsync(Decision decision, IReadOnlyList<OutboxDelivery>? deliveries)
    {
        var row = (decision, body: JsonSerializer.Serialize(decision, EmbeddedJsonContext.Default.Decision), deliveries);
        var added = await _database.WriteAsync(row, static (c, r) =>
        {
            var inserted = c.Statement(InsertSql)
                .Set("$id", r.decision.DecisionId)
                .Set("$signal_id", r.decision.SignalId)
                .Set("$symbol", r.decision.Symbol.Value)
                .Set("$decided_at", r.decision.DecidedAt)
                .Set("$body", r.body)
                .ExecuteNonQuery() == 1;
            if (!inserted)
            {
                return false;
            }

            foreach (var member in r.decision.Members)
            {
                c.Statement(MarkDecidedSql).Set("$signal_id", member).ExecuteNonQuery();
                var memberDecisionId = SignalIdentity.DecisionIdFor(member);
                if (memberDecisionId != r.decision.DecisionId)
                {
                    c.Statement(PointMemberSql).Set("$member", memberDecisionId).Set("$id", r.decision.DecisionId).ExecuteNonQuery();
                }
            }

            if (r.deliveries is not null)
            {
                SqliteNotificationOutbox.Insert(c, r.deliveries);

                // Decided: a delivery that forwards an alert's body holds its own copy until it is sent.
                foreach (var member in r.decision.Members)
                {
                    c.Statement(DropRawAlertSql).Set("$signal_id", member).ExecuteNonQuery();
                }
            }

            return true;
        });
        if (added)
        {
            Interlocked.Increment(ref _count);
        }

        return added;
    }

    public Task<Decision?> GetAsync(string decisionId, CancellationToken cancellationToken) =>
        _database.ReadAsync(decisionId, static (c, id) => ReadOne(c.Statement(GetSql).Set("$id", id)), cancellationToken);

    public Task<IReadOnlyList<Decision>> ListBySymbolAsync(Symbol symbol, int limit, CancellationToken cancellationToken) =>
        _database.ReadAsync(
            (symbol, limit),
            static (c, q) => ReadAll(c.Statement(ListBySymbolSql).Set("$symbol", q.symbol.Value).Set("$limit", q.limit)),
            cancellationToken);

    internal void Removed(long count) => Interlocked.Add(ref _count, -count);

    private static Decision? ReadOne(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        return reader.Read() ? Parse(reader.GetString(0)) : null;
    }

    private static IReadOnlyList<Decision> ReadAll(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var decisions = new List<Decision>();
        while (reader.Read())
        {
            decisions.Add(Parse(reader.GetString(0)));
        }

        return decisions;
    }

    private static Decision Parse(string body) =>
        JsonSerializer.Deserialize(body, EmbeddedJsonContext.Default.Decision)
        ?? throw new InvalidDataException("A stored decision is empty.");
}
