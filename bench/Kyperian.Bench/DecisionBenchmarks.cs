using BenchmarkDotNet.Attributes;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Risk;
using Kyperian.Domain.Signals;

namespace Kyperian.Bench;

/// <summary>one MTF decision over 8 timeframes, ≤ 10 µs mean.</summary>
[MemoryDiagnoser]
public class DecisionBenchmarks
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 14, 30, 5, TimeSpan.Zero);

    private static readonly string[] Intervals = ["1", "5", "15", "30", "60", "240", "D", "W"];

    private readonly DecisionEngine _engine = new(new EngineSettings(), new FixedTimeProvider(Now));
    private DecisionInput _aligned = null!;
    private DecisionInput _conflicted = null!;
    private DecisionInput _exit = null!;

    [GlobalSetup]
    public void Setup()
    {
        var symbol = Symbol.FromTrusted("BTCUSDT");
        var risk = RiskState.Empty with { Day = RiskState.DayOf(Now) };

        // Every timeframe live and bullish: the full EXECUTE path with a position size.
        _aligned = Input(symbol, risk, i => SignalAction.Buy, newTimeframe: 2, SignalAction.Buy);

        // Higher timeframes bearish: every veto rule runs and several fire.
        _conflicted = Input(symbol, risk, i => i >= 4 ? SignalAction.Sell : SignalAction.Buy, newTimeframe: 2, SignalAction.Buy);

        _exit = Input(symbol, risk, i => SignalAction.Buy, newTimeframe: 2, SignalAction.Close);

        if (_engine.Decide(_aligned).Verdict != Verdict.Execute || _engine.Decide(_conflicted).Verdict != Verdict.Veto)
        {
            throw new InvalidOperationException("The benchmark scenarios do not decide as intended.");
        }
    }

    [Benchmark(Baseline = true, Description = "Decide, 8 timeframes aligned (EXECUTE)")]
    public Decision DecideAligned() => _engine.Decide(_aligned);

    [Benchmark(Description = "Decide, 8 timeframes, HTF conflict (VETO)")]
    public Decision DecideConflicted() => _engine.Decide(_conflicted);

    [Benchmark(Description = "Decide, 8 timeframes, Close (Exit)")]
    public Decision DecideExit() => _engine.Decide(_exit);

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
