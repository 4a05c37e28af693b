using Kyperian.Domain.Decisions;
using Kyperian.Domain.Signals;

namespace Kyperian.Domain.Tests;

public class BarCloseTests
{
    private static DateTimeOffset At(string utc) => DateTimeOffset.Parse(utc + "Z", System.Globalization.CultureInfo.InvariantCulture);

    private static Timeframe Tf(string raw) => Timeframe.Parse(raw);

    [Theory]
    [InlineData("15", "2026-01-15T14:00:00", true)]
    [InlineData("15", "2026-01-15T14:15:00", true)]
    [InlineData("15", "2026-01-15T14:10:00", false)]
    [InlineData("60", "2026-01-15T14:00:00", true)]
    [InlineData("60", "2026-01-15T14:15:00", false)]
    [InlineData("240", "2026-01-15T16:00:00", true)]
    [InlineData("240", "2026-01-15T14:00:00", false)]
    [InlineData("1D", "2026-01-16T00:00:00", true)]
    [InlineData("1D", "2026-01-15T16:00:00", false)]
    [InlineData("1W", "2026-01-19T00:00:00", true)]  // a Monday
    [InlineData("1W", "2026-01-15T00:00:00", false)] // a Thursday
    [InlineData("1M", "2026-02-01T00:00:00", true)]
    [InlineData("1M", "2026-01-31T00:00:00", false)]
    [InlineData("3M", "2026-04-01T00:00:00", true)]
    [InlineData("3M", "2026-02-01T00:00:00", false)]
    [InlineData("30S", "2026-01-15T14:00:30", true)]
    [InlineData("15", "2026-01-15T14:00:00.5", false)]
    public void Bars_close_on_a_24_hour_utc_chart(string timeframe, string moment, bool closes) =>
        Assert.Equal(closes, Tf(timeframe).ClosesAt(At(moment)));

    [Fact]
    public void A_timeframe_that_does_not_divide_the_day_restarts_at_midnight()
    {
        // 7m bars: …, 23:55, then the day's last bar is cut short and the next day starts at 00:00.
        Assert.True(Tf("7").ClosesAt(At("2026-01-15T23:55:00")));
        Assert.True(Tf("7").ClosesAt(At("2026-01-16T00:00:00")));
        Assert.True(Tf("7").ClosesAt(At("2026-01-16T00:07:00")));
        Assert.False(Tf("7").ClosesAt(At("2026-01-16T00:02:00")));
    }

    [Theory]
    [InlineData("2026-01-15T16:00:01", "2026-01-15T16:00:00")]
    [InlineData("2026-01-15T16:00:10", "2026-01-15T16:00:00")]
    [InlineData("2026-01-15T15:59:58", "2026-01-15T16:00:00")]
    [InlineData("2026-01-15T16:00:11", null)]
    [InlineData("2026-01-15T17:37:00", null)]
    public void A_signal_is_at_a_close_when_within_the_tolerance_of_one(string at, string? close) =>
        Assert.Equal(close is null ? null : At(close), BarCloses.CloseNear(Tf("240"), At(at), TimeSpan.FromSeconds(10)));

    [Theory]
    [InlineData("30S", "2026-01-15T14:00:03", true)]
    [InlineData("30S", "2026-01-15T14:00:04", false)] // 10 s would be a third of the bar: a tenth of it is the most
    [InlineData("1", "2026-01-15T14:00:06", true)]
    [InlineData("1", "2026-01-15T14:00:07", false)]
    [InlineData("15", "2026-01-15T14:00:10", true)]
    public void The_tolerance_is_at_most_a_tenth_of_the_bar(string timeframe, string time, bool atClose) =>
        Assert.Equal(atClose, BarCloses.CloseOf(SignalAt(timeframe, time), TimeSpan.FromSeconds(10)) is not null);

    private static Signal SignalAt(string timeframe, string time, SignalAction action = SignalAction.Buy) =>
        new SignalBuilder { Timeframe = timeframe, AlertTime = At(time), ReceivedAt = At(time), Action = action, Id = $"sig_{timeframe}_{time}" }.Build();

    private static TimeframeSignal Known(string timeframe, string observed) =>
        new(Tf(timeframe), SignalAction.Buy, 70, At(observed), $"sig_old_{timeframe}");

    /// <summary>A trader with alerts on 1D, 4h, 1h and 15m, all last heard from a week ago.</summary>
    private static readonly TimeframeSignal[] FourTimeframes =
        [Known("1D", "2026-01-08T00:00:00"), Known("240", "2026-01-08T04:00:00"), Known("60", "2026-01-08T05:00:00"), Known("15", "2026-01-08T05:15:00")];

    [Fact]
    public void A_4h_close_awaits_the_1h_and_15m_but_not_the_daily()
    {
        var plan = BurstPlan.For(SignalAt("240", "2026-01-15T16:00:01"), FourTimeframes, TimeSpan.FromSeconds(10));

        Assert.Equal(At("2026-01-15T16:00:00"), plan.CloseAt);
        Assert.Equal([Tf("15"), Tf("60")], plan.Awaited);
        Assert.False(plan.DecideAtOnce);
    }

    [Fact]
    public void The_daily_close_awaits_every_lower_timeframe()
    {
        var plan = BurstPlan.For(SignalAt("15", "2026-01-16T00:00:02"), FourTimeframes, TimeSpan.FromSeconds(10));
        Assert.Equal([Tf("60"), Tf("240"), Tf("1D")], plan.Awaited);
    }

    [Fact]
    public void An_isolated_alert_is_decided_at_once()
    {
        var quarter = BurstPlan.For(SignalAt("15", "2026-01-15T14:15:01"), FourTimeframes, TimeSpan.FromSeconds(10));
        var insideABar = BurstPlan.For(SignalAt("60", "2026-01-15T14:37:00"), FourTimeframes, TimeSpan.FromSeconds(10));
        var onlyTimeframe = BurstPlan.For(SignalAt("240", "2026-01-15T16:00:01"), [], TimeSpan.FromSeconds(10));

        Assert.True(quarter.DecideAtOnce);
        Assert.NotNull(quarter.CloseAt);
        Assert.True(insideABar.DecideAtOnce);
        Assert.Null(insideABar.CloseAt);
        Assert.True(onlyTimeframe.DecideAtOnce);
    }

    [Fact]
    public void A_timeframe_that_already_sent_for_this_close_is_not_awaited()
    {
        TimeframeSignal[] state = [.. FourTimeframes.Where(t => t.Timeframe != Tf("60")), Known("60", "2026-01-15T16:00:01")];
        var plan = BurstPlan.For(SignalAt("240", "2026-01-15T16:00:02"), state, TimeSpan.FromSeconds(10));
        Assert.Equal([Tf("15")], plan.Awaited);
    }

    [Fact]
    public void Without_a_time_the_receipt_says_when_the_alert_was_sent()
    {
        var signal = new SignalBuilder { Timeframe = "240", ReceivedAt = At("2026-01-15T16:00:01.800") }.Build();
        Assert.Equal([Tf("15"), Tf("60")], BurstPlan.For(signal, FourTimeframes, TimeSpan.FromSeconds(10)).Awaited);
    }

    [Fact]
    public void A_burst_completes_when_every_awaited_timeframe_has_arrived_in_any_order()
    {
        var tolerance = TimeSpan.FromSeconds(10);
        var first = SignalAt("240", "2026-01-15T16:00:01");
        var burst = PendingBurst.Open(first, BurstPlan.For(first, FourTimeframes, tolerance), At("2026-01-15T16:00:01.2"), TimeSpan.FromSeconds(2));
        Assert.Equal(At("2026-01-15T16:00:03.2"), burst.Deadline);
        Assert.Equal([Tf("15"), Tf("60")], burst.StillAwaited);

        var quarter = SignalAt("15", "2026-01-15T16:00:01");
        burst.Add(quarter, BurstPlan.For(quarter, FourTimeframes, tolerance));
        Assert.False(burst.IsComplete);

        var hour = SignalAt("60", "2026-01-15T16:00:02");
        burst.Add(hour, BurstPlan.For(hour, FourTimeframes, tolerance));
        Assert.True(burst.IsComplete);
        Assert.Equal([first, quarter, hour], burst.Members);
    }

    [Fact]
    public void An_alert_from_inside_a_bar_joins_an_open_burst_without_adding_to_what_it_awaits()
    {
        var tolerance = TimeSpan.FromSeconds(10);
        var first = SignalAt("60", "2026-01-15T16:00:01");
        var burst = PendingBurst.Open(first, BurstPlan.For(first, FourTimeframes, tolerance), At("2026-01-15T16:00:01"), TimeSpan.FromSeconds(2));
        var stray = new SignalBuilder { Timeframe = "5", ReceivedAt = At("2026-01-15T16:00:01.5"), AlertTime = At("2026-01-15T15:57:12"), Id = "sig_stray" }.Build();

        burst.Add(stray, BurstPlan.For(stray, FourTimeframes, tolerance));

        Assert.Equal([first, stray], burst.Members);
        Assert.Equal([Tf("15"), Tf("240")], burst.StillAwaited);
    }

    [Fact]
    public void A_burst_holds_one_symbol()
    {
        var first = SignalAt("60", "2026-01-15T16:00:01");
        var burst = PendingBurst.Open(first, new BurstPlan(null, []), At("2026-01-15T16:00:01"), TimeSpan.FromSeconds(2));
        var other = new SignalBuilder { Symbol = "ETHUSDT" }.Build();
        Assert.Throws<ArgumentException>(() => burst.Add(other, new BurstPlan(null, [])));
    }
}
