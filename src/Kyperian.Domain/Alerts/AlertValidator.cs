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

    public required decimal Price { get; init; }

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

/// <summary>What the rules found: every error, and the parsed alert when there is none.</summary>
public sealed record AlertCheck(IReadOnlyList<FieldError> Errors, ValidAlert? Alert)
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
            return new AlertCheck(input.ReadErrors!, null);
        }

        var errors = input.ReadErrors is null ? new List<FieldError>() : [.. input.ReadErrors];
        var failedBefore = errors.Count;

        Symbol symbol = default;
        string? prefixExchange = null;
        if (!input.HasReadError(AlertFields.Symbol) && !Symbol.TryParse(input.Symbol, out symbol, out prefixExchange, out var symbolError))
        {
            errors.Add(new FieldError(AlertFields.Symbol, symbolError));
        }

        SignalAction? action = null;
        if (!input.HasReadError(AlertFields.Action) && !SignalActions.TryParse(input.Action, out action))
        {
            errors.Add(new FieldError(AlertFields.Action, input.Action is null ? "is required" : $"must be one of {SignalActions.Accepted}"));
        }

        Timeframe timeframe = default;
        if (!input.HasReadError(AlertFields.Timeframe) && !Timeframe.TryParse(input.Timeframe, out timeframe))
        {
            errors.Add(new FieldError(
                AlertFields.Timeframe, input.Timeframe is null ? "is required" : $"must be a TradingView interval: {Timeframe.Accepted}"));
        }

        if (!input.HasReadError(AlertFields.Price))
        {
            if (input.Price is null)
            {
                errors.Add(new FieldError(AlertFields.Price, "is required"));
            }
            else if (input.Price <= 0)
            {
                errors.Add(new FieldError(AlertFields.Price, "must be greater than 0"));
            }
        }

        if (input.Confidence is < 0 or > 100)
        {
            errors.Add(new FieldError(AlertFields.Confidence, "must be a whole number from 0 to 100"));
        }

        if (input.Source is not null && !IsSlug(input.Source))
        {
            errors.Add(new FieldError(AlertFields.Source, $"must be 1 to {MaxSourceLength} of a-z, 0-9, _ and -"));
        }

        if (input.Id is { } id && (id.Length is 0 or > MaxIdLength || Printable.HasHidden(id)))
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

        if (errors.Count > 0 || failedBefore > 0)
        {
            return new AlertCheck(errors, null);
        }

        return new AlertCheck([], new ValidAlert
        {
            Symbol = symbol,
            Exchange = input.Exchange?.ToUpperInvariant() ?? prefixExchange,
            Action = action!.Value,
            Timeframe = timeframe,
            Price = input.Price!.Value,
            Confidence = input.Confidence,
            Source = input.Source?.ToLowerInvariant(),
            Id = input.Id,
            Time = input.Time,
            Quantity = input.Quantity,
            StopLoss = input.StopLoss,
            TakeProfit = input.TakeProfit,
            Comment = input.Comment,
        });
    }

    /// <summary>Only the errors of <see cref="Validate"/>.</summary>
    public IReadOnlyList<FieldError> Check(AlertInput input) => Validate(input).Errors;

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
