using BenchmarkDotNet.Attributes;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Positions;
using Kyperian.Domain.Risk;
using Kyperian.Domain.Signals;

namespace Kyperian.Bench;

/// <summary>One MTF decision over 8 timeframes, ≤ 10 µs mean: entry, veto with every explanation, exit, and a burst.</summary>
[MemoryDiagnoser]
public class DecisionBenchmarks
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 14, 30, 5, TimeSpan.Zero);

    private static readonly string[] Intervals = ["1", "5", "15", "30", "60", "240", "D", "W"];

    private readonly DecisionEngine _engine = new(new EngineSettings(), new FixedTimeProvider(Now));
    private DecisionInput _aligned = null!;
    private DecisionInput _conflicted = null!;
    private DecisionInput _exit = null!;
    private DecisionInput _burst = null!;

    [GlobalSetup]
    public void Setup()
    {
        var symbol = Symbol.FromTrusted("BTCUSDT");
        var risk = RiskState.Empty with { Day = RiskState.DayOf(Now) };

        // Every timeframe live and bullish: the full EXECUTE path with a position size.
        _aligned = Input(symbol, risk, i => SignalAction.Buy, newTimeframe: 2, SignalAction.Buy);

        // Higher timeframes bearish: every veto rule runs and several fire.
        _conflicted = Input(symbol, risk, i => i >= 4 ? SignalAction.Sell : SignalAction.Buy, newTimeframe: 2, SignalAction.Buy);

        // Closing a long opened two hours ago: the exit path with its closed trade.
        var open = Position.Open(symbol, 1, 0.5, 63000m, Now.AddHours(-2), "dec_opening");
        _exit = Input(symbol, risk, i => SignalAction.Buy, newTimeframe: 2, SignalAction.Close) with { Position = open };

        // A 4h bar close: the 4h, 1h and 15m signals decided together.
        var aligned = _aligned;
        var members = new[] { 5, 2, 4 }.Select(i => aligned.Signal with
        {
            SignalId = $"sig_{i:x24}",
            Timeframe = aligned.Timeframes[i].Timeframe,
            ReceivedAt = Now - TimeSpan.FromMilliseconds(10 - i),
        }).ToArray();
        _burst = DecisionInput.ForBurst(members, aligned.Timeframes, risk, null, Position.FlatOf(symbol));

        if (_engine.Decide(_aligned).Verdict != Verdict.Execute || _engine.Decide(_conflicted).Verdict != Verdict.Veto
            || _engine.Decide(_exit) is not { Verdict: Verdict.Execute, ClosedTrade: not null }
            || _engine.Decide(_burst) is not { Verdict: Verdict.Execute, MemberSignalIds.Count: 3 })
        {
            throw new InvalidOperationException("The benchmark scenarios do not decide as intended.");
        }
    }

    [Benchmark(Baseline = true, Description = "Decide, 8 timeframes aligned (EXECUTE)")]
    public Decision DecideAligned() => _engine.Decide(_aligned);

    [Benchmark(Description = "Decide, 8 timeframes, HTF conflict (VETO)")]
    public Decision DecideConflicted() => _engine.Decide(_conflicted);

    [Benchmark(Description = "Decide, 8 timeframes, Close of a long (Exit)")]
    public Decision DecideExit() => _engine.Decide(_exit);

    [Benchmark(Description = "Decide a 3-signal bar-close burst, 8 timeframes (EXECUTE)")]
    public Decision DecideBurst() => _engine.Decide(_burst);

    private static DecisionInput Input(Symbol symbol, RiskState risk, Func<int, SignalAction> actionOf, int newTimeframe, SignalAction newAction)
    {
        var timeframes = new TimeframeSignal[Intervals.Length];
        Signal? signal = null;
        for (var i = 0; i < Intervals.Length; i++)
        {
            var tf = Timeframe.Parse(Intervals[i]);
            var isNew = i == newTimeframe;
            var action = isNew ? newAction : actionOf(i);

            // Observed within the last bar of each timeframe, so all eight are live.
            var observed = Now - TimeSpan.FromSeconds(tf.Seconds / 2.0);
            var id = $"sig_{i:x24}";
            if (isNew)
            {
                signal = new Signal
                {
                    SignalId = id,
                    Symbol = symbol,
                    Exchange = "BINANCE",
                    Action = action,
                    Timeframe = tf,
                    Price = 64250.5m,
                    Confidence = 80,
                    Source = "tradingview",
                    AlertTime = Now - TimeSpan.FromSeconds(2),
                    ReceivedAt = Now - TimeSpan.FromMilliseconds(1),
                };
                observed = signal.ObservedAt;
            }

            timeframes[i] = new TimeframeSignal(tf, action, 75, observed, id);
        }

        return new DecisionInput(signal!, timeframes, risk, LastExecuteAt: null);
    }
}
