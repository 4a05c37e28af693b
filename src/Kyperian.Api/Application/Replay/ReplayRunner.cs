using System.Runtime.CompilerServices;
using Kyperian.Api.Application.Settings;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Performance;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Replay;
using Kyperian.Domain.Signals;

namespace Kyperian.Api.Application.Replay;

/// <summary>
/// What-if replays and performance reports over the stored history. A replay reads signals and the recorded decisions
/// and nothing else: it plays them through <see cref="ReplayRun"/> in memory, so nothing is stored, published, notified
/// or counted, and the live timeframe state, positions, risk ledger and cooldowns are never read or touched.
/// </summary>
public sealed class ReplayRunner(IStoredHistory history, EngineSettingsSource settings)
{
    /// <summary>
    /// How long after the last replayed signal a recorded decision is still looked for: a burst is decided seconds after
    /// it arrived, a signal that waited out an outage later.
    /// </summary>
    public static readonly TimeSpan RecordedGrace = TimeSpan.FromHours(1);

    /// <summary>
    /// The history is read a day at a time, every symbol's day put in time order before the next day is read: a range
    /// of any length holds one day in memory.
    /// </summary>
    public static readonly TimeSpan Window = TimeSpan.FromDays(1);

    /// <inheritdoc cref="EngineSettingsSource.TryOnAsync"/>
    public Task<(EngineSettings? Settings, IReadOnlyList<SettingError> Errors)> SettingsAsync(
        EngineSettings? change, IReadOnlyCollection<string> fields, CancellationToken cancellationToken) =>
        settings.TryOnAsync(change ?? new EngineSettings(), fields, cancellationToken);

    /// <summary>
    /// Replays the signals stored from <paramref name="from"/> to <paramref name="to"/> of <paramref name="symbols"/> (none:
    /// every symbol) under <paramref name="trial"/>, telling <paramref name="decided"/> each decision as it is made.
    /// </summary>
    public async Task<ReplayResult> ReplayStoredAsync(
        DateTimeOffset from,
        DateTimeOffset to,
        IReadOnlyList<Symbol> symbols,
        EngineSettings trial,
        Func<Decision, CancellationToken, ValueTask> decided,
        CancellationToken cancellationToken)
    {
        var chosen = symbols.Count > 0 ? symbols : await history.ListSymbolsAsync(cancellationToken);
        var run = new ReplayRun(trial, await RecordedAsync(chosen, from, to + RecordedGrace, cancellationToken));
        var signals = InTimeOrderAsync(chosen, from, to, history.ReadSignalsAsync, static s => s.ReceivedAt, cancellationToken);
        return await PlayAsync(run, signals, decided, cancellationToken);
    }

    /// <summary>Replays signals given in arrival order (<see cref="ReplayAlerts"/>), compared with what was recorded for them.</summary>
    public async Task<ReplayResult> ReplayAsync(
        IReadOnlyList<Signal> signalsInArrivalOrder,
        EngineSettings trial,
        Func<Decision, CancellationToken, ValueTask> decided,
        CancellationToken cancellationToken)
    {
        var recorded = signalsInArrivalOrder.Count == 0
            ? new RecordedOutcomes()
            : await RecordedAsync(
                [.. signalsInArrivalOrder.Select(static s => s.Symbol).Distinct()],
                signalsInArrivalOrder[0].ReceivedAt,
                signalsInArrivalOrder[^1].ReceivedAt + RecordedGrace,
                cancellationToken);
        return await PlayAsync(new ReplayRun(trial, recorded), signalsInArrivalOrder.ToAsyncEnumerable(), decided, cancellationToken);
    }

    /// <summary>The track record of the decisions recorded from <paramref name="from"/> to <paramref name="to"/>, of one symbol or all.</summary>
    public async Task<PerformanceReport> PerformanceAsync(DateTimeOffset from, DateTimeOffset to, Symbol? symbol, CancellationToken cancellationToken)
    {
        IReadOnlyList<Symbol> chosen = symbol is { } one ? [one] : await history.ListSymbolsAsync(cancellationToken);
        var tally = new PerformanceTally();
        await foreach (var decision in InTimeOrderAsync(chosen, from, to, history.ReadDecisionsAsync, static d => d.DecidedAt, cancellationToken))
        {
            tally.Add(decision);
        }

        return tally.Report();
    }

    private static async Task<ReplayResult> PlayAsync(
        ReplayRun run, IAsyncEnumerable<Signal> signals, Func<Decision, CancellationToken, ValueTask> decided, CancellationToken cancellationToken)
    {
        var made = new List<Decision>(4);
        await foreach (var signal in signals.WithCancellation(cancellationToken))
        {
            run.Play(signal, made);
            await TellAsync(made, decided, cancellationToken);
        }

        run.Finish(made);
        await TellAsync(made, decided, cancellationToken);
        return run.Result();
    }

    private static async Task TellAsync(List<Decision> made, Func<Decision, CancellationToken, ValueTask> decided, CancellationToken cancellationToken)
    {
        foreach (var decision in made)
        {
            await decided(decision, cancellationToken);
        }

        made.Clear();
    }

    private async Task<RecordedOutcomes> RecordedAsync(IReadOnlyList<Symbol> symbols, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var recorded = new RecordedOutcomes();
        foreach (var symbol in symbols)
        {
            await foreach (var decision in history.ReadDecisionsAsync(symbol, from, to, cancellationToken))
            {
                recorded.Add(decision);
            }
        }

        return recorded;
    }

    /// <summary>Every symbol's records of the range, in time order (of one instant, one symbol's in stored order), a <see cref="Window"/> at a time.</summary>
    private static async IAsyncEnumerable<T> InTimeOrderAsync<T>(
        IReadOnlyList<Symbol> symbols,
        DateTimeOffset from,
        DateTimeOffset to,
        Func<Symbol, DateTimeOffset, DateTimeOffset, CancellationToken, IAsyncEnumerable<T>> read,
        Func<T, DateTimeOffset> timeOf,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var start = from; start < to; start += Window)
        {
            var end = to - start > Window ? start + Window : to;
            var day = new List<T>();
            foreach (var symbol in symbols)
            {
                await foreach (var item in read(symbol, start, end, cancellationToken))
                {
                    day.Add(item);
                }
            }

            // A stable sort: one symbol's records of one instant keep the order they were stored in.
            foreach (var item in day.OrderBy(timeOf))
            {
                yield return item;
            }
        }
    }
}
