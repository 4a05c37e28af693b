namespace Kyperian.Domain.Risk;

/// <summary>
/// The account-level facts the engine weighs before an entry. P&amp;L is in % of equity, as reported by the
/// operator through <c>POST /risk/pnl</c>.
/// </summary>
public sealed record RiskState
{
    public static readonly RiskState Empty = new();

    /// <summary>Net realised P&amp;L today (UTC), % of equity; negative is a loss.</summary>
    public double RealizedPnlTodayPct { get; init; }

    /// <summary>Sum of all realised P&amp;L, % of equity.</summary>
    public double CumulativePnlPct { get; init; }

    /// <summary>Highest cumulative P&amp;L seen; drawdown is measured from here.</summary>
    public double PeakPnlPct { get; init; }

    public double DrawdownPct => Math.Max(0, PeakPnlPct - CumulativePnlPct);

    public double DailyLossPct => Math.Max(0, -RealizedPnlTodayPct);

    public bool Halted { get; init; }

    public string? HaltReason { get; init; }

    public int EntriesToday { get; init; }

    /// <summary>The UTC day the daily figures belong to.</summary>
    public DateOnly Day { get; init; }

    /// <summary>
    /// The state as of <paramref name="day"/>: daily figures reset when the day has turned. A day earlier than the
    /// ledger's never resets it, so a late report cannot wipe today's loss.
    /// </summary>
    public RiskState On(DateOnly day) =>
        day <= Day ? this : this with { Day = day, RealizedPnlTodayPct = 0, EntriesToday = 0 };

    public RiskState WithPnl(double pnlPct, DateOnly day)
    {
        var today = On(day);
        var cumulative = today.CumulativePnlPct + pnlPct;
        return today with
        {
            RealizedPnlTodayPct = today.RealizedPnlTodayPct + pnlPct,
            CumulativePnlPct = cumulative,
            PeakPnlPct = Math.Max(today.PeakPnlPct, cumulative),
        };
    }

    public RiskState WithEntry(DateOnly day)
    {
        var today = On(day);
        return today with { EntriesToday = today.EntriesToday + 1 };
    }

    public static DateOnly DayOf(DateTimeOffset time) => DateOnly.FromDateTime(time.UtcDateTime);
}
