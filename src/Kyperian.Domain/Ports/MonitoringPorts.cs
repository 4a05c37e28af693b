using Kyperian.Domain.Activity;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Signals;

namespace Kyperian.Domain.Ports;

/// <summary>What the engine holds for one symbol, read without changing it.</summary>
/// <param name="Symbol">The symbol.</param>
/// <param name="Timeframes">The latest signal on every timeframe the symbol has had one.</param>
/// <param name="LastExecuteAt">The last EXECUTE, while its cooldown may still apply; null otherwise.</param>
public sealed record SymbolState(Symbol Symbol, IReadOnlyList<TimeframeSignal> Timeframes, DateTimeOffset? LastExecuteAt);

/// <summary>The engine's per-symbol state as operators read it: every symbol, or one, with no side effect.</summary>
public interface IMarketView
{
    /// <summary>Every symbol with timeframe state, in symbol order.</summary>
    Task<IReadOnlyList<SymbolState>> ListAsync(CancellationToken cancellationToken);

    /// <returns>Null when the symbol has no state.</returns>
    Task<SymbolState?> GetAsync(Symbol symbol, CancellationToken cancellationToken);
}

/// <summary>
/// A place in the list of decisions, which runs newest first: by <see cref="DecidedAt"/>, then by
/// <see cref="DecisionId"/>, both descending. A cursor names the last decision a page returned.
/// </summary>
public readonly record struct DecisionPosition(DateTimeOffset DecidedAt, string DecisionId)
{
    public static DecisionPosition Of(Decision decision) => new(decision.DecidedAt, decision.DecisionId);

    /// <summary>True when this position comes before <paramref name="other"/> in the list: newer, or as new with the greater id.</summary>
    public bool IsBefore(DecisionPosition other) =>
        DecidedAt > other.DecidedAt || (DecidedAt == other.DecidedAt && string.CompareOrdinal(DecisionId, other.DecisionId) > 0);
}

/// <summary>Which decisions to list: every filter is optional; <see cref="From"/> and <see cref="To"/> are inclusive.</summary>
public sealed record DecisionQuery
{
    public const int MaxLimit = 500;

    public Symbol? Symbol { get; init; }

    public Verdict? Verdict { get; init; }

    /// <summary>Decisions vetoed for this reason (among others).</summary>
    public VetoReason? Reason { get; init; }

    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }

    /// <summary>Continue after this decision (the previous page's <see cref="DecisionPage.Next"/>).</summary>
    public DecisionPosition? After { get; init; }

    /// <summary>1 to <see cref="MaxLimit"/>.</summary>
    public int Limit { get; init; } = 50;

    /// <summary>True when <paramref name="decision"/> passes every filter (the position bounds aside).</summary>
    public bool Matches(Decision decision) =>
        (Symbol is not { } symbol || decision.Symbol == symbol)
        && (Verdict is not { } verdict || decision.Verdict == verdict)
        && (Reason is not { } reason || decision.Reasons.Contains(reason))
        && (From is not { } from || decision.DecidedAt >= from)
        && (To is not { } to || decision.DecidedAt <= to);
}

/// <param name="Decisions">Newest first.</param>
/// <param name="Next">Where the next page starts; null when this page is the last.</param>
public sealed record DecisionPage(IReadOnlyList<Decision> Decisions, DecisionPosition? Next);

/// <summary>
/// A page of decisions as JSON, for answers that pass them on whole: each is the UTF-8 JSON of a <see cref="Decision"/>
/// (camelCase, nulls left out), as a store that keeps decisions as JSON holds it, so that no decision is built to be
/// written straight out again.
/// </summary>
/// <param name="Decisions">Newest first.</param>
/// <param name="Next">Where the next page starts; null when this page is the last.</param>
public sealed record DecisionJsonPage(IReadOnlyList<ReadOnlyMemory<byte>> Decisions, DecisionPosition? Next);

/// <summary>
/// Decisions across symbols, filtered and paged newest first, without reading the whole history: a page costs in
/// proportion to its size (and, with a verdict or reason filter, to the decisions it passes over).
/// </summary>
public interface IDecisionHistory
{
    Task<DecisionPage> QueryAsync(DecisionQuery query, CancellationToken cancellationToken);

    /// <summary>The page <see cref="QueryAsync"/> answers, each decision as its JSON.</summary>
    Task<DecisionJsonPage> QueryJsonAsync(DecisionQuery query, CancellationToken cancellationToken);

    /// <summary>The newest decision of each of <paramref name="symbols"/> that has one.</summary>
    Task<IReadOnlyDictionary<Symbol, Decision>> LatestBySymbolAsync(IReadOnlyCollection<Symbol> symbols, CancellationToken cancellationToken);
}

/// <summary>Hourly counters of what the service did, added to from every process and read back for a range.</summary>
public interface IActivityStats
{
    /// <summary>Adds <paramref name="tally"/> to its hour's counters (a counter that does not exist yet starts at 0).</summary>
    Task AddAsync(ActivityTally tally, CancellationToken cancellationToken);

    /// <summary>The hours from <paramref name="fromHour"/> to <paramref name="toHour"/>, both included, that have counters.</summary>
    Task<IReadOnlyList<ActivityTally>> ReadAsync(DateTimeOffset fromHour, DateTimeOffset toHour, CancellationToken cancellationToken);
}
