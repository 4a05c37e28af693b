using Kyperian.Domain.Risk;
using Kyperian.Domain.Signals;

namespace Kyperian.Domain.Decisions;

/// <summary>What the engine knows when it weighs one signal.</summary>
/// <param name="Signal">The new signal.</param>
/// <param name="Timeframes">The latest signal of the symbol on every timeframe, already updated with <paramref name="Signal"/>.</param>
/// <param name="Risk">Account risk as of now.</param>
/// <param name="LastExecuteAt">The last EXECUTE for this symbol, for the cooldown.</param>
public sealed record DecisionInput(
    Signal Signal,
    IReadOnlyList<TimeframeSignal> Timeframes,
    RiskState Risk,
    DateTimeOffset? LastExecuteAt);

/// <summary>
/// Multi-timeframe confluence: a pure function of the signal, the per-timeframe state, the risk state, the
/// settings and the clock. Exits always execute; entries execute only when nothing vetoes them.
/// </summary>
public sealed class DecisionEngine(EngineSettings settings, TimeProvider time)
{
    public EngineSettings Settings => settings;

    public Decision Decide(DecisionInput input)
    {
        var now = time.GetUtcNow();
        var signal = input.Signal;
        var direction = signal.Action.Direction();

        var inputs = new TimeframeInput[input.Timeframes.Count];
        double liveWeight = 0, weightedVotes = 0, agreeingWeight = 0;
        var higherTimeframeConflict = false;
        for (var i = 0; i < inputs.Length; i++)
        {
            var tf = input.Timeframes[i];
            var age = now - tf.ObservedAt;
            var live = age <= tf.Timeframe.Duration * settings.StaleBars;
            var weight = tf.Timeframe.Weight;
            var tfDirection = tf.Action.Direction();
            inputs[i] = new TimeframeInput(tf.Timeframe, tfDirection, tf.Confidence, Math.Max(0, age.TotalSeconds), weight, live, tf.SignalId);
            if (!live)
            {
                continue;
            }

            liveWeight += weight;
            weightedVotes += weight * tfDirection * tf.Confidence / 100.0;
            if (tfDirection == direction)
            {
                agreeingWeight += weight;
            }

            if (tf.Timeframe > signal.Timeframe && direction != 0 && tfDirection == -direction
                && tf.Confidence >= settings.HtfConflictMinConfidence)
            {
                higherTimeframeConflict = true;
            }
        }

        var score = liveWeight > 0 ? Math.Clamp(weightedVotes / liveWeight, -1.0, 1.0) : 0.0;
        var alignment = liveWeight > 0 ? agreeingWeight / liveWeight : 0.0;
        Array.Sort(inputs, static (a, b) => a.Timeframe.CompareTo(b.Timeframe));

        var action = direction switch
        {
            > 0 => TradeAction.EnterLong,
            < 0 => TradeAction.EnterShort,
            _ => TradeAction.Exit,
        };

        // Exits reduce risk: confluence, cooldown and risk limits never stand in their way.
        var reasons = action == TradeAction.Exit
            ? []
            : Vetoes(signal, direction, score, higherTimeframeConflict, input, now);

        var execute = reasons.Count == 0;
        return new Decision
        {
            DecisionId = SignalIdentity.DecisionIdFor(signal.SignalId),
            SignalId = signal.SignalId,
            Symbol = signal.Symbol,
            Timeframe = signal.Timeframe,
            Action = action,
            Verdict = execute ? Verdict.Execute : Verdict.Veto,
            Score = Math.Round(score, 6),
            Alignment = Math.Round(alignment, 6),
            PositionSizePct = execute && action != TradeAction.Exit ? PositionSize(direction * score, signal.Confidence) : 0,
            Reasons = reasons,
            Inputs = inputs,
            DecidedAt = now,
            LatencyMs = Math.Max(0, (now - signal.ReceivedAt).TotalMilliseconds),
        };
    }

    /// <summary>% of equity: risk per trade, scaled by how strongly the timeframes agree and how sure the alert is.</summary>
    public double PositionSize(double directionalScore, int confidence)
    {
        var size = settings.RiskPerTradePct * Math.Clamp(directionalScore, 0, 1) * confidence / 100.0;
        return Math.Round(Math.Clamp(size, 0, settings.MaxPositionPct), 4);
    }

    private List<VetoReason> Vetoes(
        Signal signal, int direction, double score, bool higherTimeframeConflict, DecisionInput input, DateTimeOffset now)
    {
        var reasons = new List<VetoReason>(2);
        if (signal.Confidence < settings.MinConfidence)
        {
            reasons.Add(VetoReason.LowConfidence);
        }

        if (higherTimeframeConflict)
        {
            reasons.Add(VetoReason.HtfConflict);
        }

        if (direction * score < settings.MinScore)
        {
            reasons.Add(VetoReason.WeakConfluence);
        }

        if (input.LastExecuteAt is { } last && now - last < TimeSpan.FromSeconds(settings.CooldownSeconds))
        {
            reasons.Add(VetoReason.Cooldown);
        }

        if (signal.AlertTime is { } alertTime && signal.ReceivedAt - alertTime > signal.Timeframe.Duration)
        {
            reasons.Add(VetoReason.StaleSignal);
        }

        var risk = input.Risk.On(RiskState.DayOf(now));
        if (risk.DailyLossPct >= settings.MaxDailyLossPct || risk.DrawdownPct >= settings.MaxTotalLossPct)
        {
            reasons.Add(VetoReason.RiskLimit);
        }

        if (risk.Halted)
        {
            reasons.Add(VetoReason.KillSwitch);
        }

        if (!InTradingWindow(now))
        {
            reasons.Add(VetoReason.OutsideHours);
        }

        if (settings.MaxEntriesPerDay is { } maxEntries && risk.EntriesToday >= maxEntries)
        {
            reasons.Add(VetoReason.MaxDecisions);
        }

        return reasons;
    }

    private bool InTradingWindow(DateTimeOffset now)
    {
        if (settings.TradingDays.Length > 0 && Array.IndexOf(settings.TradingDays, now.UtcDateTime.DayOfWeek) < 0)
        {
            return false;
        }

        // No window, or a window that starts where it ends (00:00–00:00), is the whole day.
        if (settings.TradingWindowStartUtc is not { } start || settings.TradingWindowEndUtc is not { } end || start == end)
        {
            return true;
        }

        var clock = TimeOnly.FromDateTime(now.UtcDateTime);
        return start <= end
            ? clock >= start && clock < end
            : clock >= start || clock < end;
    }
}
