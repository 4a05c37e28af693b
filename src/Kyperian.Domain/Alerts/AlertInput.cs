namespace Kyperian.Domain.Alerts;

/// <summary>A failed field and why, worded for the trader who wrote the alert template. Never quotes the value.</summary>
public readonly record struct FieldError(string Field, string Reason);

/// <summary>
/// How one part of the message was read: <c>tv_instrument → symbol</c>, or passed through untouched
/// (<see cref="Field"/> null) because it belongs to the trader's bridge, not to us.
/// </summary>
/// <param name="From">Where it was found: a body field (<c>strategy.order_action</c>), a text part, or a URL default (<c>?interval</c>).</param>
/// <param name="Field">The field it became, or null when it is not ours.</param>
/// <param name="Note">Why it was not used, when it was not.</param>
public readonly record struct FieldMapping(string From, string? Field, string? Note = null);

/// <summary>A field the alert does not carry, with how to add it.</summary>
public readonly record struct FieldHint(string Field, string Hint);

/// <summary>
/// Values the webhook URL supplies for what the body lacks (TradingView does not expand placeholders in the URL,
/// so a chart's alert carries its interval as <c>?interval=15</c>). A field in the body always wins.
/// </summary>
public sealed record AlertDefaults
{
    public static readonly AlertDefaults None = new();

    public string? Timeframe { get; init; }

    public string? Symbol { get; init; }

    public string? Confidence { get; init; }

    public string? Source { get; init; }

    /// <summary>A format name from <see cref="AlertFormats"/>: read the body only as that format.</summary>
    public string? Format { get; init; }
}

/// <summary>How the reader treats a body, set once per application.</summary>
public sealed record AlertReaderOptions
{
    public static readonly IReadOnlyList<string> DefaultPassphraseFields = ["passphrase", "secret", "key"];

    public static readonly AlertReaderOptions Default = new();

    /// <summary>
    /// The body fields read as our passphrase. Bridges carry their own <c>secret</c> or <c>key</c>: narrowing this to
    /// <c>passphrase</c> (with <c>?token=</c> in the URL) lets theirs pass through untouched.
    /// </summary>
    public IReadOnlyList<string> PassphraseFields
    {
        get => _passphraseFields;
        init
        {
            _passphraseFields = value;
            PassphraseKeys = [.. value.Select(AlertFormats.NormalizeKey)];
        }
    }

    /// <summary><see cref="PassphraseFields"/> as lookup keys, normalized once.</summary>
    internal string[] PassphraseKeys { get; private init; } = [.. DefaultPassphraseFields];

    private readonly IReadOnlyList<string> _passphraseFields = DefaultPassphraseFields;
}

/// <summary>
/// The fields of an alert as sent, before the rules run, whatever the format they came in. Type errors found while
/// reading (a number where text belongs, a duplicate key) are kept per field so the rules do not report a field twice.
/// </summary>
public sealed class AlertInput
{
    public string? Symbol { get; set; }

    /// <summary>The action word as sent (<c>buy</c>, <c>ENTER_LONG</c>, <c>closelong</c>...).</summary>
    public string? Action { get; set; }

    /// <summary>A side given apart from the action (<c>direction</c>), read when the action alone does not say it.</summary>
    public string? Direction { get; set; }

    /// <summary>The position after the order (<c>sentiment</c>, <c>market_position</c>, <c>marketPosition</c>).</summary>
    public string? MarketPosition { get; set; }

    /// <summary>The position before the order (<c>prev_market_position</c>, <c>prevMarketPosition</c>).</summary>
    public string? PreviousMarketPosition { get; set; }

    /// <summary>The signed position size after the order (<c>position_size</c>); 0 means flat.</summary>
    public decimal? PositionSize { get; set; }

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

    /// <summary>The format the message was recognised as.</summary>
    public AlertFormat Format { get; internal set; } = AlertFormats.Kyperian;

    /// <summary>How each part of the message was read, in the order it was sent, URL defaults last.</summary>
    public List<FieldMapping> Mappings { get; internal set; } = [];

    public List<FieldError>? ReadErrors { get; private set; }

    /// <summary>Names of fields nobody knows (at most <see cref="AlertReader.MaxUnknownFieldsListed"/>), escaped.</summary>
    public List<string>? UnknownFields { get; private set; }

    /// <summary>Things read in another shape and left out, never a reason to refuse the alert.</summary>
    public List<string>? Warnings { get; private set; }

    /// <summary>True when the body could not be read in any known format; no field is meaningful then.</summary>
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

    /// <summary>Where a field was read from (its first mapping), for messages that name what was found.</summary>
    public string? SourceOf(string field)
    {
        foreach (var mapping in Mappings)
        {
            if (mapping.Field == field && mapping.Note is null)
            {
                return mapping.From;
            }
        }

        return null;
    }

    internal void AddReadError(string field, string reason) => (ReadErrors ??= []).Add(new FieldError(field, reason));

    internal void AddWarning(string warning) => (Warnings ??= []).Add(warning);

    internal void MarkUnreadable(string reason, string field = AlertFields.Body)
    {
        IsUnreadable = true;
        ReadErrors = [new FieldError(field, reason)];
    }

    internal void AddUnknownField(string name) => (UnknownFields ??= []).Add(name);
}

/// <summary>The wire names of the alert fields: one place, used by the reader, the rules and the docs.</summary>
public static class AlertFields
{
    public const string Body = "body";
    public const string Format = "format";
    public const string Symbol = "symbol";
    public const string Action = "action";
    public const string Direction = "direction";
    public const string MarketPosition = "marketPosition";
    public const string PreviousMarketPosition = "prevMarketPosition";
    public const string PositionSize = "positionSize";
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
