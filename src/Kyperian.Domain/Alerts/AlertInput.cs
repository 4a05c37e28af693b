namespace Kyperian.Domain.Alerts;

/// <summary>A failed field and why, worded for the trader who wrote the alert template. Never quotes the value.</summary>
public readonly record struct FieldError(string Field, string Reason);

/// <summary>
/// The fields of an alert body as sent, before the rules run. Type errors found while reading (a number where
/// text belongs, a duplicate key) are kept per field so the rules do not report the same field twice.
/// </summary>
public sealed class AlertInput
{
    public string? Symbol { get; set; }

    public string? Action { get; set; }

    public string? Timeframe { get; set; }

    public decimal? Price { get; set; }

    public int? Confidence { get; set; }

    public string? Source { get; set; }

    public string? Id { get; set; }

    public DateTimeOffset? Time { get; set; }

    public string? Exchange { get; set; }

    public decimal? Quantity { get; set; }

    public decimal? StopLoss { get; set; }

    public decimal? TakeProfit { get; set; }

    public string? Comment { get; set; }

    /// <summary>The secret as sent in the body. Compared at the edge and dropped; never stored or logged.</summary>
    public string? Passphrase { get; set; }

    public List<FieldError>? ReadErrors { get; private set; }

    public List<string>? UnknownFields { get; private set; }

    /// <summary>True when the body itself could not be read as one JSON object; no field is meaningful then.</summary>
    public bool IsUnreadable { get; private set; }

    public bool HasReadError(string field)
    {
        if (ReadErrors is null)
        {
            return false;
        }

        foreach (var error in ReadErrors)
        {
            if (error.Field == field)
            {
                return true;
            }
        }

        return false;
    }

    internal void AddReadError(string field, string reason) => (ReadErrors ??= []).Add(new FieldError(field, reason));

    internal void MarkUnreadable(string reason)
    {
        IsUnreadable = true;
        ReadErrors = [new FieldError(AlertFields.Body, reason)];
    }

    internal void AddUnknownField(string name) => (UnknownFields ??= []).Add(name);
}

/// <summary>The wire names of the alert fields: one place, used by the reader, the rules and the docs.</summary>
public static class AlertFields
{
    public const string Body = "body";
    public const string Symbol = "symbol";
    public const string Action = "action";
    public const string Timeframe = "timeframe";
    public const string Price = "price";
    public const string Confidence = "confidence";
    public const string Source = "source";
    public const string Passphrase = "passphrase";
    public const string Id = "id";
    public const string Time = "time";
    public const string Exchange = "exchange";
    public const string Quantity = "quantity";
    public const string StopLoss = "stopLoss";
    public const string TakeProfit = "takeProfit";
    public const string Comment = "comment";
}
