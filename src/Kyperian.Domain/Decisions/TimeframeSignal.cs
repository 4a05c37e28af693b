using Kyperian.Domain.Signals;

namespace Kyperian.Domain.Decisions;

/// <summary>The latest signal of a symbol on one timeframe: the engine's per-timeframe state.</summary>
/// <param name="Timeframe">The timeframe.</param>
/// <param name="Action">What the alert asked for.</param>
/// <param name="Confidence">As the alert sent it; null when it sent none.</param>
/// <param name="ObservedAt">When the market said it: the alert's own time, else its receipt.</param>
/// <param name="SignalId">The signal's id.</param>
/// <param name="ReceivedAt">When the webhook received it: breaks ties between two signals of one moment by arrival.</param>
public sealed record TimeframeSignal(
    Timeframe Timeframe,
    SignalAction Action,
    int? Confidence,
    DateTimeOffset ObservedAt,
    string SignalId,
    DateTimeOffset? ReceivedAt = null)
{
    public static TimeframeSignal From(Signal signal) =>
        new(signal.Timeframe, signal.Action, signal.Confidence, signal.ObservedAt, signal.SignalId, signal.ReceivedAt);

    /// <summary>
    /// True when this one is the newer of the two for the same timeframe, so it should replace <paramref name="current"/>:
    /// the later observation; of one moment, the later arrival; of one arrival instant, the greater id, so every
    /// replica agrees.
    /// </summary>
    public bool Supersedes(TimeframeSignal? current)
    {
        if (current is null || ObservedAt > current.ObservedAt)
        {
            return true;
        }

        if (ObservedAt < current.ObservedAt)
        {
            return false;
        }

        var arrival = Nullable.Compare(ReceivedAt, current.ReceivedAt);
        return arrival != 0 ? arrival > 0 : string.CompareOrdinal(SignalId, current.SignalId) > 0;
    }
}
