using System.Text.Json.Serialization;

namespace Kyperian.Domain.Signals;

/// <summary>Where a signal's price came from.</summary>
public enum PriceSource
{
    /// <summary>The alert carried it.</summary>
    Alert,

    /// <summary>The alert had none; it is the last price seen for the symbol, filled in on receipt.</summary>
    LastSeen,

    /// <summary>The alert had none and no price was known for the symbol.</summary>
    None,
}

/// <summary>A validated, normalized alert: what is stored, published and decided on. Never holds the passphrase.</summary>
public sealed record Signal
{
    public required string SignalId { get; init; }

    public required Symbol Symbol { get; init; }

    public string? Exchange { get; init; }

    public required SignalAction Action { get; init; }

    public required Timeframe Timeframe { get; init; }

    /// <summary>The price the alert gave, the last one seen for the symbol, or none: see <see cref="PriceSource"/>.</summary>
    public decimal? Price { get; init; }

    /// <summary>Where <see cref="Price"/> came from. Many bridges execute at market and never send a price.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<PriceSource>))]
    public PriceSource PriceSource { get; init; } = PriceSource.Alert;

    /// <summary>0–100 as the alert sent it; null when it sent none (the engine then uses its <c>DefaultConfidence</c>).</summary>
    public int? Confidence { get; init; }

    public required string Source { get; init; }

    /// <summary>The client's own alert id, when it sent one.</summary>
    public string? AlertId { get; init; }

    /// <summary>The bar time the alert carried (<c>{{timenow}}</c>), when it sent one.</summary>
    public DateTimeOffset? AlertTime { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }

    public decimal? Quantity { get; init; }

    public decimal? StopLoss { get; init; }

    public decimal? TakeProfit { get; init; }

    public string? Comment { get; init; }

    /// <summary>When the market said this: the alert's own time, else when we received it.</summary>
    [JsonIgnore]
    public DateTimeOffset ObservedAt => AlertTime ?? ReceivedAt;
}
