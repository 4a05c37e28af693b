using Kyperian.Domain.Ports;
using Microsoft.Data.Sqlite;

namespace Kyperian.Api.Infrastructure.Embedded;

/// <summary>
/// The notification outbox in the <c>notification_outbox</c> table. A decision's deliveries are added with it, in its
/// transaction (<see cref="SqliteDecisionStore"/>); other events' (risk events, dead letters, silence) when raised; claims and outcomes are writes on the single writer, so two workers
/// never both hold one delivery. Reads (due work, listings) run on the read connections.
/// </summary>
public sealed class SqliteNotificationOutbox(EmbeddedDatabase database) : INotificationOutbox
{
    internal const int Pending = 0;
    internal const int Sent = 1;
    internal const int Failed = 2;

    private const string Columns =
        "delivery_id, event_id, event_type, destination, payload, raw_alert, status, attempts, created_at, next_attempt_at, "
        + "claimed_until, last_attempt_at, last_error, sent_at";

    internal const string InsertSql = """
        INSERT INTO notification_outbox (delivery_id, event_id, event_type, destination, payload, raw_alert, status, attempts,
            created_at, next_attempt_at, claimed_until, due_at, last_attempt_at, last_error, sent_at, listed_at)
        VALUES ($id, $event_id, $event_type, $destination, $payload, $raw, $status, $attempts,
            $created_at, $next, $claimed, $due, $last_at, $error, $sent_at, $listed_at)
        ON CONFLICT (delivery_id) DO NOTHING
        """;

    private const string AnyDueSql =
        "SELECT EXISTS (SELECT 1 FROM notification_outbox WHERE status = 0 AND destination = $destination AND due_at <= $now)";

    private const string ClaimSql = $"""
        UPDATE notification_outbox SET claimed_until = $until, due_at = $until
        WHERE seq IN (SELECT seq FROM notification_outbox WHERE status = 0 AND destination = $destination AND due_at <= $now
                      ORDER BY due_at, seq LIMIT $limit)
        RETURNING seq, {Columns}
        """;

    private const string SentSql = """
        UPDATE notification_outbox SET status = 1, attempts = $attempts, last_attempt_at = $at, sent_at = $at, listed_at = $at,
            claimed_until = NULL, raw_alert = NULL
        WHERE delivery_id = $id
        """;

    private const string RetryingSql = """
        UPDATE notification_outbox SET attempts = $attempts, last_attempt_at = $at, last_error = $error, listed_at = $at,
            next_attempt_at = $next, claimed_until = $until, due_at = max($next, $until)
        WHERE delivery_id = $id
        """;

    private const string FailedSql = """
        UPDATE notification_outbox SET status = 2, attempts = $attempts, last_attempt_at = $at, last_error = $error, listed_at = $at,
            claimed_until = NULL
        WHERE delivery_id = $id
        """;

    private const string RetrySql = """
        UPDATE notification_outbox SET status = 0, attempts = 0, next_attempt_at = $now, due_at = $now, claimed_until = NULL, listed_at = $now
        WHERE delivery_id = $id AND status = 2
        """;

    private const string GetSql = $"SELECT seq, {Columns} FROM notification_outbox WHERE delivery_id = $id";

    private const string ListSql = $"SELECT seq, {Columns} FROM notification_outbox WHERE status = $status ORDER BY listed_at DESC, seq DESC LIMIT $limit";

    public Task EnqueueAsync(IReadOnlyList<OutboxDelivery> deliveries, CancellationToken cancellationToken) =>
        deliveries.Count == 0 ? Task.CompletedTask : database.WriteAsync(deliveries, static (c, d) => Insert(c, d));

    public async Task<IReadOnlyList<OutboxDelivery>> ClaimDueAsync(
        string destination, DateTimeOffset now, TimeSpan lease, int limit, CancellationToken cancellationToken)
    {
        // Looking is a read; only work found takes a turn on the writer.
        var anyDue = await database.ReadAsync(
            (destination, now),
            static (c, q) => (long)c.Statement(AnyDueSql).Set("$destination", q.destination).Set("$now", q.now).ExecuteScalar()! == 1,
            cancellationToken);
        if (!anyDue || limit <= 0)
        {
            return [];
        }

        var claimed = await database.WriteAsync(
            (destination, now, until: now + lease, limit),
            static (c, q) => ReadAll(c.Statement(ClaimSql)
                .Set("$destination", q.destination)
                .Set("$now", q.now)
                .Set("$until", q.until)
                .Set("$limit", q.limit)),
            isolated: false);
        return [.. claimed.OrderBy(d => d.NextAttemptAt).ThenBy(d => d.CreatedAt)];
    }

    public Task MarkSentAsync(string deliveryId, int attempts, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.WriteAsync(
            (deliveryId, attempts, at),
            static (c, r) => c.Statement(SentSql).Set("$id", r.deliveryId).Set("$attempts", r.attempts).Set("$at", r.at).ExecuteNonQuery(),
            isolated: false);

    public Task MarkRetryingAsync(
        string deliveryId,
        int attempts,
        DateTimeOffset at,
        string error,
        DateTimeOffset nextAttemptAt,
        DateTimeOffset claimedUntil,
        CancellationToken cancellationToken) =>
        database.WriteAsync(
            (deliveryId, attempts, at, error, nextAttemptAt, claimedUntil),
            static (c, r) => c.Statement(RetryingSql)
                .Set("$id", r.deliveryId)
                .Set("$attempts", r.attempts)
                .Set("$at", r.at)
                .Set("$error", r.error)
                .Set("$next", r.nextAttemptAt)
                .Set("$until", r.claimedUntil)
                .ExecuteNonQuery(),
            isolated: false);

    public Task MarkFailedAsync(string deliveryId, int attempts, DateTimeOffset at, string error, CancellationToken cancellationToken) =>
        database.WriteAsync(
            (deliveryId, attempts, at, error),
            static (c, r) => c.Statement(FailedSql)
                .Set("$id", r.deliveryId)
                .Set("$attempts", r.attempts)
                .Set("$at", r.at)
                .Set("$error", r.error)
                .ExecuteNonQuery(),
            isolated: false);

    public Task<OutboxDelivery?> GetAsync(string deliveryId, CancellationToken cancellationToken) =>
        database.ReadAsync(deliveryId, static (c, id) => ReadAll(c.Statement(GetSql).Set("$id", id)).FirstOrDefault(), cancellationToken);

    public Task<IReadOnlyList<OutboxDelivery>> ListAsync(DeliveryStatus status, int limit, CancellationToken cancellationToken) =>
        database.ReadAsync(
            (status: StatusCode(status), limit),
            static (c, q) => (IReadOnlyList<OutboxDelivery>)ReadAll(c.Statement(ListSql).Set("$status", q.status).Set("$limit", q.limit)),
            cancellationToken);

    public Task<bool> RetryAsync(string deliveryId, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.WriteAsync(
            (deliveryId, now),
            static (c, r) => c.Statement(RetrySql).Set("$id", r.deliveryId).Set("$now", r.now).ExecuteNonQuery() == 1,
            isolated: false);

    /// <summary>Adds the deliveries that are not there yet, on the writer, inside whatever transaction runs.</summary>
    internal static int Insert(EmbeddedConnection connection, IReadOnlyList<OutboxDelivery> deliveries)
    {
        var added = 0;
        foreach (var d in deliveries)
        {
            var due = d.ClaimedUntil is { } claimed && claimed > d.NextAttemptAt ? claimed : d.NextAttemptAt;
            added += connection.Statement(InsertSql)
                .Set("$id", d.DeliveryId)
                .Set("$event_id", d.EventId)
                .Set("$event_type", d.EventType)
                .Set("$destination", d.Destination)
                .Set("$payload", d.Payload)
                .Set("$raw", d.RawAlert)
                .Set("$status", StatusCode(d.Status))
                .Set("$attempts", d.Attempts)
                .Set("$created_at", d.CreatedAt)
                .Set("$next", d.NextAttemptAt)
                .Set("$claimed", d.ClaimedUntil?.UtcTicks)
                .Set("$due", due)
                .Set("$last_at", d.LastAttemptAt?.UtcTicks)
                .Set("$error", d.LastError)
                .Set("$sent_at", d.SentAt?.UtcTicks)
                .Set("$listed_at", d.LastAttemptAt ?? d.CreatedAt)
                .ExecuteNonQuery();
        }

        return added;
    }

    private static int StatusCode(DeliveryStatus status) => status switch
    {
        DeliveryStatus.Pending => Pending,
        DeliveryStatus.Sent => Sent,
        _ => Failed,
    };

    private static List<OutboxDelivery> ReadAll(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var deliveries = new List<OutboxDelivery>();
        while (reader.Read())
        {
            deliveries.Add(new OutboxDelivery
            {
                DeliveryId = reader.GetString(1),
                EventId = reader.GetString(2),
                EventType = reader.GetString(3),
                Destination = reader.GetString(4),
                Payload = reader.GetString(5),
                RawAlert = reader.IsDBNull(6) ? null : reader.GetString(6),
                Status = reader.GetInt32(7) switch
                {
                    Pending => DeliveryStatus.Pending,
                    Sent => DeliveryStatus.Sent,
                    _ => DeliveryStatus.Failed,
                },
                Attempts = reader.GetInt32(8),
                CreatedAt = reader.GetTime(9),
                NextAttemptAt = reader.GetTime(10),
                ClaimedUntil = reader.IsDBNull(11) ? null : reader.GetTime(11),
                LastAttemptAt = reader.IsDBNull(12) ? null : reader.GetTime(12),
                LastError = reader.IsDBNull(13) ? null : reader.GetString(13),
                SentAt = reader.IsDBNull(14) ? null : reader.GetTime(14),
            });
        }

        return deliveries;
    }
}
