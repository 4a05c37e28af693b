using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Positions;
using Kyperian.Domain.Risk;
using Kyperian.Domain.Signals;
using Microsoft.Extensions.Time.Testing;

namespace Kyperian.Domain.Tests;

/// <summary>The invariants a trader relies on, over random days, bursts and signal sequences.</summary>
public class EngineInvariantProperties
{
    private static readonly Timeframe[] Pool = [.. new[] { "1", "5", "15", "30", "60", "240", "1D", "1W" }.Select(Timeframe.Parse)];

    private static readonly Gen<SignalAction> Actions = Gen.Elements(SignalAction.Buy, SignalAction.Sell, SignalAction.Close);

    private static Gen<double> Between(double min, double max, double step) =>
        Gen.Choose((int)Math.Round(min / step), (int)Math.Round(max / step)).Select(x => x * step);

    // ---- a breached day stays breached ----

    public sealed record RiskDay(double MaxDailyLossPct, double[] Reports, int ReportsBeforeMidnight, TimeOnly DayStart)
    {
        public override string ToString() => $"max={MaxDailyLossPct} start={DayStart} reports=[{string.Join(", ", Reports)}] sameDay={ReportsBeforeMidnight}";
    }

    private static readonly Gen<RiskDay> RiskDays =
        from max in Between(1, 6, 0.5)
        from reportCount in Gen.Choose(1, 25)
        from reports in Gen.ArrayOf(Between(-3, 3, 0.25), reportCount)
        from sameDay in Gen.Choose(0, 25)
        from start in Gen.Elements(0, 6 * 60, 22 * 60)
        select new RiskDay(max, reports, Math.Min(sameDay, reports.Length), TimeOnly.FromTimeSpan(TimeSpan.FromMinutes(start)));

    [Property(MaxTest = 300)]
    public Property A_breached_day_stays_breached_whatever_pnl_follows_that_day() =>
        Prop.ForAll(RiskDays.ToArbitrary(), day =>
        {
            var settings = new EngineSettings { MaxDailyLossPct = day.MaxDailyLossPct, WarnDailyLossPct = 0, MaxTotalLossPct = 100, WarnTotalLossPct = 0, RiskDayStartUtc = day.DayStart };
            var dayStart = TradingDay.StartOf(settings.TradingDayOf(Clocks.Now), day.DayStart);
            var risk = RiskState.Empty;
            var breached = false;
            var lowest = 0.0;
            var running = 0.0;
            for (var i = 0; i < day.Reports.Length; i++)
            {
                // Reports spread over the trading day, a minute apart.
                var at = dayStart.AddMinutes(10 + i);
                risk = risk.WithPnl(day.Reports[i], settings.TradingDayOf(at));
                running += day.Reports[i];
                lowest = Math.Min(lowest, running);
                breached |= -running >= day.MaxDailyLossPct - 1e-9;

                var scenario = Scenario.Aligned(at);
                scenario.Settings.MaxDailyLossPct = day.MaxDailyLossPct;
                scenario.Settings.MaxTotalLossPct = 100;
                scenario.Settings.RiskDayStartUtc = day.DayStart;
                scenario.Risk = risk;
                var vetoed = scenario.Decide().Reasons.Contains(VetoReason.RiskLimit);
                if (vetoed != (-lowest >= day.MaxDailyLossPct) || (breached && !vetoed))
                {
                    return false;
                }
            }

            // The next trading day trades again.
            var nextDay = Scenario.Aligned(dayStart.AddDays(1).AddMinutes(1));
            nextDay.Settings.MaxDailyLossPct = day.MaxDailyLossPct;
            nextDay.Settings.MaxTotalLossPct = 100;
            nextDay.Settings.RiskDayStartUtc = day.DayStart;
            nextDay.Risk = risk;
            return !nextDay.Decide().Reasons.Contains(VetoReason.RiskLimit);
        });

    // ---- the score does not depend on arrival order within a burst ----

    public sealed record Burst(Signal[] Members, int[] ArrivalOrder, TimeframeSignal[] Context, PositionSide Side)
    {
        public override string ToString() =>
            $"members=[{string.Join(", ", Members.Select(m => $"{m.Timeframe} {m.Action} {m.Confidence}"))}] order=[{string.Join(",", ArrivalOrder)}] " +
            $"context=[{string.Join(", ", Context.Select(c => $"{c.Timeframe} {c.Action} {c.Confidence}"))}] position={Side}";
    }

    private static readonly DateTimeOffset CloseAt = new(2026, 1, 15, 16, 0, 0, TimeSpan.Zero);

    private static readonly Gen<Burst> Bursts =
        from shuffled in Gen.Shuffle(Pool)
        from count in Gen.Choose(1, 5)
        from contextCount in Gen.Choose(0, 3)
        from actions in Gen.ArrayOf(Actions, count + contextCount)
        from confidences in Gen.ArrayOf(Gen.Frequency((5, Gen.Choose(0, 100).Select(c => (int?)c)), (1, Gen.Constant<int?>(null))), count + contextCount)
        from order in Gen.Shuffle(Enumerable.Range(0, count).ToArray())
        from side in Gen.Elements(PositionSide.Flat, PositionSide.Long, PositionSide.Short)
        select new Burst(
            [.. Enumerable.Range(0, count).Select(i => new SignalBuilder
            {
                Timeframe = shuffled[i].Label,
                Action = actions[i],
                Confidence = confidences[i],
                AlertTime = CloseAt.AddSeconds(1),
                ReceivedAt = CloseAt.AddSeconds(1),
                Price = 100m + i,
                Id = $"sig_member_{i}",
            }.Build())],
            order,
            [.. Enumerable.Range(count, contextCount).Select(i => new TimeframeSignal(shuffled[i], actions[i], confidences[i], CloseAt.AddMinutes(-i), $"sig_context_{i}"))],
            side);

    private static Decision DecideInArrivalOrder(Burst burst, int[] order)
    {
        var members = order.Select((index, arrival) => burst.Members[index] with { ReceivedAt = CloseAt.AddMilliseconds(1000 + (arrival * 300)) }).ToArray();
        var state = burst.Context.ToDictionary(c => c.Timeframe);
        foreach (var member in members)
        {
            var candidate = TimeframeSignal.From(member);
            if (candidate.Supersedes(state.GetValueOrDefault(member.Timeframe)))
            {
                state[member.Timeframe] = candidate;
            }
        }

        var symbol = members[0].Symbol;
        var position = burst.Side == PositionSide.Flat ? Position.FlatOf(symbol) : Position.Open(symbol, burst.Side == PositionSide.Long ? 1 : -1, 0.5, 90m, CloseAt.AddHours(-8), "dec_open");
        var input = DecisionInput.ForBurst(members, [.. state.Values], RiskState.Empty, null, position);
        return new DecisionEngine(new EngineSettings(), new FakeTimeProvider(CloseAt.AddSeconds(3))).Decide(input);
    }

    [Property(MaxTest = 300)]
    public Property The_decision_of_a_burst_does_not_depend_on_the_arrival_order_of_its_timeframes() =>
        Prop.ForAll(Bursts.ToArbitrary(), burst =>
        {
            var inOrder = DecideInArrivalOrder(burst, [.. Enumerable.Range(0, burst.Members.Length)]);
            var shuffled = DecideInArrivalOrder(burst, burst.ArrivalOrder);
            return inOrder.Score == shuffled.Score
                && inOrder.Alignment == shuffled.Alignment
                && inOrder.Verdict == shuffled.Verdict
                && inOrder.Action == shuffled.Action
                && inOrder.SignalId == shuffled.SignalId
                && inOrder.PositionSizePct == shuffled.PositionSizePct
                && inOrder.Reasons.SequenceEqual(shuffled.Reasons)
                && inOrder.PositionAfter!.Side == shuffled.PositionAfter!.Side
                && inOrder.MemberSignalIds.Order().SequenceEqual(shuffled.MemberSignalIds.Order())
                && shuffled.MemberSignalIds.SequenceEqual(burst.ArrivalOrder.Select(i => burst.Members[i].SignalId));
        });

    // ---- positions move only through closed trades ----

    public sealed record Step(int MinutesLater, Timeframe Timeframe, SignalAction Action, int Confidence, decimal Price);

    public sealed record Session(Step[] Steps, bool Strict)
    {
        public override string ToString() => $"strict={Strict} steps=[{string.Join(", ", Steps.Select(s => $"+{s.MinutesLater}m {s.Timeframe} {s.Action} {s.Confidence} @{s.Price}"))}]";
    }

    private static readonly Gen<Session> Sessions =
        from stepCount in Gen.Choose(1, 40)
        from steps in Gen.ArrayOf(
            from minutes in Gen.Choose(0, 240)
            from timeframe in Gen.Elements(Pool)
            from action in Gen.Frequency((3, Gen.Constant(SignalAction.Buy)), (3, Gen.Constant(SignalAction.Sell)), (2, Gen.Constant(SignalAction.Close)))
            from confidence in Gen.Choose(40, 100)
            from price in Gen.Choose(50, 150)
            select new Step(minutes, timeframe, action, confidence, price),
            stepCount)
        from strict in Gen.Elements(true, false)
        select new Session(steps, strict);

    [Property(MaxTest = 200)]
    public Property A_position_never_changes_side_without_a_closed_trade_and_an_exit_when_flat_never_executes() =>
        Prop.ForAll(Sessions.ToArbitrary(), session =>
        {
            var clock = new FakeTimeProvider(Clocks.Now);
            var settings = session.Strict ? new EngineSettings() : new EngineSettings { MinLiveTimeframes = 1, RequireHigherTimeframe = false, MinScore = 0, CooldownSeconds = 0 };
            var state = new Dictionary<Timeframe, TimeframeSignal>();
            var symbol = Symbol.FromTrusted("BTCUSDT");
            var position = Position.FlatOf(symbol);
            DateTimeOffset? lastExecute = null;
            var opened = 0;
            var closed = new List<ClosedTrade>();
            for (var i = 0; i < session.Steps.Length; i++)
            {
                var step = session.Steps[i];
                clock.Advance(TimeSpan.FromMinutes(step.MinutesLater));
                var signal = new SignalBuilder
                {
                    Timeframe = step.Timeframe.Label, Action = step.Action, Confidence = step.Confidence, Price = step.Price,
                    ReceivedAt = clock.GetUtcNow(), Id = $"sig_{i:D4}",
                }.Build();
                state[signal.Timeframe] = TimeframeSignal.From(signal);
                var decision = new DecisionEngine(settings, clock).Decide(
                    new DecisionInput(signal, [.. state.Values], RiskState.Empty, lastExecute) { Position = position });
                var before = position;
                var after = decision.PositionAfter!;

                var legal = (before.Side, after.Side, decision.Verdict) switch
                {
                    (_, _, Verdict.Veto) => after == before && decision.ClosedTrade is null,
                    (PositionSide.Flat, PositionSide.Flat, _) => false, // an exit when flat never executes
                    (PositionSide.Flat, _, _) => decision.ClosedTrade is null,
                    (_, PositionSide.Flat, _) => decision.Action == TradeAction.Exit && decision.ClosedTrade?.Side == before.Side,
                    var (from, to, _) when from != to => decision.Action == TradeAction.Reverse && decision.ClosedTrade?.Side == from,
                    _ => false, // an entry the way the position already points never executes
                };
                if (!legal)
                {
                    return false;
                }

                if (decision.Verdict == Verdict.Execute)
                {
                    lastExecute = decision.DecidedAt;
                    opened += after.IsFlat ? 0 : 1;
                    if (decision.ClosedTrade is { } trade)
                    {
                        closed.Add(trade);
                    }
                }

                position = after;
            }

            // Every position opened was closed by exactly one trade, except the one still open.
            return closed.Count == opened - (position.IsFlat ? 0 : 1);
        });

    /// <summary>Guards the session property against passing vacuously.</summary>
    [Fact]
    public void Random_sessions_reverse_exit_and_veto_exits_when_flat()
    {
        var sessions = Sessions.Sample(300).ToList();
        var actions = new List<(TradeAction, Verdict)>();
        foreach (var session in sessions.Where(s => !s.Strict))
        {
            var clock = new FakeTimeProvider(Clocks.Now);
            var settings = new EngineSettings { MinLiveTimeframes = 1, RequireHigherTimeframe = false, MinScore = 0, CooldownSeconds = 0 };
            var position = Position.FlatOf(Symbol.FromTrusted("BTCUSDT"));
            var state = new Dictionary<Timeframe, TimeframeSignal>();
            foreach (var step in session.Steps)
            {
                clock.Advance(TimeSpan.FromMinutes(step.MinutesLater));
                var signal = new SignalBuilder { Timeframe = step.Timeframe.Label, Action = step.Action, Confidence = step.Confidence, ReceivedAt = clock.GetUtcNow() }.Build();
                state[signal.Timeframe] = TimeframeSignal.From(signal);
                var decision = new DecisionEngine(settings, clock).Decide(new DecisionInput(signal, [.. state.Values], RiskState.Empty, null) { Position = position });
                actions.Add((decision.Action, decision.Verdict));
                position = decision.PositionAfter!;
            }
        }

        Assert.Contains((TradeAction.Reverse, Verdict.Execute), actions);
        Assert.Contains((TradeAction.Exit, Verdict.Execute), actions);
        Assert.Contains((TradeAction.Exit, Verdict.Veto), actions);
        Assert.Contains((TradeAction.EnterLong, Verdict.Veto), actions);
    }
}
