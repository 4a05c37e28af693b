using System.Text;
using Kyperian.Api.Application.Intake;
using Kyperian.Domain.Alerts;
using Kyperian.Domain.Signals;

namespace Kyperian.Api.Application.Replay;

/// <summary>One alert to replay, as TradingView sends it: a JSON message or a text one.</summary>
/// <param name="Name">How errors name it: <c>signals[3]</c>, <c>line 4</c>.</param>
/// <param name="Body">The message.</param>
/// <param name="IsJson">True for a JSON message, false for a text format.</param>
public readonly record struct ReplayAlert(string Name, string Body, bool IsJson);

/// <summary>Alerts read for a replay: their signals in arrival order, or every error, named.</summary>
/// <param name="Signals">Each alert's signal at its own time, in time order, repeats left out.</param>
/// <param name="Errors">By <c>{name}.{field}</c>: what is wrong; empty when every alert is good.</param>
/// <param name="Repeats">Alerts left out because an earlier one is the same signal (the webhook would answer "duplicate").</param>
public sealed record ReplayAlertsRead(IReadOnlyList<Signal> Signals, IReadOnlyDictionary<string, string[]> Errors, int Repeats);

/// <summary>
/// Reads alerts for a replay through the webhook's own pipeline, so a replayed alert is read exactly as it would be
/// live. Each plays at its own <c>time</c>, which it must carry; one without a price takes the last price of its
/// symbol among the alerts before it, as the webhook takes the last one seen.
/// </summary>
public sealed class ReplayAlerts(AlertPipeline pipeline, TimeProvider time)
{
    public async Task<ReplayAlertsRead> ReadAsync(IEnumerable<ReplayAlert> alerts, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var signals = new List<Signal>();
        var now = time.GetUtcNow();
        foreach (var alert in alerts)
        {
            var bytes = Encoding.UTF8.GetBytes(alert.Body);
            using var body = new MemoryStream(bytes, writable: false);
            var request = new AlertRequest(body, alert.IsJson ? "application/json" : "text/plain", null, bytes.Length, null, now, AlertDefaults.None);
            var outcome = await pipeline.ReadForReplayAsync(request, cancellationToken);
            switch (outcome)
            {
                case { Stage: AlertStage.Parsed, Signal: { AlertTime: { } at } signal }:
                    signals.Add(signal with { ReceivedAt = at });
                    break;
                case { Stage: AlertStage.Parsed }:
                    errors[$"{alert.Name}.{AlertFields.Time}"] = ["is required: a replayed alert plays at its own time"];
                    break;
                case { Stage: AlertStage.Unreadable }:
                    errors[alert.Name] = [outcome.Detail ?? "cannot be read as an alert"];
                    break;
                default:
                    foreach (var error in outcome.Errors)
                    {
                        var key = $"{alert.Name}.{error.Field}";
                        errors[key] = errors.TryGetValue(key, out var reasons) ? [.. reasons, error.Reason] : [error.Reason];
                    }

                    break;
            }
        }

        return errors.Count > 0 ? new ReplayAlertsRead([], errors, 0) : InArrivalOrder(signals);
    }

    private static ReplayAlertsRead InArrivalOrder(List<Signal> signals)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var lastPrice = new Dictionary<Symbol, decimal>();
        var ordered = new List<Signal>(signals.Count);
        foreach (var signal in signals.OrderBy(static s => s.ReceivedAt))
        {
            if (!seen.Add(signal.SignalId))
            {
                continue;
            }

            if (signal.Price is { } price)
            {
                lastPrice[signal.Symbol] = price;
                ordered.Add(signal);
            }
            else
            {
                ordered.Add(lastPrice.TryGetValue(signal.Symbol, out var last) ? signal with { Price = last, PriceSource = PriceSource.LastSeen } : signal);
            }
        }

        return new ReplayAlertsRead(ordered, new Dictionary<string, string[]>(), signals.Count - ordered.Count);
    }
}
