using BenchmarkDotNet.Attributes;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Replay;
using Kyperian.Domain.Signals;

namespace Kyperian.Bench;

/// <summary>
/// 100,000 signals replayed, ≤ 2 s: 20 symbols sending 15m, 1h and 4h alerts at their bar closes for 40 days (so every
/// hour is a burst of two or three), with the default settings (2 s settle window, every rule on). The engine alone, and
/// the whole replay a request runs (summary, comparison with recorded decisions, performance report).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 10)]
public class ReplayBenchmarks
{
    public const int Signals = 100_000;

    private static readonly DateTimeOffset Start = new(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly EngineSettings _settings = new();
    private Signal[] _signals = null!;
    private RecordedOutcomes _recorded = null!;

    [GlobalSetup]
    public void Setup()
    {
        _signals = Generate(Signals);

        // What "was recorded": the same alerts under looser settings, so the comparison finds differences to keep.
        _recorded = new RecordedOutcomes();
        foreach (var decision in EngineReplay.Run(new EngineSettings { MinLiveTimeframes = 1, RequireHigherTimeframe = false }, _signals))
        {
            _recorded.Add(decision);
        }

        var result = Whole();
        if (result.Summary.Executed == 0 || result.Summary.Vetoed == 0 || result.Summary.Decisions >= Signals
            || result.Performance.ClosedTrades == 0 || result.Summary.Differences == 0)
        {
            throw new InvalidOperationException($"The replay does not decide as intended: {result.Summary}");
        }

        Console.WriteLine($"// {result.Summary.Signals} signals → {result.Summary.Decisions} decisions ({result.Summary.Executed} EXECUTE), "
            + $"{result.Performance.ClosedTrades} closed trades, {result.Performance.VetoedEntries} vetoed entries, {result.Summary.Differences} differences");
    }

    [Benchmark(Baseline = true, Description = "Replay 100,000 signals: the engine (bursts, rules, positions, risk)")]
    public int Engine()
    {
        var count = 0;
        foreach (var _ in EngineReplay.Run(_settings, _signals))
        {
            count++;
        }

        return count;
    }

    [Benchmark(Description = "Replay 100,000 signals: engine + summary + differences + performance report")]
    public ReplayResult Whole()
    {
        var run = new ReplayRun(_settings, _recorded);
        var decided = new List<Decision>(4);
        foreach (var signal in _signals)
        {
            run.Play(signal, decided);
            decided.Clear();
        }

        run.Finish(decided);
        return run.Result();
    }

    /// <summary>
    /// Alerts at bar closes of 15m, 1h and 4h charts for <c>symbols</c> symbols, the higher timeframes first by a few
    /// hundred ms, with prices on a random walk and actions that follow a slowly turning trend; in arrival order.
    /// </summary>
    internal static Signal[] Generate(int count, int symbols = 20)
    {
        var random = new Random(20261001);
        var perSymbol = new List<Signal>[symbols];
        Timeframe[] timeframes = [Timeframe.Parse("240"), Timeframe.Parse("60"), Timeframe.Parse("15")];
        for (var s = 0; s < symbols; s++)
        {
            var symbol = Symbol.FromTrusted($"SYM{s:d2}USDT");
            var list = perSymbol[s] = new List<Signal>(count / symbols + 4);
            var price = 100m + s;
            var trend = 1;
            for (var slot = 0; list.Count < count / symbols; slot++)
            {
                var close = Start.AddMinutes(15 * (slot + 1));
                price = Math.Max(1m, price * (1m + ((decimal)random.NextDouble() - 0.5m + (0.05m * trend)) / 100m));
                if (random.Next(40) == 0)
                {
                    trend = -trend;
                }

                for (var t = 0; t < timeframes.Length && list.Count < count / symbols; t++)
                {
                    var timeframe = timeframes[t];
                    if (!timeframe.ClosesAt(close))
                    {
                        continue;
                    }

                    var roll = random.Next(10);
                    var action = roll < 1 ? SignalAction.Close : (roll < 7) == (trend > 0) ? SignalAction.Buy : SignalAction.Sell;
                    var at = close.AddMilliseconds(150 + (t * 250) + random.Next(100));
                    list.Add(new Signal
                    {
                        SignalId = $"sig_{s:x4}{list.Count:x20}",
                        Symbol = symbol,
                        Action = action,
                        Timeframe = timeframe,
                        Price = decimal.Round(price, 2),
                        Confidence = 50 + random.Next(46),
                        Source = "tradingview",
                        AlertTime = close,
                        ReceivedAt = at,
                    });
                }
            }
        }

        return [.. perSymbol.SelectMany(l => l).OrderBy(x => x.ReceivedAt)];
    }
}
