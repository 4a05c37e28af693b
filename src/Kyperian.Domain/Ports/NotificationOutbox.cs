using Kyperian.Domain.Decisions;

namespace Kyperian.Domain.Ports;

/// <summary>Where a delivery stands, as the operator sees it.</summary>
public enum DeliveryStatus
{
    /// <summary>Not sent yet: due, waiting for its next attempt, or being attempted.</summary>
    Pending,

    /// <summary>The destination took it.</summary>
    Sent,

    /// <summary>Dead-lettered: the destination refused it for good, or every attempt failed.</summary>
    Failed,
}

/// <summary>
/// One event on its way to one destination. The payload is the event as JSON, written once when the event is
/// raised, so every attempt sends the same thing; it never holds a destination's secret.
/// </summary>
public sealed record OutboxDelivery
{
    /// <summary><c>{eventId}.{destination}</c>: one delivery per event and destination, so enqueuing twice adds nothing.</summary>
    public required string DeliveryId { get; init; }

    /// <summary>Stable across retries and destinations: receivers deduplicate on it.</summary>
    public required string EventId { get; init; }

    /// <summary><c>decision.execute</c>, <c>risk.halt</c>…</summary>
    public required string EventType { get; init; }

    /// <summary>The destination's name (<c>telegram</c>, <c>webhook-0</c>…), never its address.</summary>
    public required string Destination { get; init; }

    public required string Payload { get; init; }

    /// <summary>
    /// The alert's body as the trader sent it, for a template that forwards it (<c>{{raw}}</c>); only on
    /// deliveries whose destination asks for it, and forgotten once sent.
    /// </summary>
    public string? RawAlert { get; init; }

    public DeliveryStatus Status { get; init; } = DeliveryStatus.Pending;

    public int Attempts { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the next attempt is planned (a Retry-After or a backoff); due when it has passed.</summary>
    public required DateTimeOffset NextAttemptAt { get; init; }

    /// <summary>A worker holds the delivery until then; after it, another may claim it (the first one died).</summary>
    public DateTimeOffset? ClaimedUntil { get; init; }

    public DateTimeOffset? LastAttemptAt { get; init; }

    /// <summary>Why the last attempt failed, in words that carry no secret.</summary>
    public string? LastError { get; init; }

    public DateTimeOffset? SentAt { get; init; }
}

/// <summary>
/// The durable queue of deliveries: written in the same step as what raised the event, so a crash between deciding
/// and sending loses nothing; delivered at least once.
/// </summary>
public interface INotificationOutbox
{
    /// <summary>Adds the deliveries; one whose id is already there is left as it is.</summary>
    Task EnqueueAsync(IReadOnlyList<OutboxDelivery> deliveries, CancellationToken cancellationToken);

    /// <summary>
    /// Pending deliveries to <paramref name="destination"/> that are due at <paramref name="now"/> and held by no one,
    /// oldest first, each now held until <paramref name="now"/> + <paramref name="lease"/>.
    /// </summary>
    Task<IReadOnlyList<OutboxDelivery>> ClaimDueAsync(
        string destination, DateTimeOffset now, TimeSpan lease, int limit, CancellationToken cancellationToken);

    Task MarkSentAsync(string deliveryId, int attempts, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>An attempt failed and another is planned at <paramref name="nextAttemptAt"/>; held until <paramref name="claimedUntil"/>.</summary>
    Task MarkRetryingAsync(
        string deliveryId,
        int attempts,
        DateTimeOffset at,
        string error,
        DateTimeOffset nextAttemptAt,
        DateTimeOffset claimedUntil,
        CancellationToken cancellationToken);

    /// <summary>Dead-letters the delivery.</summary>
    Task MarkFailedAsync(string deliveryId, int attempts, DateTimeOffset at, string error, CancellationToken cancellationToken);

    Task<OutboxDelivery?> GetAsync(string deliveryId, CancellationToken cancellationToken);

    /// <summary>Most recent first (last attempt, else creation).</summary>
    Task<IReadOnlyList<OutboxDelivery>> ListAsync(DeliveryStatus status, int limit, CancellationToken cancellationToken);

    /// <summary>Makes a failed delivery pending again, due now, with its attempts counted afresh.</summary>
    /// <returns>False when there is no failed delivery with this id.</returns>
    Task<bool> RetryAsync(string deliveryId, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>
/// A decision store that writes a decision and the deliveries of the notification it raises in one transaction: both
/// or neither. A store without it writes them one after the other, and a redelivered signal writes them again.
/// </summary>
public interface IDecisionOutbox
{
    /// <summary>
    /// Stores <paramref name="decision"/> and <paramref name="deliveries"/> together, and forgets the alert body kept for
    /// the decision's signal (a delivery that forwards it holds its own copy).
    /// </summary>
    /// <returns>False when a decision with this id is already stored: then nothing is written.</returns>
    Task<bool> TryAddAsync(Decision decision, IReadOnlyList<OutboxDelivery> deliveries, CancellationToken cancellationToken);
}
