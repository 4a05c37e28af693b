using System.Globalization;
using System.Text.Json.Serialization;

namespace Kyperian.Domain.Risk;

[JsonConverter(typeof(JsonStringEnumConverter<RiskEventKind>))]
public enum RiskEventKind
{
    /// <summary>A loss reached its warning level.</summary>
    [JsonStringEnumMemberName("warning")]
    Warning,

    /// <summary>A loss reached its limit: entries are vetoed.</summary>
    [JsonStringEnumMemberName("breach")]
    Breach,

    /// <summary>An operator halted entries.</summary>
    [JsonStringEnumMemberName("halt")]
    Halt,

    /// <summary>Entries are allowed again: an operator resumed, or a new trading day lifted a daily breach.</summary>
    [JsonStringEnumMemberName("resume")]
    Resume,
}

[JsonConverter(typeof(JsonStringEnumConverter<RiskLimit>))]
public enum RiskLimit
{
    [JsonStringEnumMemberName("dailyLoss")]
    DailyLoss,

    [JsonStringEnumMemberName("totalLoss")]
    TotalLoss,

    [JsonStringEnumMemberName("killSwitch")]
    KillSwitch,
}

/// <summary>Something a trader must hear about the account's risk, as it happened.</summary>
public sealed record RiskEvent
{
    /// <summary>Deterministic where the event can happen once (a day's warning and breach), so recording it twice keeps one.</summary>
    public required string EventId { get; init; }

    public required RiskEventKind Kind { get; init; }

    public required RiskLimit Limit { get; init; }

    public required DateTimeOffset At { get; init; }

    /// <summary>The trading day it belongs to.</summary>
    public required DateOnly Day { get; init; }

    /// <summary>One plain sentence.</summary>
    public required string Text { get; init; }

    /// <summary>The loss, % of the initial balance, for loss events.</summary>
    public double? ObservedPct { get; init; }

    /// <summary>The level it reached, for loss events.</summary>
    public double? ThresholdPct { get; init; }
}

/// <summary>The risk events between two states of the ledger: what one change (a P&amp;L report, a halt) caused.</summary>
public static class RiskEvents
{
    public static IReadOnlyList<RiskEvent> Between(RiskState before, RiskState after, RiskLimits limits, DateTimeOffset at)
    {
        var events = new List<RiskEvent>(2);
        var day = after.Day;

        // A breached day that has turned: entries are allowed again (unless another limit holds).
        if (before.Day < day && before.DailyLimitReached(limits.MaxDailyLossPct))
        {
            events.Add(Event(RiskEventKind.Resume, RiskLimit.DailyLoss, at, day, $"day-{Day(before.Day)}-lifted",
                $"A new trading day began: the daily loss limit breached on {Day(before.Day)} no longer holds."));
        }

        var sameDay = before.On(day);
        AddCrossing(events, RiskLimit.DailyLoss, sameDay.WorstDailyLossPct, after.WorstDailyLossPct, limits.WarnDailyLossPct, limits.MaxDailyLossPct, at, day, daily: true);

        var totalBasis = limits.TotalLossBasis == TotalLossBasis.Peak ? "the highest equity" : "the initial balance";
        AddCrossing(events, RiskLimit.TotalLoss, sameDay.TotalLossPct(limits.TotalLossBasis), after.TotalLossPct(limits.TotalLossBasis),
            limits.WarnTotalLossPct, limits.MaxTotalLossPct, at, day, daily: false, totalBasis);

        if (!before.Halted && after.Halted)
        {
            events.Add(Event(RiskEventKind.Halt, RiskLimit.KillSwitch, at, day, null,
                after.HaltReason is { Length: > 0 } reason ? $"An operator halted entries: {reason}." : "An operator halted entries."));
        }
        else if (before.Halted && !after.Halted)
        {
            events.Add(Event(RiskEventKind.Resume, RiskLimit.KillSwitch, at, day, null, "An operator resumed entries."));
        }

        return events;
    }

    private static void AddCrossing(
        List<RiskEvent> events, RiskLimit limit, double before, double after, double warn, double max,
        DateTimeOffset at, DateOnly day, bool daily, string basis = "")
    {
        var what = daily ? "Daily loss" : "Total loss";
        var from = daily ? "the day's starting equity" : basis;
        if (before < max && after >= max)
        {
            var consequence = daily ? "entries are vetoed until the next trading day." : "entries are vetoed.";
            events.Add(Event(RiskEventKind.Breach, limit, at, day, daily ? $"day-{Day(day)}-breach" : null,
                $"{what} is {Pct(after)} % from {from}, at its {Pct(max)} % limit: {consequence}") with
            {
                ObservedPct = Math.Round(after, 4),
                ThresholdPct = max,
            });
        }
        else if (warn > 0 && warn < max && before < warn && after >= warn && after < max)
        {
            events.Add(Event(RiskEventKind.Warning, limit, at, day, daily ? $"day-{Day(day)}-warning" : null,
                $"{what} is {Pct(after)} % from {from}, past the {Pct(warn)} % warning; the limit is {Pct(max)} %.") with
            {
                ObservedPct = Math.Round(after, 4),
                ThresholdPct = warn,
            });
        }
    }

    private static RiskEvent Event(RiskEventKind kind, RiskLimit limit, DateTimeOffset at, DateOnly day, string? onceKey, string text) => new()
    {
        EventId = onceKey is null
            ? $"risk_{at.UtcDateTime:yyyyMMdd'T'HHmmssfffffff}_{Name(kind)}_{Name(limit)}"
            : $"risk_{Name(limit)}_{onceKey}",
        Kind = kind,
        Limit = limit,
        At = at,
        Day = day,
        Text = text,
    };

    private static string Name(RiskEventKind kind) => kind switch
    {
        RiskEventKind.Warning => "warning",
        RiskEventKind.Breach => "breach",
        RiskEventKind.Halt => "halt",
        _ => "resume",
    };

    private static string Name(RiskLimit limit) => limit switch
    {
        RiskLimit.DailyLoss => "daily",
        RiskLimit.TotalLoss => "total",
        _ => "killswitch",
    };

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    internal static string Pct(double value) => Math.Round(value, 2).ToString("0.##", CultureInfo.InvariantCulture);
}

/// <summary>The loss limits and warning levels, % of the initial balance.</summary>
public sealed record RiskLimits(
    double MaxDailyLossPct,
    double MaxTotalLossPct,
    double WarnDailyLossPct,
    double WarnTotalLossPct,
    TotalLossBasis TotalLossBasis);
