using Kyperian.Domain.Signals;

namespace Kyperian.Domain.Alerts;

/// <summary>Turns an alert that passed <see cref="AlertValidator"/> into the one canonical <see cref="Signal"/>.</summary>
public static class AlertNormalizer
{
    public const string DefaultSource = "tradingview";

    public static (Signal Signal, SignalIdentity Identity) ToSignal(AlertInput input, DateTimeOffset receivedAt, TimeSpan dedupeWindow)
    {
        if (!Symbol.TryParse(input.Symbol, out var symbol, out var prefixExchange, out _)
            || !SignalActions.TryParse(input.Action, out var action)
            || !Timeframe.TryParse(input.Timeframe, out var timeframe)
            || input.Price is not { } price)
        {
            throw new InvalidOperationException("Only an alert that passed validation can be normalized.");
        }

        var source = input.Source is null ? DefaultSource : input.Source.ToLowerInvariant();
        var exchange = input.Exchange?.ToUpperInvariant() ?? prefixExchange;
        var identity = SignalIdentity.Compute(
            source, symbol, exchange, timeframe, action.Value, price, input.Time, input.Id, receivedAt, dedupeWindow);

        var signal = new Signal
        {
            SignalId = identity.Id,
            Symbol = symbol,
            Exchange = exchange,
            Action = action.Value,
            Timeframe = timeframe,
            Price = price,
            // None sent stays none: the engine applies its own DefaultConfidence, changeable at run time.
            Confidence = input.Confidence,
            Source = source,
            AlertId = input.Id,
            AlertTime = input.Time,
            ReceivedAt = receivedAt,
            Quantity = input.Quantity,
            StopLoss = input.StopLoss,
            TakeProfit = input.TakeProfit,
            Comment = input.Comment,
        };
        return (signal, identity);
    }
}
