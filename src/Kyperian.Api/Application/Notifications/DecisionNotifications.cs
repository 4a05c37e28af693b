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
    /// <param name="decision">The decision, of one signal or of a bar-close burst.</param>
    /// <param name="members">The signals it decides: a burst is one decision, and is told once.</param>
    /// <param name="cancellationToken">Cancels the writes.</param>
    /// <returns>False when a decision with this id was stored before (nothing is written then).</returns>
    public async Task<bool> TryAddAsync(Decision decision, IReadOnlyList<Signal> members, CancellationToken cancellationToken)
    {
        foreach (var member in members)
        {
            activity.Seen(member.ReceivedAt);
        }

        var deliveries = await DeliveriesAsync(decision, Trigger(decision, members), cancellationToken);
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

                // Decided: the deliveries that forward an alert's body hold their own copy.
                foreach (var member in decision.Members)
                {
                    await signals.DropRawAlertAsync(member, cancellationToken);
                }
            }
        }

        if (added && deliveries.Count > 0)
        {
            publisher.Enqueued(deliveries);
        }

        return added;
    }

    /// <summary>
    /// For a decision found already stored (one of its signals came back): writes its deliveries again, which adds only
    /// those a crash kept from being written. Nothing to do where they were written in the decision's transaction.
    /// </summary>
    /// <param name="earlier">The stored decision.</param>
    /// <param name="signal">The signal that came back: the decision's own, or another member of its burst.</param>
    /// <param name="cancellationToken">Cancels the reads and writes.</param>
    public async Task EnsureNotifiedAsync(Decision earlier, Signal signal, CancellationToken cancellationToken)
    {
        if (decisions is IDecisionOutbox || !publisher.AnyTakes(TypeOf(earlier)))
        {
            return;
        }

        var trigger = signal.SignalId == earlier.SignalId ? signal : await signals.GetAsync(earlier.SignalId, cancellationToken);
        var deliveries = await DeliveriesAsync(earlier, trigger, cancellationToken);
        if (deliveries.Count > 0)
        {
            await outbox.EnqueueAsync(deliveries, cancellationToken);
            publisher.Enqueued(deliveries);
        }
    }

    private static NotificationEventType TypeOf(Decision decision) =>
        decision.Verdict == Verdict.Execute ? NotificationEventType.DecisionExecute : NotificationEventType.DecisionVeto;

    /// <summary>The signal the decision acts on: alone, or the trigger of its burst.</summary>
    private static Signal? Trigger(Decision decision, IReadOnlyList<Signal> members)
    {
        foreach (var member in members)
        {
            if (member.SignalId == decision.SignalId)
            {
                return member;
            }
        }

        return members.Count > 0 ? members[^1] : null;
    }

    private async Task<IReadOnlyList<OutboxDelivery>> DeliveriesAsync(Decision decision, Signal? trigger, CancellationToken cancellationToken)
    {
        var type = TypeOf(decision);
        if (!publisher.AnyTakes(type))
        {
            return [];
        }

        var raw = trigger is not null && publisher.NeedsRawAlert(type) ? await signals.GetRawAlertAsync(trigger.SignalId, cancellationToken) : null;
        return publisher.DeliveriesFor(NotificationEvents.ForDecision(decision, trigger), WithoutPassphrase(raw));
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
