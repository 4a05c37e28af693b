using Kyperian.Domain.Positions;
using Kyperian.Domain.Risk;
using Kyperian.Domain.Signals;

namespace Kyperian.Domain.Decisions;

/// <summary>
/// One step of the engine, as the live processor and a replay both take it: a burst (or a lone signal) weighed against
/// the symbol's timeframe state, model position and last execution and the account's risk ledger, at the clock's now;
/// and what the decision then changes: the position, the symbol's cooldown, the day's entries and, when P&amp;L comes
/// from the model, the ledger. Where that state is kept (the stores, or memory) is the caller's business; which
/// changes follow from a decision is decided here, once.
/// </summary>
public sealed record EngineStep
{
    public required Decision Decision { get; init; }

    /// <summary>The trading day the decision falls in.</summary>
    public required DateOnly Day { get; init; }

    /// <summary>The ledger as of <see cref="Day"/>, before the decision changed it: what the decision weighed.</summary>
    public required RiskState RiskBefore { get; init; }

    /// <summary>What the turn of the day did to the stored ledger (a breached day lifted), whatever the decision.</summary>
    public required IReadOnlyList<RiskEvent> DayEvents { get; init; }

    /// <summary>How long the symbol's cooldown runs from <see cref="Decision.DecidedAt"/>; null when nothing executed.</summary>
    public TimeSpan? Cooldown { get; init; }

    /// <summary>The closed trade's account P&amp;L for the ledger: only with <c>PnlSource = Model</c> and a priced trade.</summary>
    public double? ModelPnlPct { get; init; }

    public bool Executed => Decision.Verdict == Verdict.Execute;

    /// <summary>Opens a position (an entry or a reversal), so the day counts one more entry.</summary>
    public bool CountsAsEntry => Executed && Decision.IsEntry;

    /// <summary>The ledger once the decision's entry and model P&amp;L are in it.</summary>
    public RiskState RiskAfter
    {
        get
        {
            var risk = CountsAsEntry ? RiskBefore.WithEntry(Day) : RiskBefore;
            return ModelPnlPct is { } pnl ? risk.WithPnl(pnl, Day) : risk;
        }
    }

    /// <param name="settings">The settings in force.</param>
    /// <param name="time">The clock: the decision is made at its now.</param>
    /// <param name="members">The burst's signals (one for a lone signal), already recorded in <paramref name="timeframes"/>.</param>
    /// <param name="timeframes">The latest signal of the symbol on every timeframe, every member included.</param>
    /// <param name="storedRisk">The ledger as stored, of whatever day it was last changed on.</param>
    /// <param name="lastExecuteAt">The symbol's last execution, for the cooldown.</param>
    /// <param name="position">The symbol's model position before the decision.</param>
    public static EngineStep Take(
        EngineSettings settings,
        TimeProvider time,
        IReadOnlyList<Signal> members,
        IReadOnlyList<TimeframeSignal> timeframes,
        RiskState storedRisk,
        DateTimeOffset? lastExecuteAt,
        Position position)
    {
        var now = time.GetUtcNow();
        var day = settings.TradingDayOf(now);

        // A breached day that has turned since the ledger was last changed is a resume worth telling.
        var riskToday = storedRisk.On(day);
        var decision = new DecisionEngine(settings, time).Decide(DecisionInput.ForBurst(members, timeframes, riskToday, lastExecuteAt, position));
        var executed = decision.Verdict == Verdict.Execute;
        return new EngineStep
        {
            Decision = decision,
            Day = day,
            RiskBefore = riskToday,
            DayEvents = RiskEvents.Between(storedRisk, riskToday, settings.RiskLimits, now),
            Cooldown = executed ? TimeSpan.FromSeconds(settings.CooldownSeconds) : null,

            // A trade without a known price has no known P&L: the model cannot report what it does not know.
            ModelPnlPct = executed && settings.PnlSource == PnlSource.Model ? decision.ClosedTrade?.AccountPnlPct : null,
        };
    }
}
