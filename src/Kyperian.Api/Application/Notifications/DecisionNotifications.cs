using System.Text.Encodings.Web;
using System.Text.Json;
using Kyperian.Api.Application.Intake;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Signals;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Application.Notifications;

/// <summary>
/// Stores a decision with the deliveries of the notification it raises, in the same step: in one transaction where
/// the store can (<see cref="IDecisionOutbox"/>), else the decision first and its deliveries right after, both
/// conditional on their ids, before the signal is acknowledged; a crash between them is repaired when the signal comes
/// back (<see cref="EnsureNotifiedAsync"/>). Either way a crash between deciding and sending loses nothing.
/// </summary>
public sealed class DecisionNotifications(
    IDecisionStore decisions,
    ISignalStore signals,
    INotificationOutbox outbox,
    NotificationPublisher publisher,
    AlertActivity activity,
    IOptions<WebhookOptions> webhook)
{
    /// <returns>False when a decision with this id was stored before (nothing is written then).</returns>
    public async Task<bool> TryAddAsync(Decision decision, Signal signal, CancellationToken cancellationToken)
    {
        activity.Seen(signal.ReceivedAt);
        var deliveries = await DeliveriesAsync(decision, signal, cancellationToken);
        bool added;
        if (decisions is IDecisionOutbox together)
        {
            added = await together.TryAddAsync(decision, deliveries, cancellationToken);
        }
        else
        {
            added = await decisions.TryAddAsync(decision, cancellationToken);
            if (added)
            {
                await outbox.EnqueueAsync(deliveries, cancellationToken);

                // Decided: the deliveries that forward the alert's body hold their own copy.
                await signals.DropRawAlertAsync(signal.SignalId, cancellationToken);
            }
        }

        if (added && deliveries.Count > 0)
        {
            publisher.Enqueued(deliveries);
        }

        return added;
    }

    /// <summary>
    /// For a decision found already stored (its signal came back): writes its deliveries again, which adds only those a
    /// crash kept from being written. Nothing to do where they were written in the decision's transaction.
    /// </summary>
    public async Task EnsureNotifiedAsync(Decision earlier, Signal signal, CancellationToken cancellationToken)
    {
        if (decisions is IDecisionOutbox)
        {
            return;
        }

        var deliveries = await DeliveriesAsync(earlier, signal, cancellationToken);
        if (deliveries.Count > 0)
        {
            await outbox.EnqueueAsync(deliveries, cancellationToken);
            publisher.Enqueued(deliveries);
        }
    }

    private async Task<IReadOnlyList<OutboxDelivery>> DeliveriesAsync(Decision decision, Signal signal, CancellationToken cancellationToken)
    {
        var type = decision.Verdict == Verdict.Execute ? NotificationEventType.DecisionExecute : NotificationEventType.DecisionVeto;
        if (!publisher.AnyTakes(type))
        {
            return [];
        }

        var raw = publisher.NeedsRawAlert(type) ? await signals.GetRawAlertAsync(signal.SignalId, cancellationToken) : null;
        return publisher.DeliveriesFor(NotificationEvents.ForDecision(decision, signal), WithoutPassphrase(raw));
    }

    /// <summary>
    /// The alert as sent, but for our own passphrase: a bridge that receives the trader's message has no use for the
    /// secret that let it in here, and must not learn it.
    /// </summary>
    private string? WithoutPassphrase(string? raw)
    {
        var passphrase = webhook.Value.Passphrase;
        if (raw is null || string.IsNullOrEmpty(passphrase))
        {
            return raw;
        }

        var escaped = JsonEncodedText.Encode(passphrase, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString();
        return raw.Replace(passphrase, "***", StringComparison.Ordinal).Replace(escaped, "***", StringComparison.Ordinal);
    }
}
