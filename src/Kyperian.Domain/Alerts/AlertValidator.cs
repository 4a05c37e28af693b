using FluentValidation;
using Kyperian.Domain.Signals;

namespace Kyperian.Domain.Alerts;

/// <summary>
/// The rules an alert must meet, each failure named by its wire field. Fields the reader already
/// rejected (wrong type, duplicate key) are not judged again.
/// </summary>
public sealed class AlertValidator : AbstractValidator<AlertInput>
{
    public const int MaxIdLength = 64;
    public const int MaxSourceLength = 32;
    public const int MaxExchangeLength = 20;
    public const int MaxCommentLength = 500;

    /// <summary>How far ahead of our clock an alert's own time may be before we call it wrong.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    private readonly TimeProvider _time;

    public AlertValidator(TimeProvider time)
    {
        _time = time;
        ClassLevelCascadeMode = CascadeMode.Continue;
        RuleLevelCascadeMode = CascadeMode.Stop;

        RuleFor(x => x.Symbol).Custom((raw, ctx) =>
        {
            if (!ctx.InstanceToValidate.HasReadError(AlertFields.Symbol) && !Symbol.TryParse(raw, out _, out _, out var error))
            {
                ctx.AddFailure(AlertFields.Symbol, error);
            }
        });

        RuleFor(x => x.Action).Custom((raw, ctx) =>
        {
            if (!ctx.InstanceToValidate.HasReadError(AlertFields.Action) && !SignalActions.TryParse(raw, out _))
            {
                ctx.AddFailure(AlertFields.Action, raw is null ? "is required" : $"must be one of {SignalActions.Accepted}");
            }
        });

        RuleFor(x => x.Timeframe).Custom((raw, ctx) =>
        {
            if (!ctx.InstanceToValidate.HasReadError(AlertFields.Timeframe) && !Timeframe.TryParse(raw, out _))
            {
                ctx.AddFailure(AlertFields.Timeframe, raw is null ? "is required" : $"must be a TradingView interval: {Timeframe.Accepted}");
            }
        });

        RuleFor(x => x.Price).Custom((price, ctx) =>
        {
            if (!ctx.InstanceToValidate.HasReadError(AlertFields.Price))
            {
                if (price is null)
                {
                    ctx.AddFailure(AlertFields.Price, "is required");
                }
                else if (price <= 0)
                {
                    ctx.AddFailure(AlertFields.Price, "must be greater than 0");
                }
            }
        });

        RuleFor(x => x.Confidence)
            .InclusiveBetween(0, 100).WithName(AlertFields.Confidence).OverridePropertyName(AlertFields.Confidence)
            .WithMessage("must be a whole number from 0 to 100");

        RuleFor(x => x.Source)
            .Must(IsSlug).When(x => x.Source is not null).OverridePropertyName(AlertFields.Source)
            .WithMessage($"must be 1 to {MaxSourceLength} of a-z, 0-9, _ and -");

        RuleFor(x => x.Id)
            .Must(id => id!.Length is > 0 and <= MaxIdLength && !HasControl(id, allowLineBreaks: false))
            .When(x => x.Id is not null).OverridePropertyName(AlertFields.Id)
            .WithMessage($"must be 1 to {MaxIdLength} printable characters");

        RuleFor(x => x.Time)
            .Must(t => t <= _time.GetUtcNow() + MaxClockSkew)
            .When(x => x.Time is not null).OverridePropertyName(AlertFields.Time)
            .WithMessage($"is more than {MaxClockSkew.TotalMinutes:0} minutes in the future: check the alert's clock and time zone (use {{{{timenow}}}}, UTC)");

        RuleFor(x => x.Exchange)
            .Must(IsExchange).When(x => x.Exchange is not null).OverridePropertyName(AlertFields.Exchange)
            .WithMessage($"must be 1 to {MaxExchangeLength} of letters, digits, _ . and -");

        RuleFor(x => x.Quantity).GreaterThan(0).When(x => x.Quantity is not null)
            .OverridePropertyName(AlertFields.Quantity).WithMessage("must be greater than 0");
        RuleFor(x => x.StopLoss).GreaterThan(0).When(x => x.StopLoss is not null)
            .OverridePropertyName(AlertFields.StopLoss).WithMessage("must be greater than 0");
        RuleFor(x => x.TakeProfit).GreaterThan(0).When(x => x.TakeProfit is not null)
            .OverridePropertyName(AlertFields.TakeProfit).WithMessage("must be greater than 0");

        RuleFor(x => x.Comment)
            .Must(c => c!.Length <= MaxCommentLength && !HasControl(c, allowLineBreaks: true))
            .When(x => x.Comment is not null).OverridePropertyName(AlertFields.Comment)
            .WithMessage($"must be at most {MaxCommentLength} characters without control characters");
    }

    /// <summary>Every problem with the alert: what the reader found, then what the rules found.</summary>
    public IReadOnlyList<FieldError> Check(AlertInput input)
    {
        if (input.IsUnreadable)
        {
            return input.ReadErrors!;
        }

        var result = Validate(input);
        if (result.IsValid)
        {
            return input.ReadErrors ?? (IReadOnlyList<FieldError>)[];
        }

        var errors = input.ReadErrors is null ? new List<FieldError>(result.Errors.Count) : [.. input.ReadErrors];
        foreach (var failure in result.Errors)
        {
            errors.Add(new FieldError(failure.PropertyName, failure.ErrorMessage));
        }

        return errors;
    }

    private static bool IsSlug(string? source)
    {
        if (source is null || source.Length is 0 or > MaxSourceLength)
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

    private static bool IsExchange(string? exchange)
    {
        if (exchange is null || exchange.Length is 0 or > MaxExchangeLength)
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
