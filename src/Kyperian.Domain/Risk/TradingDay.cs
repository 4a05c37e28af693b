namespace Kyperian.Domain.Risk;

/// <summary>
/// The trading day the daily risk figures reset on. It starts at <c>RiskDayStartUtc</c> and is named after the
/// calendar date most of it falls on: starting at 22:00 UTC, the day from Monday 22:00 to Tuesday 22:00 is
/// Tuesday; starting at 06:00 UTC, the day from Monday 06:00 to Tuesday 06:00 is Monday.
/// </summary>
public static class TradingDay
{
    private static readonly TimeSpan Noon = TimeSpan.FromHours(12);

    public static DateOnly Of(DateTimeOffset at, TimeOnly startUtc) =>
        DateOnly.FromDateTime(at.UtcDateTime - Shift(startUtc));

    /// <summary>When <paramref name="day"/> begins.</summary>
    public static DateTimeOffset StartOf(DateOnly day, TimeOnly startUtc) =>
        new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) + Shift(startUtc);

    /// <summary>When the trading day after the one holding <paramref name="at"/> begins.</summary>
    public static DateTimeOffset NextStart(DateTimeOffset at, TimeOnly startUtc) =>
        StartOf(Of(at, startUtc).AddDays(1), startUtc);

    private static TimeSpan Shift(TimeOnly startUtc)
    {
        var start = startUtc.ToTimeSpan();
        return start <= Noon ? start : start - TimeSpan.FromDays(1);
    }
}
