namespace Kyperian.Domain.Decisions;

/// <summary>Every number of the decision rules, bound from <c>Kyperian:Engine</c>.</summary>
public sealed class EngineSettings
{
    public const string Section = "Kyperian:Engine";

    /// <summary>A timeframe's latest signal counts while its age is at most this many of its bars.</summary>
    public double StaleBars { get; set; } = 3;

    public int MinConfidence { get; set; } = 60;

    public double MinScore { get; set; } = 0.30;

    /// <summary>A higher timeframe pointing the other way vetoes only when at least this confident.</summary>
    public int HtfConflictMinConfidence { get; set; } = 50;

    public int CooldownSeconds { get; set; } = 60;

    public double MaxDailyLossPct { get; set; } = 5;

    public double MaxTotalLossPct { get; set; } = 10;

    public double RiskPerTradePct { get; set; } = 1.0;

    public double MaxPositionPct { get; set; } = 5.0;

    /// <summary>Optional cap on entries executed per UTC day.</summary>
    public int? MaxEntriesPerDay { get; set; }

    /// <summary>Optional trading window, UTC, as HH:mm; a start after the end spans midnight.</summary>
    public TimeOnly? TradingWindowStartUtc { get; set; }

    public TimeOnly? TradingWindowEndUtc { get; set; }

    /// <summary>Optional weekdays the window applies to; empty means every day.</summary>
    public DayOfWeek[] TradingDays { get; set; } = [];
}
