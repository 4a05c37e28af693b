using Kyperian.Domain.Audit;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Positions;
using Kyperian.Domain.Risk;
using Kyperian.Domain.Signals;

namespace Kyperian.Domain.Ports;

public enum PublishState
{
    Pending,
    Published,
}

/// <summary>Durable signals. Adding is conditional on the id, so a replay is reported and never overwrites.</summary>
public interface ISignalStore
{
    /// <summary>
    /// Stores a signal with the alert's body as sent (<c>rawAlert</c>), kept beside it until its decision is delivered
    /// (so a destination can forward the trader's own message to their bridge), then dropped. The body is never part
    /// of <see cref="Signal"/>: no read returns it but <see cref="GetRawAlertAsync"/>.
    /// </summary>
    /// <returns>False when a signal with this id is already stored.</returns>
    Task<bool> TryAddAsync(Signal signal, PublishState state, string? rawAlert, CancellationToken cancellationToken);

    Task<bool> TryAddAsync(Signal signal, PublishState state, CancellationToken cancellationToken) =>
        TryAddAsync(signal, state, rawAlert: null, cancellationToken);

    /// <summary>The body the signal's alert was sent with, while it is kept; null once dropped or when none was kept.</summary>
    Task<string?> GetRawAlertAsync(string signalId, CancellationToken cancellationToken);

    /// <summary>Forgets the alert's body once its decision is delivered.</summary>
    Task DropRawAlertAsync(string signalId, CancellationToken cancellationToken);

    Task<Signal?> GetAsync(string signalId, CancellationToken cancellationToken);

    /// <summary>Newest first.</summary>
    Task<IReadOnlyList<Signal>> ListBySymbolAsync(Symbol symbol, int limit, CancellationToken cancellationToken);

    Task MarkPublishedAsync(string signalId, CancellationToken cancellationToken);

    /// <summary>Signals still waiting for the bus that arrived before <paramref name="receivedBefore"/>, oldest first.</summary>
    Task<IReadOnlyList<Signal>> ListPendingAsync(DateTimeOffset receivedBefore, int limit, CancellationToken cancellationToken);
}

public interface IDecisionStore
{
    /// <returns>False when a decision with this id is already stored: processing a signal twice records it once.</returns>
    Task<bool> TryAddAsync(Decision decision, CancellationToken cancellationToken);

    Task<Decision?> GetAsync(string decisionId, CancellationToken cancellationToken);

    /// <summary>Newest first.</summary>
    Task<IReadOnlyList<Decision>> ListBySymbolAsync(Symbol symbol, int limit, CancellationToken cancellationToken);
}

/// <summary>Realised P&amp;L, entries per day and the kill switch, kept beside the decisions.</summary>
public interface IRiskLedger
{
    Task<RiskState> GetAsync(DateOnly day, CancellationToken cancellationToken);

    Task<RiskState> RecordPnlAsync(double pnlPct, DateOnly day, CancellationToken cancellationToken);

    Task RecordEntryAsync(DateOnly day, CancellationToken cancellationToken);

    Task<RiskState> SetHaltedAsync(bool halted, string? reason, DateOnly day, CancellationToken cancellationToken);
}

/// <summary>Where validated signals go to be decided on, and where decisions are announced.</summary>
public interface IEventBus
{
    /// <summary>Throws when the bus did not take the signal.</summary>
    Task PublishSignalAsync(Signal signal, CancellationToken cancellationToken);

    Task PublishDecisionAsync(Decision decision, CancellationToken cancellationToken);
}

/// <summary>Recognises replays: the first claim of an id within its window wins.</summary>
public interface IDedupeStore
{
    /// <returns>True when this call claimed the id; false when it was claimed within <paramref name="window"/>.</returns>
    Task<bool> TryClaimAsync(string signalId, TimeSpan window, CancellationToken cancellationToken);

    Task<bool> IsClaimedAsync(string signalId, CancellationToken cancellationToken);

    /// <summary>Gives a claim back, when the signal was not taken after all and its resend must be welcome.</summary>
    Task ReleaseAsync(string signalId, CancellationToken cancellationToken);
}

/// <summary>The engine's view of each symbol: the latest signal per timeframe, and the last execution.</summary>
public interface IMarketState
{
    /// <summary>
    /// Records <paramref name="signal"/> as its timeframe's latest unless a newer one is there, atomically, and
    /// returns the latest of every timeframe of the symbol.
    /// </summary>
    Task<IReadOnlyList<TimeframeSignal>> RecordAsync(Signal signal, CancellationToken cancellationToken);

    /// <summary>The latest signal of every timeframe of the symbol, without recording anything: its active timeframes.</summary>
    Task<IReadOnlyList<TimeframeSignal>> ReadAsync(Symbol symbol, CancellationToken cancellationToken);

    Task<DateTimeOffset?> GetLastExecuteAsync(Symbol symbol, CancellationToken cancellationToken);

    Task SetLastExecuteAsync(Symbol symbol, DateTimeOffset at, TimeSpan cooldown, CancellationToken cancellationToken);
}

/// <summary>Each symbol's model position and the trades that closed, moved only by executed decisions.</summary>
public interface IPositionBook
{
    /// <returns>The symbol's position; flat (with no last decision) for a symbol never traded.</returns>
    Task<Position> GetAsync(Symbol symbol, CancellationToken cancellationToken);

    /// <summary>Every position that is not flat.</summary>
    Task<IReadOnlyList<Position>> ListOpenAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Moves the position and records the trade it closed, atomically, only while the book still holds
    /// <see cref="PositionChange.Before"/> (see <see cref="PositionChange.AppliedTo"/>).
    /// </summary>
    Task<PositionMoveOutcome> ApplyAsync(PositionChange change, CancellationToken cancellationToken);

    /// <summary>Newest first.</summary>
    Task<IReadOnlyList<ClosedTrade>> ListClosedTradesAsync(Symbol symbol, int limit, CancellationToken cancellationToken);
}

/// <summary>The engine settings changed at run time, versioned; the configured ones are version 0 and are not stored.</summary>
public interface IEngineSettingsStore
{
    /// <returns>The latest stored version, or null when the settings were never changed at run time.</returns>
    Task<StoredEngineSettings?> GetLatestAsync(CancellationToken cancellationToken);

    /// <returns>False when <paramref name="settings"/>' version is already taken: someone changed them in between.</returns>
    Task<bool> TryAddAsync(StoredEngineSettings settings, CancellationToken cancellationToken);
}

/// <summary>Every halt, resume, P&amp;L report and settings change, in order.</summary>
public interface IAuditLog
{
    Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken);

    /// <summary>Newest first.</summary>
    Task<IReadOnlyList<AuditEntry>> ListAsync(int limit, CancellationToken cancellationToken);
}

/// <summary>Warnings, breaches, halts and resumes, for the trader (and for notifications to send).</summary>
public interface IRiskEventLog
{
    /// <returns>False when an event with this id is already recorded (a day's warning or breach happens once).</returns>
    Task<bool> TryAddAsync(RiskEvent riskEvent, CancellationToken cancellationToken);

    /// <summary>Newest first.</summary>
    Task<IReadOnlyList<RiskEvent>> ListAsync(int limit, CancellationToken cancellationToken);
}

/// <summary>
/// The stored history, read in time order for replays and performance reports; nothing is written through it. Read
/// one symbol at a time, a page at a time, so a range of any length streams (on DynamoDB: queries of the
/// <c>bySymbol</c> indexes, never a table scan).
/// </summary>
public interface IStoredHistory
{
    /// <summary>Every symbol the engine has decided on, in ordinal order.</summary>
    Task<IReadOnlyList<Symbol>> ListSymbolsAsync(CancellationToken cancellationToken);

    /// <summary>A symbol's signals received from <paramref name="from"/> up to, not including, <paramref name="to"/>: oldest first.</summary>
    IAsyncEnumerable<Signal> ReadSignalsAsync(Symbol symbol, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>A symbol's decisions made from <paramref name="from"/> up to, not including, <paramref name="to"/>: oldest first.</summary>
    IAsyncEnumerable<Decision> ReadDecisionsAsync(Symbol symbol, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);
}
