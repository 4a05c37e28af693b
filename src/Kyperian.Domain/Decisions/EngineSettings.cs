using System.Text.Json.Serialization;
using Kyperian.Domain.Risk;

namespace Kyperian.Domain.Decisions;

/// <summary>Every number of the decision rules, bound from <c>Kyperian:Engine</c> and changeable at run time.</summary>
public sealed class EngineSettings
{
    public const string Section = "Kyperian:Engine";

    /// <summary>0 for the configured settings; each change made at run time gets the next number.</summary>
    public long Version { get; set; }

    /// <summary>A timeframe's latest signal counts while its age is at most this many of its bars.</summary>
    public double StaleBars { get; set; } = 3;

    public int MinConfidence { get; set; } = 60;

    /// <summary>The confidence of an alert that sent none.</summary>
    public int DefaultConfidence { get; set; } = 70;

    public double MinScore { get; set; } = 0.30;

    /// <summary>Live timeframes that must agree with an entry, its own included.</summary>
    public int MinLiveTimeframes { get; set; } = 2;

    /// <summary>An entry needs at least one live timeframe above its own that agrees.</summary>
    public bool RequireHigherTimeframe { get; set; } = true;

    /// <summary>A higher timeframe pointing the other way vetoes only when at least this confident.</summary>
    public int HtfConflictMinConfidence { get; set; } = 50;

    public int CooldownSeconds { get; set; } = 60;

    /// <summary>
    /// How long alerts of one symbol whose bars close at the same moment are awaited so that they are decided
    /// together; 0 decides every alert at once.
    /// </summary>
    public int SettleMilliseconds { get; set; } = 2000;

    /// <summary>An alert sent this close to one of its bar's closing moments (by its <c>time</c>, else its receipt) was sent at that close.</summary>
    public int BarCloseToleranceSeconds { get; set; } = 10;

    /// <summary>The day's loss, % of the initial balance from the day's starting equity, at which entries stop for the rest of the trading day.</summary>
    public double MaxDailyLossPct { get; set; } = 5;

    public double WarnDailyLossPct { get; set; } = 4;

    /// <summary>The total loss, % of the initial balance, measured as <see cref="TotalLossBasis"/> says, at which entries stop.</summary>
    public double MaxTotalLossPct { get; set; } = 10;

    public double WarnTotalLossPct { get; set; } = 8;

    public TotalLossBasis TotalLossBasis { get; set; } = TotalLossBasis.Initial;

    /// <summary>When the trading day (daily loss, entries per day) starts, UTC.</summary>
    public TimeOnly RiskDayStartUtc { get; set; } = TimeOnly.MinValue;

    public PnlSource PnlSource { get; set; } = PnlSource.Reported;

    public double RiskPerTradePct { get; set; } = 1.0;

    public double MaxPositionPct { get; set; } = 5.0;

    /// <summary>Optional cap on entries executed per trading day.</summary>
    public int? MaxEntriesPerDay { get; set; }

    /// <summary>Optional trading window, UTC, as HH:mm; a start after the end spans midnight.</summary>
    public TimeOnly? TradingWindowStartUtc { get; set; }

    public TimeOnly? TradingWindowEndUtc { get; set; }

    /// <summary>Optional weekdays the window applies to; empty means every day.</summary>
    public DayOfWeek[] TradingDays { get; set; } = [];

    [JsonIgnore]
    public RiskLimits RiskLimits => new(MaxDailyLossPct, MaxTotalLossPct, WarnDailyLossPct, WarnTotalLossPct, TotalLossBasis);

    [JsonIgnore]
    public TimeSpan Settle => TimeSpan.FromMilliseconds(SettleMilliseconds);

    [JsonIgnore]
    public TimeSpan BarCloseTolerance => TimeSpan.FromSeconds(BarCloseToleranceSeconds);

    /// <summary>The trading day <paramref name="at"/> falls in.</summary>
    public DateOnly TradingDayOf(DateTimeOffset at) => TradingDay.Of(at, RiskDayStartUtc);

    /// <summary>An independent copy: a decision made with it is not changed by a later edit of this one.</summary>
    public EngineSettings Copy()
    {
        var copy = (EngineSettings)MemberwiseClone();
        copy.TradingDays = [.. TradingDays];
        return copy;
    }

    /// <summary>Every bad value, named by its JSON field and why; empty when the settings are usable.</summary>
    public IReadOnlyList<SettingError> Validate()
    {
        var errors = new List<SettingError>();
        void Check(bool ok, string field, string problem)
        {
            if (!ok)
            {
                errors.Add(new SettingError(field, problem));
            }
        }

        Check(Version >= 0, "version", "must be 0 or more");
        Check(Finite(StaleBars) && StaleBars > 0 && StaleBars <= 1000, "staleBars", "must be more than 0 and at most 1000");
        Check(MinConfidence is >= 0 and <= 100, "minConfidence", "must be 0 to 100");
        Check(DefaultConfidence is >= 0 and <= 100, "defaultConfidence", "must be 0 to 100");
        Check(Finite(MinScore) && MinScore is >= 0 and <= 1, "minScore", "must be 0 to 1");
        Check(MinLiveTimeframes is >= 1 and <= 20, "minLiveTimeframes", "must be 1 to 20");
        Check(HtfConflictMinConfidence is >= 0 and <= 100, "htfConflictMinConfidence", "must be 0 to 100");
        Check(CooldownSeconds is >= 0 and <= 7 * 86400, "cooldownSeconds", "must be 0 to 604800 (a week)");
        Check(SettleMilliseconds is >= 0 and <= 30_000, "settleMilliseconds", "must be 0 to 30000");
        Check(BarCloseToleranceSeconds is >= 0 and <= 300, "barCloseToleranceSeconds", "must be 0 to 300");
        Check(Finite(MaxDailyLossPct) && MaxDailyLossPct is > 0 and <= 100, "maxDailyLossPct", "must be more than 0 and at most 100");
        Check(Finite(MaxTotalLossPct) && MaxTotalLossPct is > 0 and <= 100, "maxTotalLossPct", "must be more than 0 and at most 100");
        Check(Finite(WarnDailyLossPct) && WarnDailyLossPct >= 0 && (WarnDailyLossPct == 0 || WarnDailyLossPct < MaxDailyLossPct),
            "warnDailyLossPct", "must be 0 (no warning) or more than 0 and below maxDailyLossPct");
        Check(Finite(WarnTotalLossPct) && WarnTotalLossPct >= 0 && (WarnTotalLossPct == 0 || WarnTotalLossPct < MaxTotalLossPct),
            "warnTotalLossPct", "must be 0 (no warning) or more than 0 and below maxTotalLossPct");
        Check(Enum.IsDefined(TotalLossBasis), "totalLossBasis", "must be Initial or Peak");
        Check(Enum.IsDefined(PnlSource), "pnlSource", "must be Reported or Model");
        Check(RiskDayStartUtc.Second == 0 && RiskDayStartUtc.Millisecond == 0 && RiskDayStartUtc.Microsecond == 0,
            "riskDayStartUtc", "must be whole minutes, HH:mm");
        Check(Finite(RiskPerTradePct) && RiskPerTradePct is > 0 and <= 100, "riskPerTradePct", "must be more than 0 and at most 100");
        Check(Finite(MaxPositionPct) && MaxPositionPct is > 0 and <= 100, "maxPositionPct", "must be more than 0 and at most 100");
        Check(MaxEntriesPerDay is null or >= 0, "maxEntriesPerDay", "must be 0 or more, or absent for no cap");
        Check((TradingWindowStartUtc is null) == (TradingWindowEndUtc is null),
            TradingWindowStartUtc is null ? "tradingWindowStartUtc" : "tradingWindowEndUtc", "must be set together with its pair, or neither");
        Check(TradingDays is not null && Array.TrueForAll(TradingDays, d => Enum.IsDefined(d)) && TradingDays.Distinct().Count() == TradingDays.Length,
            "tradingDays", "must be distinct weekday names");
        return errors;
    }

    private static bool Finite(double value) => double.IsFinite(value);
}

/// <summary>A setting that cannot be used, named as in JSON, and why. Never quotes the value.</summary>
public readonly record struct SettingError(string Field, string Problem);
