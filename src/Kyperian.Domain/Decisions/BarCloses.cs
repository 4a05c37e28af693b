using Kyperian.Domain.Signals;

namespace Kyperian.Domain.Decisions;

/// <summary>
/// When bars close, on a 24-hour UTC chart (crypto; see the README for session-based markets): bars shorter than a
/// day are counted from 00:00 UTC each day (the day's last bar is cut short when the timeframe does not divide the
/// day), bars of whole days from the Unix epoch, weeks from Monday 00:00 UTC, months from the first of the month.
/// </summary>
public static class BarCloses
{
    private const long Day = 86_400;
    private const long Week = 7 * Day;
    private const long Month = 30 * Day;

    /// <summary>1970-01-05, the first Monday after the epoch: weekly bars start on Mondays.</summary>
    private const long FirstMonday = 4 * Day;

    /// <summary>True when a bar of <paramref name="timeframe"/> closes exactly at <paramref name="moment"/>.</summary>
    public static bool ClosesAt(this Timeframe timeframe, DateTimeOffset moment)
    {
        var (previous, _) = Around(timeframe, moment);
        return previous == moment;
    }

    /// <summary>The close of a <paramref name="timeframe"/> bar within <paramref name="tolerance"/> of <paramref name="at"/>, the nearer one; null when none is that close.</summary>
    public static DateTimeOffset? CloseNear(Timeframe timeframe, DateTimeOffset at, TimeSpan tolerance)
    {
        var (previous, next) = Around(timeframe, at);
        var sincePrevious = at - previous;
        var untilNext = next - at;
        if (sincePrevious <= untilNext)
        {
            return sincePrevious <= tolerance ? previous : null;
        }

        return untilNext <= tolerance ? next : null;
    }

    /// <summary>
    /// The bar close the signal was sent at, judged by its own time (else its receipt) within the tolerance, and never
    /// more than a tenth of its bar (a 30-second bar's close is not its whole first third); null for an alert sent
    /// inside a bar.
    /// </summary>
    public static DateTimeOffset? CloseOf(Signal signal, TimeSpan tolerance) =>
        CloseNear(signal.Timeframe, signal.ObservedAt, ToleranceFor(signal.Timeframe, tolerance));

    /// <summary>The tolerance, at most a tenth of the bar.</summary>
    public static TimeSpan ToleranceFor(Timeframe timeframe, TimeSpan tolerance) =>
        tolerance < timeframe.Duration / 10 ? tolerance : timeframe.Duration / 10;

    /// <summary>The last close at or before <paramref name="at"/> and the first after it.</summary>
    private static (DateTimeOffset Previous, DateTimeOffset Next) Around(Timeframe timeframe, DateTimeOffset at)
    {
        long seconds = timeframe.Seconds;
        var t = FloorDiv(at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks, TimeSpan.TicksPerSecond);
        long previous, next;
        if (seconds % Month == 0)
        {
            var months = (int)(seconds / Month);
            var utc = at.UtcDateTime;
            var index = (utc.Year * 12) + utc.Month - 1;
            var start = index - Mod(index, months);
            var previousMonth = new DateTimeOffset(start / 12, (start % 12) + 1, 1, 0, 0, 0, TimeSpan.Zero);
            return (previousMonth, previousMonth.AddMonths(months));
        }

        if (seconds % Week == 0)
        {
            previous = FirstMonday + (FloorDiv(t - FirstMonday, seconds) * seconds);
            next = previous + seconds;
        }
        else if (seconds % Day == 0)
        {
            previous = FloorDiv(t, seconds) * seconds;
            next = previous + seconds;
        }
        else
        {
            var dayStart = FloorDiv(t, Day) * Day;
            previous = dayStart + ((t - dayStart) / seconds * seconds);
            next = Math.Min(previous + seconds, dayStart + Day);
        }

        return (DateTimeOffset.FromUnixTimeSeconds(previous), DateTimeOffset.FromUnixTimeSeconds(next));
    }

    private static long FloorDiv(long a, long b) => (a / b) - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0);

    private static int Mod(int a, int b) => ((a % b) + b) % b;
}

/// <summary>
/// What to do with a new signal: decide it at once, or wait (up to the settle window) for the other timeframes
/// whose bars close at the same moment, so that they are decided together.
/// </summary>
/// <param name="CloseAt">The bar close the signal was sent at; null for an alert sent inside a bar.</param>
/// <param name="Awaited">The symbol's other active timeframes that close at that moment and have not sent for it yet.</param>
public sealed record BurstPlan(DateTimeOffset? CloseAt, IReadOnlyList<Timeframe> Awaited)
{
    public bool DecideAtOnce => Awaited.Count == 0;

    /// <param name="signal">The new signal.</param>
    /// <param name="state">The symbol's timeframe state before <paramref name="signal"/>: its timeframes are the active ones.</param>
    /// <param name="tolerance">How far from a close a signal still counts as sent at it.</param>
    public static BurstPlan For(Signal signal, IEnumerable<TimeframeSignal> state, TimeSpan tolerance)
    {
        if (BarCloses.CloseOf(signal, tolerance) is not { } closeAt)
        {
            return new BurstPlan(null, []);
        }

        var awaited = new List<Timeframe>();
        foreach (var latest in state)
        {
            var timeframe = latest.Timeframe;
            var alreadyHere = (latest.ObservedAt - closeAt).Duration() <= BarCloses.ToleranceFor(timeframe, tolerance);
            if (timeframe != signal.Timeframe && !alreadyHere && timeframe.ClosesAt(closeAt) && !awaited.Contains(timeframe))
            {
                awaited.Add(timeframe);
            }
        }

        awaited.Sort();
        return new BurstPlan(closeAt, awaited);
    }
}

/// <summary>
/// Signals of one symbol collected while their bar-close burst settles, in arrival order. Not thread-safe: its
/// owner (one per symbol) serialises access. Every signal of the symbol that arrives while the burst is open joins
/// it, so none is decided ahead of one that arrived before it.
/// </summary>
public sealed class PendingBurst
{
    private readonly List<Signal> _members = new(4);
    private readonly List<Timeframe> _awaited = new(4);

    private PendingBurst(Symbol symbol, DateTimeOffset? closeAt, DateTimeOffset deadline)
    {
        Symbol = symbol;
        CloseAt = closeAt;
        Deadline = deadline;
    }

    public Symbol Symbol { get; }

    /// <summary>The bar close the burst is about.</summary>
    public DateTimeOffset? CloseAt { get; }

    /// <summary>When it is decided with whatever arrived, if it is not complete before.</summary>
    public DateTimeOffset Deadline { get; }

    public IReadOnlyList<Signal> Members => _members;

    /// <summary>Timeframes expected at this close that have not arrived yet.</summary>
    public IReadOnlyList<Timeframe> StillAwaited => _awaited;

    public bool IsComplete => _awaited.Count == 0;

    public static PendingBurst Open(Signal first, BurstPlan plan, DateTimeOffset now, TimeSpan settle)
    {
        var burst = new PendingBurst(first.Symbol, plan.CloseAt, now + settle);
        burst.Add(first, plan);
        return burst;
    }

    public void Add(Signal signal, BurstPlan plan)
    {
        if (signal.Symbol != Symbol)
        {
            throw new ArgumentException("A burst holds signals of one symbol.", nameof(signal));
        }

        _members.Add(signal);
        if (plan.CloseAt is { } closeAt && closeAt == CloseAt)
        {
            foreach (var timeframe in plan.Awaited)
            {
                if (!_awaited.Contains(timeframe) && !_members.Exists(m => m.Timeframe == timeframe))
                {
                    _awaited.Add(timeframe);
                }
            }
        }

        _awaited.Remove(signal.Timeframe);
    }
}
