using Kyperian.Domain.Signals;

namespace Kyperian.Domain.Alerts;

/// <summary>Turns an alert that passed <see cref="AlertValidator"/> into the one canonical <see cref="Signal"/>.</summary>
public static class AlertNormalizer
{
    public const string DefaultSource = "tradingview";

    /// <summary>Builds the signal from the values the validator parsed; nothing is parsed again and nothing can fail.</summary>
    public static (Signal Signal, SignalIdentity Identity) ToSignal(ValidAlert alert, DateTimeOffset receivedAt, TimeSpan dedupeWindow)
    {
        var source = alert.Source ?? DefaultSource;
        var identity = SignalIdentity.Compute(
            source, alert.Symbol, alert.Exchange, alert.Timeframe, alert.Action, alert.Price, alert.Time, alert.Id, receivedAt, dedupeWindow);

        var signal = new Signal
        {
            SignalId = identity.Id,
            Symbol = alert.Symbol,
            Exchange = alert.Exchange,
            Action = alert.Action,
            Timeframe = alert.Timeframe,
            Price = alert.Price,
            PriceSource = alert.Price is null ? PriceSource.None : PriceSource.Alert,
            // None sent stays none: the engine applies its own DefaultConfidence, changeable at run time.
            Confidence = alert.Confidence,
            Source = source,
            AlertId = alert.Id,
            AlertTime = alert.Time,
            ReceivedAt = receivedAt,
            Quantity = alert.Quantity,
            StopLoss = alert.StopLoss,
            TakeProfit = alert.TakeProfit,
            Comment = alert.Comment,
        };
        return (signal, identity);
    }
}
