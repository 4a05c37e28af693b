using Kyperian.Domain.Positions;
using Kyperian.Domain.Risk;
using Kyperian.Domain.Signals;

namespace Kyperian.Domain.Decisions;

/// <summary>
/// Multi-timeframe confluence on a model position: a pure function of the signal (or burst), the per-timeframe
/// state, the position, the risk state, the settings and the clock. An exit executes whenever there is a position to
/// close; an entry (or a reversal) executes only when nothing vetoes it.
/// </summary>
public sealed class DecisionEngine(EngineSettings settings, TimeProvider time)
{
    public EngineSettings Settings => settings;

    public Decision Decide(DecisionInput input)
    {
        var now = time.GetUtcNow();
        var signal = input.Signal;
        var direction = signal.Action.Direction();
        var confidence = signal.Confidence ?? settings.DefaultConfidence;
        var position = input.Position ?? Position.FlatOf(signal.Symbol);

        var inputs = new TimeframeInput[input.Timeframes.Count];
        for (var i = 0; i < inputs.Length; i++)
        {
            var tf = input.Timeframes[i];
            var age = now - tf.ObservedAt;
            var live = age <= tf.Timeframe.Duration * settings.StaleBars;
            inputs[i] = new TimeframeInput(
                tf.Timeframe, tf.Action.Direction(), tf.Confidence ?? settings.DefaultConfidence, Math.Max(0, age.TotalSeconds), tf.Timeframe.Weight, live, tf.SignalId);
        }

        // Summing in timeframe order makes the score independent of the order the state arrives in, to the last bit.
        Array.Sort(inputs, static (a, b) => a.Timeframe.CompareTo(b.Timeframe));
        var confluence = new Confluence();
        foreach (var tf in inputs)
        {
            if (!tf.Live)
            {
                continue;
            }

            confluence.LiveWeight += tf.Weight;
            confluence.WeightedVotes += tf.Weight * tf.Direction * tf.Confidence / 100.0;
            if (tf.Direction == direction)
            {
                confluence.AgreeingWeight += tf.Weight;
            }

            if (direction != 0 && tf.Direction == direction)
            {
                confluence.AgreeingCount++;
                confluence.AgreeingHigher |= tf.Timeframe > signal.Timeframe;
            }

            if (tf.Timeframe > signal.Timeframe && direction != 0 && tf.Direction == -direction
                && tf.Confidence >= settings.HtfConflictMinConfidence)
            {
                (confluence.Conflicts ??= new List<TimeframeInput>(2)).Add(tf);
            }
        }

        var score = confluence.LiveWeight > 0 ? Math.Clamp(confluence.WeightedVotes / confluence.LiveWeight, -1.0, 1.0) : 0.0;
        var alignment = confluence.LiveWeight > 0 ? confluence.AgreeingWeight / confluence.LiveWeight : 0.0;
        var action = ActionFor(direction, position);
        var decisionId = SignalIdentity.DecisionIdFor(signal.SignalId);

        var vetoes = new Vetoes();
        if (action == TradeAction.Exit)
        {
            // Exits reduce risk: confluence, cooldown and risk limits never stand in their way; only having nothing to close does.
            if (position.IsFlat)
            {
                vetoes.Add(VetoReason.NoPosition, $"There is nothing to close: {signal.Symbol} is flat.");
            }
        }
        else
        {
            AddEntryVetoes(vetoes, input, inputs, direction, confidence, score, confluence, position, now);
        }

        var execute = vetoes.Reasons.Count == 0;
        var size = execute && direction != 0 ? PositionSize(direction * score, confidence) : 0;
        var (after, closed) = execute
            ? Move(position, action, direction, size, signal.Price, now, decisionId)
            : (position, null);

        return new Decision
        {
            DecisionId = decisionId,
            SignalId = signal.SignalId,
            Symbol = signal.Symbol,
            Timeframe = signal.Timeframe,
            Action = action,
            Verdict = execute ? Verdict.Execute : Verdict.Veto,
            Score = Math.Round(score, 6),
            Alignment = Math.Round(alignment, 6),
            PositionSizePct = size,
            Reasons = vetoes.Reasons,
            Explanations = vetoes.Explanations,
            Inputs = inputs,
            MemberSignalIds = MemberIds(input),
            Price = signal.Price,
            Confidence = confidence,
            PositionBefore = position,
            PositionAfter = after,
            ClosedTrade = closed,
            SettingsVersion = settings.Version,
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

    private static TradeAction ActionFor(int direction, Position position) => direction switch
    {
        0 => TradeAction.Exit,
        _ when position.Direction == -direction => TradeAction.Reverse,
        > 0 => TradeAction.EnterLong,
        _ => TradeAction.EnterShort,
    };

    private static (Position After, ClosedTrade? Closed) Move(
        Position position, TradeAction action, int direction, double size, decimal? price, DateTimeOffset now, string decisionId) => action switch
    {
        TradeAction.Exit => (position.ClosedBy(decisionId), position.Close(price, now, decisionId)),
        TradeAction.Reverse => (Position.Open(position.Symbol, direction, size, price, now, decisionId), position.Close(price, now, decisionId)),
        _ => (Position.Open(position.Symbol, direction, size, price, now, decisionId), null),
    };

    private static string[] MemberIds(DecisionInput input)
    {
        if (input.Members.Count == 0)
        {
            return [input.Signal.SignalId];
        }

        var ids = new string[input.Members.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = input.Members[i].SignalId;
        }

        return ids;
    }

    private void AddEntryVetoes(
        Vetoes vetoes, DecisionInput input, TimeframeInput[] inputs, int direction, int confidence, double score,
        Confluence confluence, Position position, DateTimeOffset now)
    {
        var signal = input.Signal;
        var side = Words.Side(signal.Action);
        if (confidence < settings.MinConfidence)
        {
            vetoes.Add(
                VetoReason.LowConfidence,
                signal.Confidence is null
                    ? $"The alert sent no confidence and the default {confidence} is below the minimum of {settings.MinConfidence}."
                    : $"Confidence {confidence} is below the minimum of {settings.MinConfidence}.",
                threshold: settings.MinConfidence,
                observed: confidence);
        }

        if (confluence.Conflicts is { Count: > 0 } conflicts)
        {
            var highest = conflicts[^1];
            vetoes.Add(
                VetoReason.HtfConflict,
                $"{Words.Conflicts(conflicts)} against this {side}.",
                highest.Timeframe,
                settings.HtfConflictMinConfidence,
                highest.Confidence);
        }

        var directionalScore = direction * score;
        if (directionalScore < settings.MinScore)
        {
            vetoes.Add(
                VetoReason.WeakConfluence,
                $"The timeframes score {Words.Number(directionalScore)} for this {side}, below the minimum of {Words.Number(settings.MinScore)}.",
                threshold: settings.MinScore,
                observed: Math.Round(directionalScore, 4));
        }

        if (input.LastExecuteAt is { } last && now - last < TimeSpan.FromSeconds(settings.CooldownSeconds))
        {
            var since = Math.Max(0, (now - last).TotalSeconds);
            var remaining = (long)Math.Ceiling(settings.CooldownSeconds - since);
            vetoes.Add(
                VetoReason.Cooldown,
                $"{signal.Symbol} last executed {Words.Duration(since)} ago; the {Words.Duration(settings.CooldownSeconds)} cooldown runs {Words.Duration(remaining)} more.",
                threshold: settings.CooldownSeconds,
                observed: Math.Round(since, 3),
                remainingSeconds: remaining);
        }

        if (signal.AlertTime is { } alertTime && signal.ReceivedAt - alertTime > signal.Timeframe.Duration)
        {
            var lateSeconds = (signal.ReceivedAt - alertTime).TotalSeconds;
            vetoes.Add(
                VetoReason.StaleSignal,
                $"The {signal.Timeframe} alert reached us {Words.Duration(lateSeconds)} after its time, more than one {signal.Timeframe} bar.",
                signal.Timeframe,
                signal.Timeframe.Seconds,
                Math.Round(lateSeconds, 3));
        }

        var day = settings.TradingDayOf(now);
        var risk = input.Risk.On(day);
        var nextDay = TradingDay.NextStart(now, settings.RiskDayStartUtc);
        var dailyBreached = risk.DailyLimitReached(settings.MaxDailyLossPct);
        var totalLoss = risk.TotalLossPct(settings.TotalLossBasis);
        var totalBreached = totalLoss >= settings.MaxTotalLossPct;
        if (dailyBreached || totalBreached)
        {
            vetoes.Add(
                VetoReason.RiskLimit,
                Words.RiskLimit(risk, settings, dailyBreached, totalBreached, totalLoss, nextDay),
                threshold: dailyBreached ? settings.MaxDailyLossPct : settings.MaxTotalLossPct,
                observed: Math.Round(dailyBreached ? risk.WorstDailyLossPct : totalLoss, 4),
                remainingSeconds: dailyBreached && !totalBreached ? Seconds(nextDay - now) : null);
        }

        if (risk.Halted)
        {
            vetoes.Add(
                VetoReason.KillSwitch,
                risk.HaltReason is { Length: > 0 } reason ? $"An operator halted entries: {reason}." : "An operator halted entries.");
        }

        if (!InTradingWindow(now))
        {
            var opens = NextWindowOpening(now);
            vetoes.Add(
                VetoReason.OutsideHours,
                $"{now.UtcDateTime:ddd HH:mm} UTC is outside the trading window {Words.Window(settings)}.",
                remainingSeconds: opens is { } at ? Seconds(at - now) : null);
        }

        if (settings.MaxEntriesPerDay is { } maxEntries && risk.EntriesToday >= maxEntries)
        {
            vetoes.Add(
                VetoReason.MaxDecisions,
                $"{risk.EntriesToday} entries executed this trading day; the maximum is {maxEntries}.",
                threshold: maxEntries,
                observed: risk.EntriesToday,
                remainingSeconds: Seconds(nextDay - now));
        }

        if (confluence.AgreeingCount < settings.MinLiveTimeframes)
        {
            vetoes.Add(
                VetoReason.TooFewTimeframes,
                Words.TooFewAgreeing(inputs, direction, confluence.AgreeingCount, settings.MinLiveTimeframes, side),
                threshold: settings.MinLiveTimeframes,
                observed: confluence.AgreeingCount);
        }

        if (settings.RequireHigherTimeframe && !confluence.AgreeingHigher)
        {
            vetoes.Add(
                VetoReason.NoHigherTimeframe,
                $"No live timeframe above {signal.Timeframe} agrees with this {side}.",
                signal.Timeframe);
        }

        if (position.Direction == direction)
        {
            vetoes.Add(
                VetoReason.AlreadyInPosition,
                position.EntryPrice is { } entryPrice
                    ? $"{signal.Symbol} is already {position.Side} {Words.Number(position.SizePct)} % at {entryPrice}, opened {position.OpenedAt:yyyy-MM-dd HH:mm} UTC."
                    : $"{signal.Symbol} is already {position.Side} {Words.Number(position.SizePct)} %, opened {position.OpenedAt:yyyy-MM-dd HH:mm} UTC at an unknown price.");
        }
    }

    private static long Seconds(TimeSpan span) => Math.Max(0, (long)Math.Ceiling(span.TotalSeconds));

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

    /// <summary>The next instant entries are inside the window again: a day's opening within the coming week.</summary>
    private DateTimeOffset? NextWindowOpening(DateTimeOffset now)
    {
        var opening = settings.TradingWindowStartUtc is { } start && settings.TradingWindowEndUtc is { } end && start != end
            ? start.ToTimeSpan()
            : TimeSpan.Zero;
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        for (var day = 0; day <= 7; day++)
        {
            var candidate = today.AddDays(day) + opening;
            if (candidate > now && InTradingWindow(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>What the live timeframes add up to, gathered in one pass.</summary>
    private struct Confluence
    {
        public double LiveWeight;
        public double WeightedVotes;
        public double AgreeingWeight;
        public int AgreeingCount;
        public bool AgreeingHigher;
        public List<TimeframeInput>? Conflicts;
    }

    private sealed class Vetoes
    {
        public List<VetoReason> Reasons { get; } = new(2);

        public List<Explanation> Explanations { get; } = new(2);

        public void Add(
            VetoReason reason, string text, Timeframe? timeframe = null, double? threshold = null, double? observed = null, long? remainingSeconds = null)
        {
            Reasons.Add(reason);
            Explanations.Add(new Explanation
            {
                Code = reason,
                Text = text,
                Timeframe = timeframe,
                Threshold = threshold,
                Observed = observed,
                RemainingSeconds = remainingSeconds,
            });
        }
    }
}
