using System.Globalization;
using System.Text;
using Kyperian.Domain.Risk;
using Kyperian.Domain.Signals;

namespace Kyperian.Domain.Decisions;

/// <summary>The numbers and names of the explanations, worded for a trader.</summary>
internal static class Words
{
    public static string Side(SignalAction action) => action switch
    {
        SignalAction.Buy => "BUY",
        SignalAction.Sell => "SELL",
        _ => "CLOSE",
    };

    public static string Side(int direction) => direction switch
    {
        > 0 => "BUY",
        < 0 => "SELL",
        _ => "CLOSE",
    };

    /// <summary>At most two decimals, no trailing zeros, invariant.</summary>
    public static string Number(double value) => Math.Round(value, 2).ToString("0.##", CultureInfo.InvariantCulture);

    public static string Duration(double seconds)
    {
        seconds = Math.Max(0, seconds);
        if (seconds < 90)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{Math.Ceiling(seconds)} s");
        }

        if (seconds < 90 * 60)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{Math.Round(seconds / 60)} min");
        }

        var span = TimeSpan.FromSeconds(Math.Round(seconds / 60) * 60);
        return span.TotalDays >= 2
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalDays} d {span.Hours} h")
            : string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours} h {span.Minutes} min");
    }

    /// <summary>"4h is a live SELL at 90 % and 1h a live SELL at 70 %": the highest timeframe first.</summary>
    public static string Conflicts(List<TimeframeInput> conflicts)
    {
        var text = new StringBuilder(48);
        for (var i = conflicts.Count - 1; i >= 0; i--)
        {
            var tf = conflicts[i];
            text.Append(i == conflicts.Count - 1 ? string.Empty : " and ")
                .Append(tf.Timeframe.Label)
                .Append(i == conflicts.Count - 1 ? " is a live " : " a live ")
                .Append(Side(tf.Direction))
                .Append(" at ")
                .Append(tf.Confidence.ToString(CultureInfo.InvariantCulture))
                .Append(" %");
        }

        return text.ToString();
    }

    public static string TooFewAgreeing(TimeframeInput[] inputs, int direction, int count, int required, string side)
    {
        if (count == 0)
        {
            return $"No live timeframe agrees with this {side}; at least {required} must.";
        }

        var labels = new StringBuilder(24);
        foreach (var tf in inputs)
        {
            if (tf.Live && tf.Direction == direction)
            {
                labels.Append(labels.Length == 0 ? string.Empty : ", ").Append(tf.Timeframe.Label);
            }
        }

        return count == 1
            ? $"Only 1 live timeframe ({labels}) agrees with this {side}; at least {required} must."
            : $"Only {count} live timeframes ({labels}) agree with this {side}; at least {required} must.";
    }

    public static string RiskLimit(
        RiskState risk, EngineSettings settings, bool dailyBreached, bool totalBreached, double totalLoss, DateTimeOffset nextDay)
    {
        var basis = settings.TotalLossBasis == TotalLossBasis.Peak ? "the highest equity" : "the initial balance";
        var daily = risk.DailyLossPct < risk.WorstDailyLossPct
            ? $"the day's loss reached {Number(risk.WorstDailyLossPct)} % (now {Number(risk.DailyLossPct)} %) from the day's starting equity, at the {Number(settings.MaxDailyLossPct)} % daily limit"
            : $"the day's loss is {Number(risk.WorstDailyLossPct)} % from the day's starting equity, at the {Number(settings.MaxDailyLossPct)} % daily limit";
        var total = $"the total loss is {Number(totalLoss)} % from {basis}, at the {Number(settings.MaxTotalLossPct)} % limit";
        return (dailyBreached, totalBreached) switch
        {
            (true, true) => $"{Capital(daily)}, and {total}.",
            (true, false) => string.Create(
                CultureInfo.InvariantCulture, $"{Capital(daily)}: no entries until the next trading day starts at {nextDay.UtcDateTime:yyyy-MM-dd HH:mm} UTC."),
            _ => $"{Capital(total)}.",
        };
    }

    public static string Window(EngineSettings settings)
    {
        var hours = settings.TradingWindowStartUtc is { } start && settings.TradingWindowEndUtc is { } end && start != end
            ? string.Create(CultureInfo.InvariantCulture, $"{start:HH:mm}–{end:HH:mm} UTC")
            : "all day";
        return settings.TradingDays.Length == 0
            ? hours
            : $"{hours} on {string.Join(", ", settings.TradingDays.Select(d => d.ToString()[..3]))}";
    }

    private static string Capital(string text) => string.Concat(char.ToUpperInvariant(text[0]).ToString(), text.AsSpan(1));
}
