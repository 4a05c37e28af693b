using System.Collections.Concurrent;
using System.Text.Json;
using Kyperian.Domain.Ports;

namespace Kyperian.Api.Application.Notifications;

/// <summary>
/// Raises events: one outbox delivery per destination that takes the event's type, then wakes those destinations.
/// A decision's deliveries are built by <see cref="DeliveriesFor"/> and written with the decision, in its step.
/// </summary>
public sealed class NotificationPublisher(
    INotificationOutbox outbox,
    NotificationDestinations destinations,
    DeliveryWakeup wakeup,
    TimeProvider time)
{
    /// <summary>True when some destination takes <paramref name="type"/>: nothing needs building otherwise.</summary>
    public bool AnyTakes(NotificationEventType type) => destinations.All.Any(d => d.Takes(type));

    /// <summary>True when a destination that takes <paramref name="type"/> forwards the alert's own body (<c>{{raw}}</c>).</summary>
    public bool NeedsRawAlert(NotificationEventType type) => destinations.All.Any(d => d.Takes(type) && d.Template?.UsesRaw == true);

    /// <param name="notification">The event.</param>
    /// <param name="rawAlert">The alert's body, kept only on deliveries whose template forwards it.</param>
    /// <param name="except">A destination left out (the one a dead letter is about).</param>
    public IReadOnlyList<OutboxDelivery> DeliveriesFor(NotificationEvent notification, string? rawAlert, string? except = null)
    {
        var targets = destinations.All.Where(d => d.Takes(notification.Type) && d.Name != except).ToList();
        if (targets.Count == 0)
        {
            return [];
        }

        var payload = JsonSerializer.Serialize(notification, NotificationJsonContext.Default.NotificationEvent);
        var now = time.GetUtcNow();
        return
        [
            .. targets.Select(d => new OutboxDelivery
            {
                DeliveryId = $"{notification.Id}.{d.Name}",
                EventId = notification.Id,
                EventType = notification.Type.Code(),
                Destination = d.Name,
                Payload = payload,
                RawAlert = d.Template?.UsesRaw == true ? rawAlert : null,
                CreatedAt = now,
                NextAttemptAt = now,
            }),
        ];
    }

    public async Task PublishAsync(NotificationEvent notification, string? rawAlert, CancellationToken cancellationToken, string? except = null)
    {
        var deliveries = DeliveriesFor(notification, rawAlert, except);
        if (deliveries.Count == 0)
        {
            return;
        }

        await outbox.EnqueueAsync(deliveries, cancellationToken);
        Enqueued(deliveries);
    }

    /// <summary>Tells the destinations that deliveries wait for them (after a store wrote them with a decision).</summary>
    public void Enqueued(IReadOnlyList<OutboxDelivery> deliveries)
    {
        foreach (var destination in deliveries.Select(d => d.Destination).Distinct(StringComparer.Ordinal))
        {
            wakeup.Pulse(destination);
        }
    }
}

/// <summary>Wakes an idle destination when a delivery for it is enqueued, so it does not wait for its next poll.</summary>
public sealed class DeliveryWakeup
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _signals = new(StringComparer.Ordinal);

    /// <summary>Completes at the next <see cref="Pulse"/> for <paramref name="destination"/>. Take it before looking for work.</summary>
    public Task Next(string destination) =>
        _signals.GetOrAdd(destination, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Pulse(string destination)
    {
        if (_signals.TryRemove(destination, out var signal))
        {
            signal.TrySetResult();
        }
    }
}
