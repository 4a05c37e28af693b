using System.Globalization;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Positions;
using Kyperian.Domain.Risk;
using Kyperian.Domain.Signals;

namespace Kyperian.Api.Application.Notifications;

/// <summary>Turns what the engine and the outbox saw into events, each with its stable id and its phone-sized message.</summary>
public static class NotificationEvents
{
    /// <summary>
    /// <c>decision.execute</c> or <c>decision.veto</c> for <paramref name="decision"/> (one signal's, or a bar-close
    /// burst's); <paramref name="signal"/>, the one it acts on, when at hand, adds the exchange and order details the
    /// decision does not carry.
    /// </summary>
    public static NotificationEvent ForDecision(Decision decision, Signal? signal)
    {
        var executed = decision.Verdict == Verdict.Execute;
        var type = executed ? NotificationEventType.DecisionExecute : NotificationEventType.DecisionVeto;
        var trade = TradeWords.Of(decision);
        var move = executed ? Move(decision) : null;
        var explanations = decision.Explanations.Count == decision.Reasons.Count && decision.Explanations.Count > 0
            ? decision.Explanations.Select(e => Sentence(e.Text)).ToList()
            : decision.Reasons.Select(r => Sentence(ReasonWords.Of(r))).ToList();
        var explanation = executed ? Agreement(decision) : string.Join(" ", explanations);
        var price = decision.Price ?? signal?.Price;

        var headline = executed
            ? $"{trade.Icon} {trade.Headline} {decision.Symbol.Value}{Size(decision)}{At(price)} · {decision.Timeframe.Label}"
            : $"⛔ VETO {trade.Headline.ToLowerInvariant()} {decision.Symbol.Value}{At(price)} · {decision.Timeframe.Label}";
        var detail = string.Join(" · ", new[] { move, $"Score {Signed(decision.Score)}", explanation.Length > 0 ? Sentence(explanation) : null }
            .Where(part => part is not null));

        return new NotificationEvent
        {
            Id = NotificationEvent.IdFor(type, decision.DecisionId),
            Type = type,
            OccurredAt = decision.DecidedAt,
            Message = headline + "\n" + detail,
            DecisionId = decision.DecisionId,
            SignalId = decision.SignalId,
            MemberSignalIds = decision.Members.Count > 1 ? decision.Members : null,
            Symbol = decision.Symbol.Value,
            Exchange = signal?.Exchange,
            Verdict = decision.Verdict.Code(),
            Action = decision.Action.ToString(),
            Side = trade.Side,
            OrderAction = trade.OrderAction,
            Position = PositionWord(decision.PositionAfter),
            PreviousPosition = PositionWord(decision.PositionBefore),
            Move = move,
            ReturnPct = executed ? decision.ClosedTrade?.ReturnPct is { } returned ? Math.Round(returned, 4) : null : null,
            SizePct = decision.PositionSizePct,
            Price = price,
            Timeframe = decision.Timeframe.Label,
            Score = Math.Round(decision.Score, 4),
            Alignment = Math.Round(decision.Alignment, 4),
            Confidence = decision.Confidence ?? signal?.Confidence,
            Quantity = signal?.Quantity,
            StopLoss = signal?.StopLoss,
            TakeProfit = signal?.TakeProfit,
            Reasons = [.. decision.Reasons.Select(r => r.Code())],
            Explanations = explanations,
            Explanation = explanation.Length > 0 ? explanation : null,
        };
    }

    /// <summary>
    /// A risk event engine v2 recorded: a loss warning or breach, a halt, a resume. Its id comes from the risk event's,
    /// so one recorded twice is told once.
    /// </summary>
    public static NotificationEvent ForRisk(RiskEvent risk)
    {
        var type = risk.Kind switch
        {
            RiskEventKind.Warning => NotificationEventType.RiskWarning,
            RiskEventKind.Breach => NotificationEventType.RiskBreach,
            RiskEventKind.Halt => NotificationEventType.RiskHalt,
            _ => NotificationEventType.RiskResume,
        };
        var subject = risk.Limit switch
        {
            RiskLimit.DailyLoss => "daily loss",
            RiskLimit.TotalLoss => "total loss",
            _ => "kill switch",
        };
        var level = risk.ObservedPct is { } observed
            ? risk.ThresholdPct is { } threshold ? $" {Number(observed, 2)}% of {Number(threshold, 2)}%" : $" {Number(observed, 2)}%"
            : "";
        var headline = type switch
        {
            NotificationEventType.RiskWarning => $"⚠️ Risk warning: {subject}{level}",
            NotificationEventType.RiskBreach => $"🚨 Risk limit breached: {subject}{level}",
            NotificationEventType.RiskHalt => "🛑 Trading halted",
            _ => risk.Limit == RiskLimit.KillSwitch ? "▶️ Trading resumed" : $"▶️ Trading resumed: {subject} limit lifted",
        };

        return new NotificationEvent
        {
            Id = NotificationEvent.IdFor(type, risk.EventId),
            Type = type,
            OccurredAt = risk.At,
            Message = headline + "\n" + Sentence(risk.Text),
            Explanation = risk.Text,
            Risk = new RiskNotice
            {
                EventId = risk.EventId,
                Limit = risk.Limit,
                Day = risk.Day,
                ObservedPct = risk.ObservedPct,
                ThresholdPct = risk.ThresholdPct,
            },
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

    /// <summary>Which live timeframes pointed the way of the position the decision opens; nothing for an exit.</summary>
    private static string Agreement(Decision decision)
    {
        var direction = OpenedDirection(decision);
        var live = decision.Inputs.Where(i => i.Live).ToList();
        if (direction == 0 || live.Count == 0)
        {
            return "";
        }

        var agreeing = live.Where(i => i.Direction == direction).OrderBy(i => i.Timeframe).Select(i => i.Timeframe.Label).ToList();
        return $"{agreeing.Count} of {live.Count} timeframes agree ({string.Join(", ", agreeing)})";
    }

    /// <summary>
    /// What an executed decision did to the model position, in a few words: "Enter long", "Reverse to short (long
    /// +1.8 %)", "Exit long, +1.8 %". The return is the closed trade's price move in its favour, when both prices are known.
    /// </summary>
    private static string? Move(Decision decision)
    {
        var before = decision.PositionBefore?.Side;
        var closed = decision.ClosedTrade is { } trade
            ? $"{Side(trade.Side)}{(trade.ReturnPct is { } returned ? " " + Percent(returned) : "")}"
            : null;
        return decision.Action switch
        {
            TradeAction.EnterLong => "Enter long",
            TradeAction.EnterShort => "Enter short",
            TradeAction.Reverse => $"Reverse to {Side(decision.PositionAfter?.Side ?? Opposite(before))}{(closed is null ? "" : $" ({closed})")}",
            _ => decision.ClosedTrade is { ReturnPct: { } exitReturn } exited
                ? $"Exit {Side(exited.Side)}, {Percent(exitReturn)}"
                : before is PositionSide.Long or PositionSide.Short ? $"Exit {Side(before.Value)}" : "Exit",
        };
    }

    private static int OpenedDirection(Decision decision) => decision.Action switch
    {
        TradeAction.EnterLong => 1,
        TradeAction.EnterShort => -1,
        TradeAction.Reverse => -(decision.PositionBefore?.Direction ?? 0),
        _ => 0,
    };

    private static PositionSide? Opposite(PositionSide? side) => side switch
    {
        PositionSide.Long => PositionSide.Short,
        PositionSide.Short => PositionSide.Long,
        _ => null,
    };

    private static string Side(PositionSide? side) => side switch
    {
        PositionSide.Long => "long",
        PositionSide.Short => "short",
        PositionSide.Flat => "flat",
        _ => "the other way",
    };

    private static string? PositionWord(Position? position) => position is null ? null : Side(position.Side);

    /// <summary>"+1.8 %", "-0.25 %".</summary>
    private static string Percent(double value) => (value > 0 ? "+" : "") + Number(value, 2) + " %";

    private static string Size(Decision decision) =>
        decision.PositionSizePct > 0 ? " " + Number(decision.PositionSizePct, 2) + "%" : "";

    private static string At(decimal? price) =>
        price is { } p ? " @ " + p.ToString(CultureInfo.InvariantCulture) : "";

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

/// <summary>How a decision's action reads: its icon, headline, order side and the word bridges use for it.</summary>
internal readonly record struct TradeWords(string Icon, string Headline, string? Side, string OrderAction)
{
    public static TradeWords Of(Decision decision) => decision.Action switch
    {
        TradeAction.EnterLong => new("🟢", "BUY", "buy", "buy"),
        TradeAction.EnterShort => new("🔴", "SELL", "sell", "sell"),

        // An exit trades against the position it closes; a reversal the way of the one it opens.
        TradeAction.Exit => new("⚪", "EXIT", decision.PositionBefore?.Direction switch { > 0 => "sell", < 0 => "buy", _ => null }, "exit"),
        _ => new("🔁", "REVERSE", decision.PositionBefore?.Direction switch { > 0 => "sell", < 0 => "buy", _ => null }, "reverse"),
    };
}

/// <summary>
/// Veto reasons in words, for a decision stored without its explanations (before the engine wrote them); the engine's
/// own explanations, with their numbers, are used when there.
/// </summary>
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
        VetoReason.TooFewTimeframes => "too few live timeframes agree",
        VetoReason.NoHigherTimeframe => "no higher timeframe agrees",
        VetoReason.AlreadyInPosition => "already in a position this way",
        VetoReason.NoPosition => "there is no position to close",
        _ => reason.Code(),
    };
}
