using System.Text.Json.Serialization;

namespace Kyperian.Domain.Risk;

/// <summary>What the total loss limit is measured from.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TotalLossBasis>))]
public enum TotalLossBasis
{
    /// <summary>From the initial balance, as prop firms (FTMO-style maximum loss) measure it.</summary>
    Initial,

    /// <summary>From the highest equity reached: a trailing drawdown.</summary>
    Peak,
}

/// <summary>Where realised P&amp;L comes from.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PnlSource>))]
public enum PnlSource
{
    /// <summary>The operator reports it (<c>POST /risk/pnl</c>).</summary>
    Reported,

    /// <summary>Every closed model trade adds its <see cref="Positions.ClosedTrade.AccountPnlPct"/>.</summary>
    Model,
}

/// <summary>
/// The account-level facts the engine weighs before an entry. P&amp;L is in % of the initial balance (the unit
/// prop firms state their limits in), so reports add up and the day's loss is measured from the day's start.
/// </summary>
public sealed record RiskState
{
    public static readonly RiskState Empty = new();

    /// <summary>Net realised P&amp;L this trading day, % of the initial balance; negative is a loss.</summary>
    public double RealizedPnlTodayPct { get; init; }

    /// <summary>
    /// The lowest <see cref="RealizedPnlTodayPct"/> reached this trading day (never above 0). A daily limit is
    /// breached by the worst point of the day, so later profit the same day does not lift it.
    /// </summary>
    public double WorstPnlTodayPct { get; init; }

    /// <summary>Sum of all realised P&amp;L, % of the initial balance.</summary>
    public double CumulativePnlPct { get; init; }

    /// <summary>Highest cumulative P&amp;L seen; the trailing drawdown is measured from here.</summary>
    public double PeakPnlPct { get; init; }

    /// <summary>Below the highest equity reached.</summary>
    public double DrawdownPct => Math.Max(0, PeakPnlPct - CumulativePnlPct);

    /// <summary>Below the initial balance.</summary>
    public double LossFromInitialPct => Math.Max(0, -CumulativePnlPct);

    /// <summary>Below the day's starting equity, now.</summary>
    public double DailyLossPct => Math.Max(0, -RealizedPnlTodayPct);

    /// <summary>Below the day's starting equity at the worst point of the day.</summary>
    public double WorstDailyLossPct => Math.Max(0, -Math.Min(WorstPnlTodayPct, RealizedPnlTodayPct));

    public bool Halted { get; init; }

    public string? HaltReason { get; init; }

    public int EntriesToday { get; init; }

    /// <summary>The trading day the daily figures belong to (see <see cref="TradingDay"/>).</summary>
    public DateOnly Day { get; init; }

    public double TotalLossPct(TotalLossBasis basis) => basis == TotalLossBasis.Peak ? DrawdownPct : LossFromInitialPct;

    /// <summary>True once the day's loss has reached <paramref name="maxDailyLossPct"/> at any point of the day.</summary>
    public bool DailyLimitReached(double maxDailyLossPct) => WorstDailyLossPct >= maxDailyLossPct;

    /// <summary>
    /// The state as of <paramref name="day"/>: daily figures reset when the day has turned. A day earlier than the
    /// ledger's never resets it, so a late report cannot wipe today's loss.
    /// </summary>
    public RiskState On(DateOnly day) =>
        day <= Day ? this : this with { Day = day, RealizedPnlTodayPct = 0, WorstPnlTodayPct = 0, EntriesToday = 0 };

    public RiskState WithPnl(double pnlPct, DateOnly day)
    {
        var today = On(day);
        var cumulative = today.CumulativePnlPct + pnlPct;
        var realizedToday = today.RealizedPnlTodayPct + pnlPct;
        return today with
        {
            RealizedPnlTodayPct = realizedToday,
            WorstPnlTodayPct = Math.Min(Math.Min(today.WorstPnlTodayPct, today.RealizedPnlTodayPct), realizedToday),
            CumulativePnlPct = cumulative,
            PeakPnlPct = Math.Max(today.PeakPnlPct, cumulative),
        };
    }

    public RiskState WithEntry(DateOnly day)
    {
        var today = On(day);
        return today with { EntriesToday = today.EntriesToday + 1 };
    }

    public RiskState WithHalt(bool halted, string? reason, DateOnly day) =>
        On(day) with { Halted = halted, HaltReason = halted ? reason : null };

    /// <summary>The UTC calendar day: the trading day when it starts at 00:00 UTC.</summary>
    public static DateOnly DayOf(DateTimeOffset time) => DateOnly.FromDateTime(time.UtcDateTime);
}
