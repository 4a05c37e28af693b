using Kyperian.Domain.Signals;

namespace Kyperian.Domain.Decisions;

/// <summary>The latest signal of a symbol on one timeframe: the engine's per-timeframe state.</summary>
public sealed record TimeframeSignal(Timeframe Timeframe, SignalAction Action, int Confidence, DateTimeOffset ObservedAt, string SignalId)
{
    public static TimeframeSignal From(Signal signal) =>
        new(signal.Timeframe, signal.Action, signal.Confidence, signal.ObservedAt, signal.SignalId);

    /// <summary>True when this one is the newer of the two for the same timeframe, so it should replace <paramref name="current"/>.</summary>
    public bool Supersedes(TimeframeSignal? current) =>
        current is null
        || ObservedAt > current.ObservedAt
        || (ObservedAt == current.ObservedAt && string.CompareOrdinal(SignalId, current.SignalId) > 0);
}
