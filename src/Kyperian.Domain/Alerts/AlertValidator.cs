using Kyperian.Domain.Signals;

namespace Kyperian.Domain.Alerts;

/// <summary>
/// An alert that met every rule, with each field parsed once into its value type: the normalizer builds the
/// signal from these and never parses again.
/// </summary>
public sealed record ValidAlert
{
    public required Symbol Symbol { get; init; }

    /// <summary>The exchange as sent, else the symbol's <c>PREFIX:</c>; upper case.</summary>
    public string? Exchange { get; init; }

    public required SignalAction Action { get; init; }

    public required Timeframe Timeframe { get; init; }

    /// <summary>Null when the alert carried none: the signal is then unpriced until the last seen price fills it.</summary>
    public decimal? Price { get; init; }

    public int? Confidence { get; init; }

    /// <summary>Lower case slug, or null for the default.</summary>
    public string? Source { get; init; }

    public string? Id { get; init; }

    public DateTimeOffset? Time { get; init; }

    public decimal? Quantity { get; init; }

    public decimal? StopLoss { get; init; }

    public decimal? TakeProfit { get; init; }

    public string? Comment { get; init; }
}

/// <summary>
/// What the rules found: every error, and the parsed alert when there is none; warnings for what was left out and
/// a hint for every field the alert does not carry.
/// </summary>
public sealed record AlertCheck(IReadOnlyList<FieldError> Errors, ValidAlert? Alert, IReadOnlyList<string> Warnings, IReadOnlyList<FieldHint> Hints)
{
    public bool IsValid => Alert is not null;
}

/// <summary>
/// The rules an alert must meet, each failure named by its wire field. Each field is parsed once, here; fields the
/// reader already rejected (wrong type, duplicate key) are not judged again.
/// </summary>
public sealed class AlertValidator(TimeProvider time)
{
    public const int MaxIdLength = 64;
    public const int MaxSourceLength = 32;
    public const int MaxExchangeLength = 20;
    public const int MaxCommentLength = 500;

    /// <summary>How far ahead of our clock an alert's own time may be before we call it wrong.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>The earliest alert time we take, whether sent as ISO-8601 or epoch milliseconds.</summary>
    public static readonly DateTimeOffset MinTime = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Every problem with the alert, what the reader found first; with the parsed alert when there is none.</summary>
    public AlertCheck Validate(AlertInput input)
    {
        if (input.IsUnreadable)
        {
            return new AlertCheck(input.ReadErrors!, null, [], []);
        }

        var errors = input.ReadErrors is null ? new List<FieldError>() : [.. input.ReadErrors];
        var warnings = input.Warnings is null ? new List<string>() : [.. input.Warnings];
        var hints = new List<FieldHint>();
        var failedBefore = errors.Count;

        Symbol symbol = default;
        string? prefixExchange = null;
        if (input.Symbol is null && !input.HasReadError(AlertFields.Symbol))
        {
            errors.Add(new FieldError(AlertFields.Symbol, "is required: add \"symbol\":\"{{ticker}}\" to the message, or ?symbol= to the webhook URL"));
        }
        else if (!input.HasReadError(AlertFields.Symbol) && !Symbol.TryParse(input.Symbol, out symbol, out prefixExchange, out var symbolError))
        {
            errors.Add(new FieldError(AlertFields.Symbol, symbolError));
        }

        SignalAction? action = null;
        if (!input.HasReadError(AlertFields.Action))
        {
            action = ResolveAction(input, errors, warnings);
        }

        Timeframe timeframe = default;
        if (!input.HasReadError(AlertFields.Timeframe) && !Timeframe.TryParse(input.Timeframe, out timeframe))
        {
            errors.Add(new FieldError(
                AlertFields.Timeframe,
                input.Timeframe is null
                    ? "is required: add ?interval=15 to the webhook URL (the chart's interval in minutes; TradingView does not fill placeholders in the URL), or \"timeframe\":\"{{interval}}\" to the message"
                    : $"must be a TradingView interval: {Timeframe.Accepted}"));
        }

        if (input.Price <= 0)
        {
            errors.Add(new FieldError(AlertFields.Price, "must be greater than 0"));
        }

        if (input.Confidence is < 0 or > 100)
        {
            errors.Add(new FieldError(AlertFields.Confidence, "must be a whole number from 0 to 100"));
        }

        if (input.Source is not null && !IsSlug(input.Source))
        {
            errors.Add(new FieldError(AlertFields.Source, $"must be 1 to {MaxSourceLength} of a-z, 0-9, _ and -"));
        }

        if (input.Id is { } id && (id.Length is 0 or > MaxIdLength || Printable.HasUnsafe(id)))
        {
            // Printable means what a reader sees is what is stored: no control, bidi or zero-width character.
            errors.Add(new FieldError(AlertFields.Id, $"must be 1 to {MaxIdLength} printable characters"));
        }

        if (input.Time is { } alertTime)
        {
            if (alertTime < MinTime)
            {
                errors.Add(new FieldError(
                    AlertFields.Time, "is before 2000-01-01: send {{timenow}} or epoch milliseconds (not seconds)"));
            }
            else if (alertTime > time.GetUtcNow() + MaxClockSkew)
            {
                errors.Add(new FieldError(
                    AlertFields.Time,
                    $"is more than {MaxClockSkew.TotalMinutes:0} minutes in the future: check the alert's clock and time zone (use {{{{timenow}}}}, UTC)"));
            }
        }

        if (input.Exchange is not null && !IsExchange(input.Exchange))
        {
            errors.Add(new FieldError(AlertFields.Exchange, $"must be 1 to {MaxExchangeLength} of letters, digits, _ . and -"));
        }

        AddIfNotPositive(errors, AlertFields.Quantity, input.Quantity);
        AddIfNotPositive(errors, AlertFields.StopLoss, input.StopLoss);
        AddIfNotPositive(errors, AlertFields.TakeProfit, input.TakeProfit);

        if (input.Comment is { } comment && (comment.Length > MaxCommentLength || HasControl(comment, allowLineBreaks: true)))
        {
            errors.Add(new FieldError(AlertFields.Comment, $"must be at most {MaxCommentLength} characters without control characters"));
        }

        AddHints(input, hints, warnings);
        if (errors.Count > 0 || failedBefore > 0)
        {
            return new AlertCheck(errors, null, warnings, hints);
        }

        return new AlertCheck([], new ValidAlert
        {
            Symbol = symbol,
            Exchange = input.Exchange?.ToUpperInvariant() ?? prefixExchange,
            Action = action!.Value,
            Timeframe = timeframe,
            Price = input.Price,
            Confidence = input.Confidence,
            Source = input.Source?.ToLowerInvariant(),
            Id = input.Id,
            Time = input.Time,
            Quantity = input.Quantity,
            StopLoss = input.StopLoss,
            TakeProfit = input.TakeProfit,
            Comment = input.Comment,
        }, warnings, hints);
    }

    /// <summary>Only the errors of <see cref="Validate"/>.</summary>
    public IReadOnlyList<FieldError> Check(AlertInput input) => Validate(input).Errors;

    /// <summary>
    /// The one action the alert asks for, from its action word completed by the other fields: an entry word takes its
    /// side from <c>direction</c> or the position; a position of flat (or a position size of 0) makes any order an exit,
    /// since a strategy's exit must never open the opposite side. Nothing is guessed: without a word that says buy,
    /// sell or close the alert is refused, naming what was found.
    /// </summary>
    private static SignalAction? ResolveAction(AlertInput input, List<FieldError> errors, List<string> warnings)
    {
        PositionWord? position = null;
        if (input.MarketPosition is not null)
        {
            if (SignalActions.TryParsePosition(input.MarketPosition, out var parsed))
            {
                position = parsed;
            }
            else
            {
                warnings.Add($"{input.SourceOf(AlertFields.MarketPosition) ?? AlertFields.MarketPosition} is not long, short or flat; it is not used");
            }
        }

        ActionWord? direction = SignalActions.TryParseWord(input.Direction, out var directionWord) ? directionWord : null;
        ActionWord word;
        if (input.Action is not null)
        {
            if (!SignalActions.TryParseWord(input.Action, out word))
            {
                errors.Add(new FieldError(AlertFields.Action, $"must be one of {SignalActions.Accepted}"));
                return null;
            }
        }
        else if (direction is { } alone)
        {
            word = alone;
        }
        else
        {
            errors.Add(new FieldError(AlertFields.Action, DescribeMissingAction(input)));
            return null;
        }

        if (word == ActionWord.Enter)
        {
            word = direction is ActionWord.Buy or ActionWord.Sell ? direction.Value
                : position == PositionWord.Long ? ActionWord.Buy
                : position == PositionWord.Short ? ActionWord.Sell
                : ActionWord.Enter;
            if (word == ActionWord.Enter)
            {
                errors.Add(new FieldError(AlertFields.Action, "says to enter but not which side: add \"direction\":\"long\" or \"short\""));
                return null;
            }
        }

        if (position == PositionWord.Flat || input.PositionSize == 0)
        {
            return SignalAction.Close;
        }

        // An order against the position that remains after it only reduced that position (a partial take-profit):
        // an exit, not an entry on the other side.
        var remaining = position ?? (input.PositionSize > 0 ? PositionWord.Long : input.PositionSize < 0 ? PositionWord.Short : null);
        if ((remaining == PositionWord.Long && word == ActionWord.Sell) || (remaining == PositionWord.Short && word == ActionWord.Buy))
        {
            return SignalAction.Close;
        }

        // Without the position after the order, an order against the position before it closes that position
        // (the directional alerts of bridges that send only the previous position).
        if (position is null && input.PositionSize is null
            && SignalActions.TryParsePosition(input.PreviousMarketPosition, out var previous)
            && ((previous == PositionWord.Long && word == ActionWord.Sell) || (previous == PositionWord.Short && word == ActionWord.Buy)))
        {
            return SignalAction.Close;
        }

        return word switch
        {
            ActionWord.Buy => SignalAction.Buy,
            ActionWord.Sell => SignalAction.Sell,
            _ => SignalAction.Close,
        };
    }

    private static string DescribeMissingAction(AlertInput input)
    {
        var found = new List<string>();
        foreach (var mapping in input.Mappings)
        {
            if (mapping.Field is not null && mapping.Note is null && found.Count < 8)
            {
                found.Add($"{mapping.From} → {mapping.Field}");
            }
        }

        var what = found.Count == 0 ? "found no field Kyperian reads" : $"found {string.Join(", ", found)}";
        return $"is required: {what}, but nothing that says buy, sell or close (action, side, signal, order_action, "
            + "direction, or a sentiment/market_position of flat). A notification or market data alone is not a trade signal";
    }

    private static void AddHints(AlertInput input, List<FieldHint> hints, List<string> warnings)
    {
        if (input.Symbol is null)
        {
            hints.Add(new FieldHint(AlertFields.Symbol, "add \"symbol\":\"{{ticker}}\", or ?symbol= to the webhook URL"));
        }

        if (input.Action is null && input.Direction is null)
        {
            hints.Add(new FieldHint(AlertFields.Action, "add \"action\":\"{{strategy.order.action}}\" (strategies) or \"action\":\"buy\""));
        }

        if (input.Timeframe is null)
        {
            hints.Add(new FieldHint(AlertFields.Timeframe, "add ?interval=15 (the chart's minutes) to the webhook URL, or \"timeframe\":\"{{interval}}\""));
        }

        if (input.Price is null)
        {
            hints.Add(new FieldHint(AlertFields.Price, "add \"price\":\"{{close}}\"; without it the last price seen for the symbol is used"));
            warnings.Add("price is missing: the signal takes the last price seen for the symbol, or stays unpriced");
        }

        if (input.Confidence is null)
        {
            hints.Add(new FieldHint(AlertFields.Confidence, "add \"confidence\":80 or ?confidence=80 (without it the engine's DefaultConfidence applies, 70 unless changed)"));
        }

        if (input.Time is null && input.Id is null)
        {
            hints.Add(new FieldHint(AlertFields.Time, "add \"time\":\"{{timenow}}\" so a resend is recognised for good, not only within the dedupe window"));
        }
    }

    private static void AddIfNotPositive(List<FieldError> errors, string field, decimal? value)
    {
        if (value <= 0)
        {
            errors.Add(new FieldError(field, "must be greater than 0"));
        }
    }

    private static bool IsSlug(string source)
    {
        if (source.Length is 0 or > MaxSourceLength)
        {
            return false;
        }

        foreach (var c in source)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsExchange(string exchange)
    {
        if (exchange.Length is 0 or > MaxExchangeLength)
        {
            return false;
        }

        foreach (var c in exchange)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool HasControl(string text, bool allowLineBreaks)
    {
        foreach (var c in text)
        {
            if (char.IsControl(c) && !(allowLineBreaks && c is '\n' or '\r' or '\t'))
            {
                return true;
            }
        }

        return false;
    }
}
