using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Positions;
using Kyperian.Domain.Risk;
using Kyperian.Domain.Signals;
using Microsoft.Extensions.Time.Testing;

namespace Kyperian.Domain.Tests;

/// <summary>Invariants of the engine over random signals, timeframe states, risk, cooldowns and settings.</summary>
public class DecisionEngineProperties
{
    private static readonly string[] Pool = ["30S", "1", "5", "15", "30", "60", "240", "1D", "1W", "1M"];

    /// <summary>One random decision problem. Everything the engine reads, and nothing else.</summary>
    public sealed record Case(EngineSettings Settings, DateTimeOffset Now, DecisionInput Input)
    {
        public Decision Decide() => new DecisionEngine(Settings, new FakeTimeProvider(Now)).Decide(Input);

        public override string ToString() =>
            $"{Input.Signal.Action} {Input.Signal.Timeframe} c={Input.Signal.Confidence} alertTime={Input.Signal.AlertTime:O} " +
            $"tfs=[{string.Join(", ", Input.Timeframes.Select(t => $"{t.Timeframe} {t.Action} {t.Confidence} age={(Now - t.ObservedAt).TotalSeconds}s"))}] " +
            $"risk={Input.Risk} last={Input.LastExecuteAt:O} position={Input.Position?.Side}";
    }

    private static Gen<double> Between(double min, double max, double step = 0.01) =>
        Gen.Choose((int)Math.Round(min / step), (int)Math.Round(max / step)).Select(x => x * step);

    private static readonly Gen<SignalAction> Actions = Gen.Elements(SignalAction.Buy, SignalAction.Sell, SignalAction.Close);

    private static readonly Gen<int> Confidences = Gen.Frequency((3, Gen.Choose(0, 100)), (1, Gen.Elements(0, 49, 50, 59, 60, 100)));

    /// <summary>Sometimes no confidence at all, as an alert without the field.</summary>
    private static readonly Gen<int?> SentConfidences = Gen.Frequency((6, Confidences.Select(c => (int?)c)), (1, Gen.Constant<int?>(null)));

    private static readonly Gen<PositionSide> Sides = Gen.Elements(PositionSide.Flat, PositionSide.Flat, PositionSide.Long, PositionSide.Short);

    private static Gen<TimeframeSignal> StateOf(Timeframe timeframe, DateTimeOffset now) =>
        from action in Actions
        from confidence in SentConfidences
        from bars in Between(-0.1, 5)
        select new TimeframeSignal(timeframe, action, confidence, now - (timeframe.Duration * bars), $"sig_{timeframe.Label}");

    private static readonly Gen<EngineSettings> Settings =
        from staleBars in Between(0.5, 5, 0.5)
        from minConfidence in Gen.Choose(0, 100)
        from minScore in Between(0, 1)
        from htf in Gen.Choose(0, 100)
        from cooldown in Gen.Choose(0, 300)
        from daily in Between(0.5, 10, 0.5)
        from total in Between(1, 20, 0.5)
        from risk in Between(0, 10, 0.1)
        from max in Between(0.1, 10, 0.1)
        from maxEntries in Gen.OneOf(Gen.Constant<int?>(null), Gen.Choose(0, 10).Select(x => (int?)x))
        from defaultConfidence in Gen.Choose(0, 100)
        from minLive in Gen.Frequency((3, Gen.Choose(1, 3)), (1, Gen.Choose(4, 8)))
        from requireHigher in Gen.Elements(true, false)
        from basis in Gen.Elements(TotalLossBasis.Initial, TotalLossBasis.Peak)
        from dayStart in Gen.Elements(0, 0, 6 * 60, 22 * 60, 23 * 60 + 30)
        from window in Gen.OneOf(
            Gen.Constant<(TimeOnly?, TimeOnly?)>((null, null)),
            from s in Gen.Choose(0, 1439)
            from e in Gen.Choose(0, 1439)
            select ((TimeOnly?)TimeOnly.FromTimeSpan(TimeSpan.FromMinutes(s)), (TimeOnly?)TimeOnly.FromTimeSpan(TimeSpan.FromMinutes(e))))
        select new EngineSettings
        {
            StaleBars = staleBars,
            MinConfidence = minConfidence,
            MinScore = minScore,
            HtfConflictMinConfidence = htf,
            CooldownSeconds = cooldown,
            MaxDailyLossPct = daily,
            MaxTotalLossPct = total,
            RiskPerTradePct = risk,
            MaxPositionPct = max,
            MaxEntriesPerDay = maxEntries,
            TradingWindowStartUtc = window.Item1,
            TradingWindowEndUtc = window.Item2,
            DefaultConfidence = defaultConfidence,
            MinLiveTimeframes = minLive,
            RequireHigherTimeframe = requireHigher,
            TotalLossBasis = basis,
            RiskDayStartUtc = TimeOnly.FromTimeSpan(TimeSpan.FromMinutes(dayStart)),
        };

    private static Gen<RiskState> Risks(DateTimeOffset now, TimeOnly dayStart) =>
        from today in Between(-12, 6, 0.5)
        from dip in Between(0, 4, 0.5)
        from peak in Between(0, 20, 0.5)
        from cumulative in Between(-15, 20, 0.5)
        from halted in Gen.Frequency((4, Gen.Constant(false)), (1, Gen.Constant(true)))
        from entries in Gen.Choose(0, 12)
        from daysAgo in Gen.Elements(0, 0, 0, 1)
        select new RiskState
        {
            RealizedPnlTodayPct = today,
            WorstPnlTodayPct = Math.Min(0, today - dip),
            PeakPnlPct = Math.Max(peak, cumulative),
            CumulativePnlPct = cumulative,
            Halted = halted,
            EntriesToday = entries,
            Day = TradingDay.Of(now, dayStart).AddDays(-daysAgo),
        };

    private static readonly Gen<Case> Cases =
        from minuteOfWeek in Gen.Choose(0, (7 * 1440) - 1)
        let now = Clocks.Now.AddMinutes(minuteOfWeek)
        from timeframes in Gen.Shuffle(Pool)
        from count in Gen.Choose(1, 8)
        let chosen = timeframes.Take(count).Select(Timeframe.Parse).ToArray()
        from action in Actions
        from confidence in SentConfidences
        from receivedMsAgo in Gen.Choose(0, 5000)
        from alertBars in Gen.OneOf(Gen.Constant<double?>(null), Between(-0.05, 2.5).Select(x => (double?)x))
        from others in Gen.CollectToArray(chosen.Skip(1).Select(tf => StateOf(tf, now)))
        from settings in Settings
        from risk in Risks(now, settings.RiskDayStartUtc)
        from lastExecuteAgo in Gen.OneOf(Gen.Constant<int?>(null), Gen.Choose(0, 400).Select(x => (int?)x))
        from side in Sides
        select Build(now, chosen[0], action, confidence, receivedMsAgo, alertBars, others, settings, risk, lastExecuteAgo, side);

    private static Case Build(
        DateTimeOffset now, Timeframe timeframe, SignalAction action, int? confidence, int receivedMsAgo, double? alertBars,
        TimeframeSignal[] others, EngineSettings settings, RiskState risk, int? lastExecuteAgo, PositionSide side)
    {
        var receivedAt = now.AddMilliseconds(-receivedMsAgo);
        var signal = new SignalBuilder
        {
            Timeframe = timeframe.Label,
            Action = action,
            Confidence = confidence,
            ReceivedAt = receivedAt,
            AlertTime = alertBars is { } bars ? receivedAt - (timeframe.Duration * bars) : null,
        }.Build();
        var state = new List<TimeframeSignal> { TimeframeSignal.From(signal) };
        state.AddRange(others);
        var position = side == PositionSide.Flat
            ? Position.FlatOf(signal.Symbol)
            : Position.Open(signal.Symbol, side == PositionSide.Long ? 1 : -1, 0.5, 100m, now.AddHours(-2), "dec_open");
        return new Case(settings, now, new DecisionInput(signal, state, risk, lastExecuteAgo is { } ago ? now.AddSeconds(-ago) : null) { Position = position });
    }

    private static Property ForAllCases(Func<Case, Decision, bool> property) =>
        Prop.ForAll(Cases.ToArbitrary(), c => property(c, c.Decide()));

    [Property(MaxTest = 300)]
    public Property Score_is_within_minus_1_and_1_and_alignment_within_0_and_1() =>
        ForAllCases((_, d) => d.Score is >= -1 and <= 1 && d.Alignment is >= 0 and <= 1);

    [Property(MaxTest = 300)]
    public Property Size_is_within_0_and_the_maximum_position() =>
        ForAllCases((c, d) => d.PositionSizePct >= 0 && d.PositionSizePct <= c.Settings.MaxPositionPct);

    [Property(MaxTest = 300)]
    public Property Size_is_0_on_veto_and_on_exit() =>
        ForAllCases((_, d) => (d.Verdict == Verdict.Execute && d.Action != TradeAction.Exit) || d.PositionSizePct == 0);

    [Property(MaxTest = 300)]
    public Property A_close_exits_any_open_position_and_nothing_else_stands_in_its_way() =>
        ForAllCases((c, d) =>
            c.Input.Signal.Action != SignalAction.Close
            || c.Input.Position!.IsFlat
            || (d.Verdict == Verdict.Execute && d.Action == TradeAction.Exit && d.Reasons.Count == 0 && d.PositionSizePct == 0
                && d.PositionAfter!.IsFlat && d.ClosedTrade!.Side == c.Input.Position.Side));

    [Property(MaxTest = 300)]
    public Property An_exit_when_flat_never_executes() =>
        ForAllCases((c, d) =>
            c.Input.Signal.Action != SignalAction.Close
            || !c.Input.Position!.IsFlat
            || (d.Verdict == Verdict.Veto && d.Reasons.SequenceEqual([VetoReason.NoPosition]) && d.PositionAfter == d.PositionBefore && d.ClosedTrade is null));

    [Property(MaxTest = 300)]
    public Property A_position_changes_side_only_through_a_closed_trade() =>
        ForAllCases((c, d) =>
        {
            var before = d.PositionBefore!;
            var after = d.PositionAfter!;
            var closesSomething = !before.IsFlat && (after.IsFlat || after.Side != before.Side);
            return d.Verdict == Verdict.Veto
                ? after == before && d.ClosedTrade is null
                : closesSomething == (d.ClosedTrade is not null)
                    && (d.ClosedTrade is null || (d.ClosedTrade.Side == before.Side && d.ClosedTrade.ExitPrice == c.Input.Signal.Price))
                    && (after.IsFlat || (after.EntryPrice == c.Input.Signal.Price && after.OpeningDecisionId == d.DecisionId))
                    && after.Side != before.Side;
        });

    [Property(MaxTest = 300)]
    public Property Every_reason_has_one_explanation_in_words() =>
        ForAllCases((_, d) =>
            d.Explanations.Select(e => e.Code).SequenceEqual(d.Reasons)
            && d.Explanations.All(e => e.Text.Length > 10 && e.Text.EndsWith('.') && !char.IsLower(e.Text[0]) && !e.Text.Contains("  ", StringComparison.Ordinal)));

    [Property(MaxTest = 300)]
    public Property Execute_means_no_reasons_and_veto_means_some() =>
        ForAllCases((_, d) => (d.Verdict == Verdict.Execute) == (d.Reasons.Count == 0));

    [Property(MaxTest = 300)]
    public Property The_action_follows_the_signal_and_the_position() =>
        ForAllCases((c, d) => d.Action == (c.Input.Signal.Action, c.Input.Position!.Side) switch
        {
            (SignalAction.Close, _) => TradeAction.Exit,
            (SignalAction.Buy, PositionSide.Short) or (SignalAction.Sell, PositionSide.Long) => TradeAction.Reverse,
            (SignalAction.Buy, _) => TradeAction.EnterLong,
            _ => TradeAction.EnterShort,
        });

    /// <summary>Liveness, weights, score, alignment and size, recomputed from the recorded inputs.</summary>
    [Property(MaxTest = 300)]
    public Property Score_alignment_liveness_and_size_follow_the_formulas() =>
        ForAllCases((c, d) =>
        {
            var direction = c.Input.Signal.Action.Direction();
            var liveOk = d.Inputs.All(i => i.Live == (c.Now - c.Input.Timeframes.Single(t => t.Timeframe == i.Timeframe).ObservedAt
                <= i.Timeframe.Duration * c.Settings.StaleBars));
            var live = d.Inputs.Where(i => i.Live).ToList();
            var weight = live.Sum(i => i.Weight);
            var score = weight > 0 ? live.Sum(i => i.Weight * i.Direction * i.Confidence / 100.0) / weight : 0;
            var alignment = weight > 0 ? live.Where(i => i.Direction == direction).Sum(i => i.Weight) / weight : 0;
            var confidence = c.Input.Signal.Confidence ?? c.Settings.DefaultConfidence;
            var size = d.Verdict == Verdict.Execute && direction != 0
                ? Math.Min(c.Settings.MaxPositionPct, c.Settings.RiskPerTradePct * Math.Clamp(direction * score, 0, 1) * confidence / 100.0)
                : 0;
            return liveOk
                && Math.Abs(d.Score - score) < 1e-6
                && Math.Abs(d.Alignment - alignment) < 1e-6
                && Math.Abs(d.PositionSizePct - size) <= 0.5e-4 + 1e-9
                && d.Confidence == confidence
                && d.Inputs.All(i => i.Weight == i.Timeframe.Weight && i.AgeSeconds >= 0
                    && i.Confidence == (c.Input.Timeframes.Single(t => t.Timeframe == i.Timeframe).Confidence ?? c.Settings.DefaultConfidence));
        });

    /// <summary>The veto rules, each reason recomputed independently for entries.</summary>
    [Property(MaxTest = 500)]
    public Property Every_reason_applies_and_every_applicable_reason_is_given() =>
        ForAllCases((c, d) =>
        {
            if (d.Action == TradeAction.Exit)
            {
                return true;
            }

            var s = c.Input.Signal;
            var settings = c.Settings;
            var direction = s.Action.Direction();
            var confidence = s.Confidence ?? settings.DefaultConfidence;
            var tradingDay = DateOnly.FromDateTime(c.Now.UtcDateTime.AddMinutes(
                settings.RiskDayStartUtc.ToTimeSpan().TotalMinutes <= 720 ? -settings.RiskDayStartUtc.ToTimeSpan().TotalMinutes : 1440 - settings.RiskDayStartUtc.ToTimeSpan().TotalMinutes));
            var risk = tradingDay <= c.Input.Risk.Day
                ? c.Input.Risk
                : c.Input.Risk with { RealizedPnlTodayPct = 0, WorstPnlTodayPct = 0, EntriesToday = 0 };
            var worstDailyLoss = -Math.Min(0, Math.Min(risk.WorstPnlTodayPct, risk.RealizedPnlTodayPct));
            var totalLoss = settings.TotalLossBasis == TotalLossBasis.Initial
                ? Math.Max(0, -risk.CumulativePnlPct)
                : Math.Max(0, risk.PeakPnlPct - risk.CumulativePnlPct);
            var clock = TimeOnly.FromDateTime(c.Now.UtcDateTime);
            var outside = settings.TradingWindowStartUtc is { } start && settings.TradingWindowEndUtc is { } end && start != end
                && !(start <= end ? clock >= start && clock < end : clock >= start || clock < end);
            var rawScore = RawScore(d.Inputs);
            var expected = new List<VetoReason>();
            if (confidence < settings.MinConfidence)
            {
                expected.Add(VetoReason.LowConfidence);
            }

            if (d.Inputs.Any(i => i.Live && i.Timeframe > s.Timeframe && i.Direction == -direction && i.Confidence >= settings.HtfConflictMinConfidence))
            {
                expected.Add(VetoReason.HtfConflict);
            }

            if (direction * rawScore < settings.MinScore)
            {
                expected.Add(VetoReason.WeakConfluence);
            }

            if (c.Input.LastExecuteAt is { } last && (c.Now - last).TotalSeconds < settings.CooldownSeconds)
            {
                expected.Add(VetoReason.Cooldown);
            }

            if (s.AlertTime is { } t && s.ReceivedAt - t > s.Timeframe.Duration)
            {
                expected.Add(VetoReason.StaleSignal);
            }

            if (worstDailyLoss >= settings.MaxDailyLossPct || totalLoss >= settings.MaxTotalLossPct)
            {
                expected.Add(VetoReason.RiskLimit);
            }

            if (risk.Halted)
            {
                expected.Add(VetoReason.KillSwitch);
            }

            if (outside)
            {
                expected.Add(VetoReason.OutsideHours);
            }

            if (settings.MaxEntriesPerDay is { } max && risk.EntriesToday >= max)
            {
                expected.Add(VetoReason.MaxDecisions);
            }

            if (d.Inputs.Count(i => i.Live && i.Direction == direction) < settings.MinLiveTimeframes)
            {
                expected.Add(VetoReason.TooFewTimeframes);
            }

            if (settings.RequireHigherTimeframe && !d.Inputs.Any(i => i.Live && i.Direction == direction && i.Timeframe > s.Timeframe))
            {
                expected.Add(VetoReason.NoHigherTimeframe);
            }

            if (c.Input.Position!.Side == (direction > 0 ? PositionSide.Long : PositionSide.Short))
            {
                expected.Add(VetoReason.AlreadyInPosition);
            }

            return expected.SequenceEqual(d.Reasons);
        });

    private static double RawScore(IEnumerable<TimeframeInput> inputs)
    {
        // In the decision's own (timeframe) order, as the engine sums, so a boundary case compares equal bits.
        double weight = 0, votes = 0;
        foreach (var i in inputs.Where(i => i.Live))
        {
            weight += i.Weight;
            votes += i.Weight * i.Direction * i.Confidence / 100.0;
        }

        return weight > 0 ? votes / weight : 0;
    }

    [Property(MaxTest = 200)]
    public Property The_same_input_gives_the_same_decision() =>
        Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            var engine = new DecisionEngine(c.Settings, new FakeTimeProvider(c.Now));
            var first = engine.Decide(c.Input);
            var second = engine.Decide(c.Input);
            var third = c.Decide(); // a fresh engine and clock at the same instant
            var json = JsonSerializer.Serialize(first);
            return !ReferenceEquals(first, second)
                && json == JsonSerializer.Serialize(second)
                && json == JsonSerializer.Serialize(third)
                && first.Reasons.SequenceEqual(second.Reasons)
                && first.Inputs.SequenceEqual(second.Inputs)
                && first.Explanations.SequenceEqual(second.Explanations)
                && first.MemberSignalIds.SequenceEqual(second.MemberSignalIds)
                && first with
                {
                    Reasons = second.Reasons,
                    Inputs = second.Inputs,
                    Explanations = second.Explanations,
                    MemberSignalIds = second.MemberSignalIds,
                } == second;
        });

    [Property(MaxTest = 100)]
    public Property Inputs_cover_every_timeframe_shortest_first() =>
        ForAllCases((c, d) =>
            d.Inputs.Count == c.Input.Timeframes.Count
            && d.Inputs.Select(i => i.Timeframe).SequenceEqual(c.Input.Timeframes.Select(t => t.Timeframe).Order()));

    [Property(MaxTest = 100)]
    public Property The_order_of_the_state_does_not_matter() =>
        Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            var reversed = c with { Input = c.Input with { Timeframes = c.Input.Timeframes.Reverse().ToList() } };
            var (a, b) = (c.Decide(), reversed.Decide());

            // Summing in another order may move the last bit of a double, nothing more.
            return a.Verdict == b.Verdict
                && a.Reasons.SequenceEqual(b.Reasons)
                && a.Inputs.SequenceEqual(b.Inputs)
                && Math.Abs(a.Score - b.Score) <= 1e-6
                && Math.Abs(a.Alignment - b.Alignment) <= 1e-6
                && Math.Abs(a.PositionSizePct - b.PositionSizePct) <= 1e-4;
        });

    /// <summary>Guards the properties above against passing vacuously: the generator reaches every outcome.</summary>
    [Fact]
    public void Random_cases_reach_every_verdict_action_and_reason()
    {
        var decisions = Cases.Sample(10_000).Select(c => c.Decide()).ToList();

        Assert.Contains(decisions, d => d.Verdict == Verdict.Execute && d.Action == TradeAction.EnterLong && d.PositionSizePct > 0);
        Assert.Contains(decisions, d => d.Verdict == Verdict.Execute && d.Action == TradeAction.EnterShort && d.PositionSizePct > 0);
        Assert.Contains(decisions, d => d.Verdict == Verdict.Execute && d.Action == TradeAction.Reverse && d.ClosedTrade is not null);
        Assert.Contains(decisions, d => d.Verdict == Verdict.Execute && d.Action == TradeAction.Exit);
        Assert.Contains(decisions, d => d.Verdict == Verdict.Veto && d.Action == TradeAction.Exit);
        Assert.Contains(decisions, d => d.Confidence is not null && d.Inputs.Any(i => i.Confidence == d.Confidence));
        Assert.Contains(decisions, d => d.Inputs.Any(i => !i.Live) && d.Inputs.Any(i => i.Live));
        Assert.Contains(decisions, d => d.Inputs.Count == 8);
        Assert.Contains(decisions, d => d.Reasons.Count == 1);
        Assert.Contains(decisions, d => d.Reasons.Count >= 4);
        foreach (var reason in Enum.GetValues<VetoReason>())
        {
            Assert.Contains(decisions, d => d.Reasons.Contains(reason));
        }
    }
}
