using Kyperian.Domain.Decisions;
using Kyperian.Domain.Risk;
using Kyperian.Domain.Signals;

namespace Kyperian.Domain.Tests;

public class RiskStateTests
{
    private static readonly DateOnly Monday = new(2026, 1, 12);
    private static readonly DateOnly Tuesday = Monday.AddDays(1);

    [Fact]
    public void A_late_report_for_an_earlier_day_does_not_wipe_today()
    {
        var today = RiskState.Empty.WithPnl(-4, Tuesday);

        var afterLateReport = today.WithPnl(-1, Monday);

        Assert.Equal(Tuesday, afterLateReport.Day);
        Assert.Equal(5, afterLateReport.DailyLossPct, 6);
        Assert.Equal(5, afterLateReport.DrawdownPct, 6);
    }

    [Fact]
    public void Empty_has_no_loss_no_drawdown_and_no_halt()
    {
        var empty = RiskState.Empty;
        Assert.Equal(0, empty.DailyLossPct);
        Assert.Equal(0, empty.DrawdownPct);
        Assert.Equal(0, empty.EntriesToday);
        Assert.False(empty.Halted);
    }

    [Fact]
    public void Pnl_accumulates_within_a_day()
    {
        var risk = RiskState.Empty.WithPnl(-1.5, Monday).WithPnl(-2, Monday).WithPnl(0.5, Monday);

        Assert.Equal(Monday, risk.Day);
        Assert.Equal(-3, risk.RealizedPnlTodayPct, 9);
        Assert.Equal(3, risk.DailyLossPct, 9);
        Assert.Equal(-3, risk.CumulativePnlPct, 9);
    }

    [Fact]
    public void The_daily_figures_reset_when_the_day_turns_but_the_totals_do_not()
    {
        var monday = RiskState.Empty.WithPnl(4, Monday).WithPnl(-6, Monday).WithEntry(Monday).WithEntry(Monday);
        var tuesday = monday.WithPnl(-1, Tuesday);

        Assert.Equal(2, monday.DailyLossPct, 9);
        Assert.Equal(2, monday.EntriesToday);
        Assert.Equal(Tuesday, tuesday.Day);
        Assert.Equal(-1, tuesday.RealizedPnlTodayPct, 9);
        Assert.Equal(0, tuesday.EntriesToday);
        Assert.Equal(-3, tuesday.CumulativePnlPct, 9);
        Assert.Equal(4, tuesday.PeakPnlPct, 9);
        Assert.Equal(7, tuesday.DrawdownPct, 9);
    }

    [Fact]
    public void On_the_same_day_is_the_same_state_and_on_another_day_resets_only_daily_figures()
    {
        var monday = RiskState.Empty.WithPnl(-3, Monday).WithEntry(Monday) with { Halted = true, HaltReason = "news" };

        Assert.Same(monday, monday.On(Monday));

        var tuesday = monday.On(Tuesday);
        Assert.Equal(0, tuesday.RealizedPnlTodayPct);
        Assert.Equal(0, tuesday.EntriesToday);
        Assert.Equal(-3, tuesday.CumulativePnlPct);
        Assert.True(tuesday.Halted);
        Assert.Equal("news", tuesday.HaltReason);
    }

    [Fact]
    public void Drawdown_is_measured_from_the_peak()
    {
        var risk = RiskState.Empty.WithPnl(3, Monday).WithPnl(2, Monday);
        Assert.Equal(5, risk.PeakPnlPct, 9);
        Assert.Equal(0, risk.DrawdownPct, 9);

        risk = risk.WithPnl(-4, Tuesday);
        Assert.Equal(5, risk.PeakPnlPct, 9);
        Assert.Equal(1, risk.CumulativePnlPct, 9);
        Assert.Equal(4, risk.DrawdownPct, 9);

        risk = risk.WithPnl(10, Tuesday);
        Assert.Equal(11, risk.PeakPnlPct, 9);
        Assert.Equal(0, risk.DrawdownPct, 9);
    }

    [Fact]
    public void A_first_loss_is_drawdown_from_the_starting_equity()
    {
        var risk = RiskState.Empty.WithPnl(-3, Monday);
        Assert.Equal(0, risk.PeakPnlPct);
        Assert.Equal(3, risk.DrawdownPct, 9);
    }

    [Fact]
    public void A_profitable_day_has_no_daily_loss() =>
        Assert.Equal(0, RiskState.Empty.WithPnl(2, Monday).DailyLossPct);

    [Fact]
    public void Entries_are_counted_per_day()
    {
        var risk = RiskState.Empty.WithEntry(Monday).WithEntry(Monday).WithEntry(Monday);
        Assert.Equal(3, risk.EntriesToday);
        Assert.Equal(1, risk.WithEntry(Tuesday).EntriesToday);
    }

    [Fact]
    public void Risk_states_are_immutable_values()
    {
        var before = RiskState.Empty;
        _ = before.WithPnl(-5, Monday).WithEntry(Monday);
        Assert.Equal(new RiskState(), before);
        Assert.Equal(RiskState.Empty.WithPnl(1, Monday), RiskState.Empty.WithPnl(1, Monday));
    }

    [Theory]
    [InlineData("2026-01-15T23:30:00-05:00", "2026-01-16")]
    [InlineData("2026-01-16T00:30:00+02:00", "2026-01-15")]
    [InlineData("2026-01-15T00:00:00Z", "2026-01-15")]
    [InlineData("2026-01-15T23:59:59.999Z", "2026-01-15")]
    public void The_day_is_the_utc_day(string time, string day) =>
        Assert.Equal(DateOnly.Parse(day), RiskState.DayOf(DateTimeOffset.Parse(time)));
}

public class TimeframeSignalTests
{
    private static TimeframeSignal At(int minute, string id = "sig_a") =>
        new(Timeframe.Parse("15"), SignalAction.Buy, 70, Clocks.Now.AddMinutes(minute), id);

    [Fact]
    public void Anything_supersedes_nothing() => Assert.True(At(0).Supersedes(null));

    [Fact]
    public void Newer_supersedes_older_and_never_the_reverse()
    {
        Assert.True(At(1).Supersedes(At(0)));
        Assert.False(At(0).Supersedes(At(1)));
    }

    [Fact]
    public void Ties_are_broken_by_signal_id_so_every_replica_agrees()
    {
        Assert.True(At(0, "sig_b").Supersedes(At(0, "sig_a")));
        Assert.False(At(0, "sig_a").Supersedes(At(0, "sig_b")));
        Assert.False(At(0).Supersedes(At(0)));
    }

    [Fact]
    public void From_a_signal_uses_its_observed_time()
    {
        var timed = new SignalBuilder { AlertTime = Clocks.Now.AddMinutes(-3), Confidence = 65, Action = SignalAction.Sell }.Build();
        var state = TimeframeSignal.From(timed);
        Assert.Equal(Clocks.Now.AddMinutes(-3), state.ObservedAt);
        Assert.Equal(SignalAction.Sell, state.Action);
        Assert.Equal(65, state.Confidence);
        Assert.Equal(timed.SignalId, state.SignalId);
        Assert.Equal(timed.Timeframe, state.Timeframe);

        Assert.Equal(Clocks.Now, TimeframeSignal.From(new SignalBuilder().Build()).ObservedAt);
    }
}
