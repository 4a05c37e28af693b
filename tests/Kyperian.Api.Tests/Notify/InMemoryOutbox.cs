using Kyperian.Domain.Risk;
using Kyperian.Domain.Ports;

namespace Kyperian.Api.Tests.Notify;

/// <summary>
/// The outbox port kept in a dictionary, for tests of delivery that do not test a store: the same claim, lease and
/// status rules the durable outboxes follow.
/// </summary>
public sealed class InMemoryOutbox : INotificationOutbox
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, OutboxDelivery> _deliveries = new(StringComparer.Ordinal);

    public IReadOnlyList<OutboxDelivery> All
    {
        get
        {
            lock (_gate)
            {
                return [.. _deliveries.Values.OrderBy(d => d.CreatedAt).ThenBy(d => d.DeliveryId, StringComparer.Ordinal)];
            }
        }
    }

    public OutboxDelivery? Find(string deliveryId)
    {
        lock (_gate)
        {
            return _deliveries.GetValueOrDefault(deliveryId);
        }
    }

    public Task EnqueueAsync(IReadOnlyList<OutboxDelivery> deliveries, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            foreach (var delivery in deliveries)
            {
                _deliveries.TryAdd(delivery.DeliveryId, delivery);
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<OutboxDelivery>> ClaimDueAsync(
        string destination, DateTimeOffset now, TimeSpan lease, int limit, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var due = _deliveries.Values
                .Where(d => d.Destination == destination && d.Status == DeliveryStatus.Pending && d.NextAttemptAt <= now
                    && (d.ClaimedUntil is null || d.ClaimedUntil <= now))
                .OrderBy(d => d.NextAttemptAt)
                .ThenBy(d => d.CreatedAt)
                .Take(limit)
                .Select(d => d with { ClaimedUntil = now + lease })
                .ToList();
            foreach (var claimed in due)
            {
                _deliveries[claimed.DeliveryId] = claimed;
            }

            return Task.FromResult<IReadOnlyList<OutboxDelivery>>(due);
        }
    }

    public Task MarkSentAsync(string deliveryId, int attempts, DateTimeOffset at, CancellationToken cancellationToken) =>
        Update(deliveryId, d => d with
        {
            Status = DeliveryStatus.Sent,
            Attempts = attempts,
            LastAttemptAt = at,
            SentAt = at,
            ClaimedUntil = null,
            RawAlert = null,
        });

    public Task MarkRetryingAsync(
        string deliveryId,
        int attempts,
        DateTimeOffset at,
        string error,
        DateTimeOffset nextAttemptAt,
        DateTimeOffset claimedUntil,
        CancellationToken cancellationToken) =>
        Update(deliveryId, d => d with
        {
            Attempts = attempts,
            LastAttemptAt = at,
            LastError = error,
            NextAttemptAt = nextAttemptAt,
            ClaimedUntil = claimedUntil,
        });

    public Task MarkFailedAsync(string deliveryId, int attempts, DateTimeOffset at, string error, CancellationToken cancellationToken) =>
        Update(deliveryId, d => d with
        {
            Status = DeliveryStatus.Failed,
            Attempts = attempts,
            LastAttemptAt = at,
            LastError = error,
            ClaimedUntil = null,
        });

    public Task<OutboxDelivery?> GetAsync(string deliveryId, CancellationToken cancellationToken) => Task.FromResult(Find(deliveryId));

    public Task<IReadOnlyList<OutboxDelivery>> ListAsync(DeliveryStatus status, int limit, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<OutboxDelivery>>(
            [
                .. _deliveries.Values.Where(d => d.Status == status).OrderByDescending(d => d.LastAttemptAt ?? d.CreatedAt).Take(limit),
            ]);
        }
    }

    public Task<bool> RetryAsync(string deliveryId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_deliveries.TryGetValue(deliveryId, out var delivery) || delivery.Status != DeliveryStatus.Failed)
            {
                return Task.FromResult(false);
            }

            _deliveries[deliveryId] = delivery with
            {
                Status = DeliveryStatus.Pending,
                Attempts = 0,
                NextAttemptAt = now,
                ClaimedUntil = null,
            };
            return Task.FromResult(true);
        }
    }

    private Task Update(string deliveryId, Func<OutboxDelivery, OutboxDelivery> change)
    {
        lock (_gate)
        {
            if (_deliveries.TryGetValue(deliveryId, out var delivery))
            {
                _deliveries[deliveryId] = change(delivery);
            }
        }

        return Task.CompletedTask;
    }
}

/// <summary>The risk event log kept in a list, for the delivery harness: added once per id, listed newest first.</summary>
public sealed class InMemoryRiskEventLog : IRiskEventLog
{
    private readonly Lock _gate = new();
    private readonly List<RiskEvent> _events = [];

    public Task<bool> TryAddAsync(RiskEvent riskEvent, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_events.Any(e => e.EventId == riskEvent.EventId))
            {
                return Task.FromResult(false);
            }

            _events.Add(riskEvent);
            return Task.FromResult(true);
        }
    }

    public Task<IReadOnlyList<RiskEvent>> ListAsync(int limit, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<RiskEvent>>([.. _events.OrderByDescending(e => e.At).Take(limit)]);
        }
    }
}
