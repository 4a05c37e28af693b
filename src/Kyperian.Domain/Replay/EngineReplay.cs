using Kyperian.Domain.Decisions;
using Kyperian.Domain.Positions;
using Kyperian.Domain.Risk;
using Kyperian.Domain.Signals;

namespace Kyperian.Domain.Replay;

/// <summary>
/// What the engine would have decided: signals played one after another on a virtual clock, each at the moment it
/// arrived, through the steps the live engine takes. A signal sent at a bar close waits for the symbol's other
/// timeframes closing then, until the burst is complete or its settle window lapses (<see cref="BurstPlan"/>,
/// <see cref="PendingBurst"/>); each burst is recorded in the timeframe state in arrival order, decided by the one
/// decision function, and its position move, cooldown, entry count and model P&amp;L follow as
/// <see cref="EngineStep"/> says. The state is kept in memory only: nothing is stored, published or counted.
/// </summary>
/// <remarks>
/// A replay starts from nothing: every symbol flat, no timeframe state, no cooldown, a clean risk ledger (no reported
/// P&amp;L, no halt). P&amp;L reaches its ledger only from closed model trades, with <c>PnlSource = Model</c>.
/// </remarks>
public sealed class EngineReplay
{
    private readonly EngineSettings _settings;
    private readonly VirtualClock _clock = new();
    private readonly Dictionary<Symbol, SymbolBook> _books = [];

    // Open bursts by deadline, first opened first among equal deadlines, so a replay always decides in one order.
    private readonly PriorityQueue<Symbol, (DateTimeOffset Deadline, long Opened)> _deadlines = new();
    private long _opened;
    private RiskState _risk = RiskState.Empty;

    public EngineReplay(EngineSettings settings)
    {
        _settings = settings.Copy();
    }

    public EngineSettings Settings => _settings;

    /// <summary>The virtual clock: the arrival of the last signal played, or the last burst decided.</summary>
    public DateTimeOffset Now => _clock.GetUtcNow();

    /// <summary>The replay's own risk ledger.</summary>
    public RiskState Risk => _risk;

    public int SignalsPlayed { get; private set; }

    public int DecisionsMade { get; private set; }

    /// <summary>The symbol's model position in the replay.</summary>
    public Position PositionOf(Symbol symbol) => _books.TryGetValue(symbol, out var book) ? book.Position : Position.FlatOf(symbol);

    /// <summary>Plays signals already in arrival order, yielding each decision as it is made, the open bursts' last.</summary>
    public static IEnumerable<Decision> Run(EngineSettings settings, IEnumerable<Signal> signalsInArrivalOrder)
    {
        var replay = new EngineReplay(settings);
        var decided = new List<Decision>(4);
        foreach (var signal in signalsInArrivalOrder)
        {
            replay.Play(signal, decided);
            foreach (var decision in decided)
            {
                yield return decision;
            }

            decided.Clear();
        }

        replay.Finish(decided);
        foreach (var decision in decided)
        {
            yield return decision;
        }
    }

    /// <summary>Signals in the order a replay plays them: by arrival, signals of one moment as they were given.</summary>
    public static IEnumerable<Signal> InArrivalOrder(IEnumerable<Signal> signals) => signals.OrderBy(static s => s.ReceivedAt);

    /// <summary>
    /// Plays <paramref name="signal"/> at its arrival (<see cref="Signal.ReceivedAt"/>): first every burst whose settle
    /// window lapsed by then is decided, then the signal is decided at once, joins its symbol's open burst, or opens one.
    /// </summary>
    /// <param name="signal">The next signal; none may have arrived before the one played last.</param>
    /// <param name="decided">Receives the decisions made, in the order they were made.</param>
    public void Play(Signal signal, ICollection<Decision> decided)
    {
        if (signal.ReceivedAt < _clock.GetUtcNow())
        {
            throw new ArgumentException(
                $"Signals are played in the order they arrived: {signal.SignalId} arrived at {signal.ReceivedAt:O}, before the replay's clock ({_clock.GetUtcNow():O}).",
                nameof(signal));
        }

        LapseUntil(signal.ReceivedAt, decided);
        _clock.MoveTo(signal.ReceivedAt);
        SignalsPlayed++;

        var book = BookOf(signal.Symbol);

        // The live engine plans against the state before the signal: a burst's members are recorded only when it is decided.
        var plan = _settings.SettleMilliseconds <= 0
            ? new BurstPlan(null, [])
            : BurstPlan.For(signal, book.Timeframes.Values, _settings.BarCloseTolerance);
        if (book.Open is { } open)
        {
            // While a burst is open every signal of its symbol joins it, so none is decided ahead of an earlier one.
            open.Add(signal, plan);
            if (open.IsComplete)
            {
                book.Open = null;
                decided.Add(Decide(book, open.Members));
            }
        }
        else if (plan.DecideAtOnce)
        {
            decided.Add(Decide(book, [signal]));
        }
        else
        {
            book.Open = PendingBurst.Open(signal, plan, signal.ReceivedAt, _settings.Settle);
            _deadlines.Enqueue(signal.Symbol, (book.Open.Deadline, _opened++));
        }
    }

    /// <summary>Decides every burst still open, each when its settle window lapses: the end of the replay.</summary>
    public void Finish(ICollection<Decision> decided) => LapseUntil(DateTimeOffset.MaxValue, decided);

    private void LapseUntil(DateTimeOffset until, ICollection<Decision> decided)
    {
        while (_deadlines.TryPeek(out var symbol, out var due) && due.Deadline <= until)
        {
            _deadlines.Dequeue();
            var book = _books[symbol];

            // A burst decided when complete leaves its deadline behind; a later burst of the symbol has one of its own.
            if (book.Open is { } open && open.Deadline == due.Deadline)
            {
                book.Open = null;
                _clock.MoveTo(due.Deadline);
                decided.Add(Decide(book, open.Members));
            }
        }
    }

    private Decision Decide(SymbolBook book, IReadOnlyList<Signal> members)
    {
        foreach (var member in members.OrderBy(static m => m.ReceivedAt))
        {
            var latest = TimeframeSignal.From(member);
            if (latest.Supersedes(book.Timeframes.GetValueOrDefault(member.Timeframe)))
            {
                book.Timeframes[member.Timeframe] = latest;
            }
        }

        var step = EngineStep.Take(_settings, _clock, members, [.. book.Timeframes.Values], _risk, book.LastExecuteAt, book.Position);
        var decision = step.Decision;
        if (step.Executed)
        {
            book.Position = decision.PositionAfter ?? book.Position;
            book.LastExecuteAt = decision.DecidedAt;
            _risk = step.RiskAfter;
        }

        DecisionsMade++;
        return decision;
    }

    private SymbolBook BookOf(Symbol symbol)
    {
        if (!_books.TryGetValue(symbol, out var book))
        {
            book = new SymbolBook(symbol);
            _books[symbol] = book;
        }

        return book;
    }

    /// <summary>What the live engine keeps of one symbol in its stores: timeframe state, cooldown, position, open burst.</summary>
    private sealed class SymbolBook(Symbol symbol)
    {
        public Dictionary<Timeframe, TimeframeSignal> Timeframes { get; } = new(8);

        public DateTimeOffset? LastExecuteAt { get; set; }

        public Position Position { get; set; } = Position.FlatOf(symbol);

        public PendingBurst? Open { get; set; }
    }

    /// <summary>The replay's clock: stands still until the replay moves it; it never sets off a timer.</summary>
    private sealed class VirtualClock : TimeProvider
    {
        private DateTimeOffset _now = DateTimeOffset.MinValue;

        public override DateTimeOffset GetUtcNow() => _now;

        public void MoveTo(DateTimeOffset at) => _now = at;
    }
}
