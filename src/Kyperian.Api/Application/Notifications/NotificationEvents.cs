using System.Globalization;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Signals;

namespace Kyperian.Api.Application.Notifications;

/// <summary>Turns what the engine and the outbox saw into events, each with its stable id and its phone-sized message.</summary>
public static class NotificationEvents
{
    /// <summary>
    /// <c>decision.execute</c> or <c>decision.veto</c> for <paramref name="decision"/>; <paramref name="signal"/>, when at
    /// hand, adds the price, exchange and order details the decision does not carry.
    /// </summary>
    public static NotificationEvent ForDecision(Decision decision, Signal? signal)
    {
        var type = decision.Verdict == Verdict.Execute ? NotificationEventType.DecisionExecute : NotificationEventType.DecisionVeto;
        var trade = TradeWords.Of(decision.Action);
        var reasons = decision.Reasons.Select(r => r.Code()).ToList();
        var explanations = decision.Reasons.Select(ReasonWords.Of).ToList();
        var explanation = decision.Verdict == Verdict.Execute ? Agreement(decision) : string.Join("; ", explanations);
        var price = signal?.Price;

        var headline = decision.Verdict == Verdict.Execute
            ? $"{trade.Icon} {trade.Headline} {decision.Symbol.Value}{Size(decision)}{At(price)} · {decision.Timeframe.Label}"
            : $"⛔ VETO {trade.Headline.ToLowerInvariant()} {decision.Symbol.Value}{At(price)} · {decision.Timeframe.Label}";
        var detail = $"Score {Signed(decision.Score)}" + (explanation.Length > 0 ? " · " + Sentence(explanation) : "");

        return new NotificationEvent
        {
            Id = NotificationEvent.IdFor(type, decision.DecisionId),
            Type = type,
            OccurredAt = decision.DecidedAt,
            Message = headline + "\n" + detail,
            DecisionId = decision.DecisionId,
            SignalId = decision.SignalId,
            Symbol = decision.Symbol.Value,
            Exchange = signal?.Exchange,
            Verdict = decision.Verdict == Verdict.Execute ? "EXECUTE" : "VETO",
            Action = decision.Action.ToString(),
            Side = trade.Side,
            OrderAction = trade.OrderAction,
            Position = trade.Position,
            SizePct = decision.PositionSizePct,
            Price = price,
            Timeframe = decision.Timeframe.Label,
            Score = Math.Round(decision.Score, 4),
            Alignment = Math.Round(decision.Alignment, 4),
            Confidence = signal?.Confidence,
            Quantity = signal?.Quantity,
            StopLoss = signal?.StopLoss,
            TakeProfit = signal?.TakeProfit,
            Reasons = reasons,
            Explanations = explanations,
            Explanation = explanation.Length > 0 ? explanation : null,
        };
    }

    /// <summary>A risk event; <paramref name="subject"/> names what it is about, so one warning is raised once per cause.</summary>
    public static NotificationEvent ForRisk(NotificationEventType type, RiskNotice risk, string subject, DateTimeOffset at)
    {
        var headline = type switch
        {
            NotificationEventType.RiskWarning => $"⚠️ Risk warning: {risk.Subject}{Against(risk)}",
            NotificationEventType.RiskBreach => $"🚨 Risk limit breached: {risk.Subject}{Against(risk)}",
            NotificationEventType.RiskHalt => $"🛑 Trading halted: {risk.Subject}",
            NotificationEventType.RiskResume => $"▶️ Trading resumed: {risk.Subject}",
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Not a risk event."),
        };
        var detail = string.Join(" · ", new[]
        {
            risk.Reason is { Length: > 0 } reason ? Sentence(reason) : null,
            risk.Until is { } until ? $"Until {until.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC." : null,
        }.Where(p => p is not null));

        return new NotificationEvent
        {
            Id = NotificationEvent.IdFor(type, subject),
            Type = type,
            OccurredAt = at,
            Message = detail.Length > 0 ? headline + "\n" + detail : headline,
            Risk = risk,
        };
    }

    /// <summary>
    /// <c>system.deadletter</c> for a delivery that gave up; <paramref name="failedEvent"/>, when readable, names the
    /// symbol it was about.
    /// </summary>
    public static NotificationEvent ForDeadDelivery(OutboxDelivery delivery, int attempts, string error, NotificationEvent? failedEvent, DateTimeOffset at)
    {
        var about = failedEvent?.Symbol is { } symbol ? $" ({delivery.EventType} {symbol})" : $" ({delivery.EventType})";
        return new NotificationEvent
        {
            Id = NotificationEvent.IdFor(NotificationEventType.SystemDeadLetter, delivery.DeliveryId),
            Type = NotificationEventType.SystemDeadLetter,
            OccurredAt = at,
            Message = $"❗ Delivery to {delivery.Destination} gave up{about}\nAfter {Attempts(attempts)}: {error}",
            Symbol = failedEvent?.Symbol,
            DecisionId = failedEvent?.DecisionId,
            DeadLetter = new DeadLetterNotice
            {
                Kind = "delivery",
                Destination = delivery.Destination,
                SubjectId = delivery.EventId,
                SubjectType = delivery.EventType,
                Attempts = attempts,
                Error = error,
            },
        };
    }

    /// <summary><c>system.deadletter</c> for a signal the engine gave up on.</summary>
    public static NotificationEvent ForDeadSignal(Signal signal, int attempts, string error, DateTimeOffset at) => new()
    {
        Id = NotificationEvent.IdFor(NotificationEventType.SystemDeadLetter, signal.SignalId),
        Type = NotificationEventType.SystemDeadLetter,
        OccurredAt = at,
        Message = $"❗ Signal {signal.Symbol.Value} {signal.Timeframe.Label} was not decided\nAfter {Attempts(attempts)}: {error}",
        Symbol = signal.Symbol.Value,
        SignalId = signal.SignalId,
        DeadLetter = new DeadLetterNotice
        {
            Kind = "signal",
            SubjectId = signal.SignalId,
            Attempts = attempts,
            Error = error,
        },
    };

    /// <summary><c>system.silence</c>: one per silent stretch, named by the last alert before it.</summary>
    public static NotificationEvent ForSilence(DateTimeOffset? lastAlertAt, TimeSpan silentFor, DateTimeOffset at)
    {
        var hours = Math.Round(silentFor.TotalHours, 1);
        var since = lastAlertAt is { } last
            ? $"Last alert {last.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC."
            : "No alert since the engine started.";
        return new NotificationEvent
        {
            Id = NotificationEvent.IdFor(
                NotificationEventType.SystemSilence,
                lastAlertAt?.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) ?? "start:" + at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)),
            Type = NotificationEventType.SystemSilence,
            OccurredAt = at,
            Message = $"🔕 No alert for {hours.ToString(CultureInfo.InvariantCulture)} h\n{since} Check your TradingView alerts.",
            Silence = new SilenceNotice { LastAlertAt = lastAlertAt, Hours = hours },
        };
    }

    /// <summary>Which live timeframes pointed the decision's way.</summary>
    private static string Agreement(Decision decision)
    {
        var direction = decision.Action switch
        {
            TradeAction.EnterLong => 1,
            TradeAction.EnterShort => -1,
            _ => 0,
        };
        var live = decision.Inputs.Where(i => i.Live).ToList();
        if (direction == 0 || live.Count == 0)
        {
            return "";
        }

        var agreeing = live.Where(i => i.Direction == direction).OrderBy(i => i.Timeframe).Select(i => i.Timeframe.Label).ToList();
        return $"{agreeing.Count} of {live.Count} timeframes agree ({string.Join(", ", agreeing)})";
    }

    private static string Size(Decision decision) =>
        decision.PositionSizePct > 0 ? " " + Number(decision.PositionSizePct, 2) + "%" : "";

    private static string At(decimal? price) =>
        price is { } p ? " @ " + p.ToString(CultureInfo.InvariantCulture) : "";

    private static string Against(RiskNotice risk) => (risk.ObservedPct, risk.LimitPct) switch
    {
        ({ } observed, { } limit) => $" {Number(observed, 2)}% of {Number(limit, 2)}%",
        ({ } observed, null) => $" {Number(observed, 2)}%",
        _ => "",
    };

    private static string Attempts(int attempts) => attempts == 1 ? "1 attempt" : $"{attempts} attempts";

    private static string Signed(double value) =>
        (value >= 0 ? "+" : "") + value.ToString("0.00", CultureInfo.InvariantCulture);

    private static string Number(double value, int decimals) =>
        Math.Round(value, decimals).ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>Capitalised and ending with a full stop.</summary>
    private static string Sentence(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            return trimmed;
        }

        var capital = char.ToUpperInvariant(trimmed[0]) + trimmed[1..];
        return capital.EndsWith('.') ? capital : capital + ".";
    }
}

/// <summary>How an action reads: its icon, headline, order side and the position it leaves.</summary>
internal readonly record struct TradeWords(string Icon, string Headline, string? Side, string OrderAction, string? Position)
{
    public static TradeWords Of(TradeAction action) => action switch
    {
        TradeAction.EnterLong => new("🟢", "BUY", "buy", "buy", "long"),
        TradeAction.EnterShort => new("🔴", "SELL", "sell", "sell", "short"),
        TradeAction.Exit => new("⚪", "EXIT", null, "exit", "flat"),
        _ => new("🔁", action.ToString().ToUpperInvariant(), null, action.ToString().ToLowerInvariant(), null),
    };
}

/// <summary>Veto reasons in words, for a trader reading them on a phone.</summary>
public static class ReasonWords
{
    public static string Of(VetoReason reason) => reason switch
    {
        VetoReason.LowConfidence => "signal confidence is below the minimum",
        VetoReason.HtfConflict => "a higher timeframe points the other way",
        VetoReason.WeakConfluence => "the timeframes do not agree enough",
        VetoReason.Cooldown => "still in the cooldown after the last trade",
        VetoReason.StaleSignal => "the signal is too old",
        VetoReason.RiskLimit => "a risk limit is reached",
        VetoReason.KillSwitch => "trading is halted",
        VetoReason.OutsideHours => "outside the trading hours",
        VetoReason.MaxDecisions => "the daily limit of entries is reached",
        _ => reason.Code(),
    };
}
