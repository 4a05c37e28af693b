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

public class PropFirmRiskTests
{
    private static readonly DateOnly Thursday = new(2026, 1, 15);
    private static readonly RiskLimits Limits = new EngineSettings().RiskLimits;

    [Fact]
    public void The_worst_point_of_the_day_is_kept_whatever_pnl_follows()
    {
        var risk = RiskState.Empty.WithPnl(-3, Thursday).WithPnl(-2.5, Thursday).WithPnl(1, Thursday).WithPnl(2, Thursday);

        Assert.Equal(-2.5, risk.RealizedPnlTodayPct, 9);
        Assert.Equal(-5.5, risk.WorstPnlTodayPct, 9);
        Assert.Equal(5.5, risk.WorstDailyLossPct, 9);
        Assert.True(risk.DailyLimitReached(5));
        Assert.False(risk.On(Thursday.AddDays(1)).DailyLimitReached(5));
        Assert.Equal(0, risk.On(Thursday.AddDays(1)).WorstPnlTodayPct);
    }

    [Fact]
    public void A_profitable_day_has_no_worst_point_below_its_start()
    {
        var risk = RiskState.Empty.WithPnl(2, Thursday).WithPnl(-1, Thursday);
        Assert.Equal(0, risk.WorstDailyLossPct, 9);
    }

    [Fact]
    public void The_total_loss_is_from_the_initial_balance_or_the_peak()
    {
        var risk = RiskState.Empty.WithPnl(6, Thursday).WithPnl(-9, Thursday);

        Assert.Equal(3, risk.TotalLossPct(TotalLossBasis.Initial), 9);
        Assert.Equal(9, risk.TotalLossPct(TotalLossBasis.Peak), 9);
    }

    [Theory]
    [InlineData("00:00", "2026-01-15T14:30:00Z", "2026-01-15", "2026-01-16T00:00:00Z")]
    [InlineData("00:00", "2026-01-15T00:00:00Z", "2026-01-15", "2026-01-16T00:00:00Z")]
    [InlineData("22:00", "2026-01-15T21:59:59Z", "2026-01-15", "2026-01-15T22:00:00Z")]
    [InlineData("22:00", "2026-01-15T22:00:00Z", "2026-01-16", "2026-01-16T22:00:00Z")]
    [InlineData("06:00", "2026-01-15T05:59:00Z", "2026-01-14", "2026-01-15T06:00:00Z")]
    [InlineData("06:00", "2026-01-15T06:00:00Z", "2026-01-15", "2026-01-16T06:00:00Z")]
    [InlineData("12:00", "2026-01-15T11:00:00Z", "2026-01-14", "2026-01-15T12:00:00Z")]
    [InlineData("12:01", "2026-01-15T12:01:00Z", "2026-01-16", "2026-01-16T12:01:00Z")]
    public void The_trading_day_starts_at_the_configured_time_and_is_named_after_most_of_it(string start, string at, string day, string next)
    {
        var startUtc = TimeOnly.Parse(start, System.Globalization.CultureInfo.InvariantCulture);
        var instant = DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture), TradingDay.Of(instant, startUtc));
        Assert.Equal(DateTimeOffset.Parse(next, System.Globalization.CultureInfo.InvariantCulture), TradingDay.NextStart(instant, startUtc));
        Assert.True(TradingDay.StartOf(TradingDay.Of(instant, startUtc), startUtc) <= instant);
    }

    [Fact]
    public void A_daily_warning_then_a_breach_each_happen_once_a_day()
    {
        var at = Clocks.Now;
        var start = RiskState.Empty with { Day = Thursday };
        var warned = start.WithPnl(-4.2, Thursday);
        var breached = warned.WithPnl(-1.3, Thursday);
        var recovered = breached.WithPnl(1, Thursday);
        var deeper = recovered.WithPnl(-3, Thursday);

        var warning = Assert.Single(RiskEvents.Between(start, warned, Limits, at));
        var breach = Assert.Single(RiskEvents.Between(warned, breached, Limits, at));

        Assert.Equal((RiskEventKind.Warning, RiskLimit.DailyLoss, 4.2, 4.0), (warning.Kind, warning.Limit, warning.ObservedPct, warning.ThresholdPct));
        Assert.Equal("Daily loss is 4.2 % from the day's starting equity, past the 4 % warning; the limit is 5 %.", warning.Text);
        Assert.Equal("risk_daily_day-2026-01-15-warning", warning.EventId);
        Assert.Equal((RiskEventKind.Breach, RiskLimit.DailyLoss, 5.5, 5.0), (breach.Kind, breach.Limit, breach.ObservedPct, breach.ThresholdPct));
        Assert.Equal(
            "Daily loss is 5.5 % from the day's starting equity, at its 5 % limit: entries are vetoed until the next trading day.",
            breach.Text);
        Assert.Empty(RiskEvents.Between(breached, recovered, Limits, at));
        Assert.DoesNotContain(RiskEvents.Between(recovered, deeper, Limits, at), e => e.Limit == RiskLimit.DailyLoss);
    }

    [Fact]
    public void One_report_past_both_levels_is_a_breach_without_a_warning()
    {
        var start = RiskState.Empty with { Day = Thursday };
        var events = RiskEvents.Between(start, start.WithPnl(-6, Thursday), Limits, Clocks.Now);
        Assert.Equal([(RiskEventKind.Breach, RiskLimit.DailyLoss)], events.Select(e => (e.Kind, e.Limit)));
    }

    [Fact]
    public void The_total_loss_warns_at_8_and_breaches_at_10_from_the_initial_balance()
    {
        var start = RiskState.Empty.WithPnl(-3.5, Thursday.AddDays(-2)).WithPnl(-3.5, Thursday.AddDays(-1)).On(Thursday);
        var warned = start.WithPnl(-1.5, Thursday);
        var breached = warned.WithPnl(-2, Thursday);

        var warning = Assert.Single(RiskEvents.Between(start, warned, Limits, Clocks.Now));
        Assert.Equal((RiskEventKind.Warning, RiskLimit.TotalLoss, 8.5), (warning.Kind, warning.Limit, warning.ObservedPct));
        Assert.Equal("Total loss is 8.5 % from the initial balance, past the 8 % warning; the limit is 10 %.", warning.Text);

        var events = RiskEvents.Between(warned, breached, Limits, Clocks.Now);
        Assert.Contains(events, e => e.Kind == RiskEventKind.Breach && e.Limit == RiskLimit.TotalLoss && e.ObservedPct == 10.5);
    }

    [Fact]
    public void Halts_and_resumes_are_risk_events()
    {
        var start = RiskState.Empty with { Day = Thursday };
        var halted = start.WithHalt(true, "NFP", Thursday);

        var halt = Assert.Single(RiskEvents.Between(start, halted, Limits, Clocks.Now));
        var resume = Assert.Single(RiskEvents.Between(halted, halted.WithHalt(false, null, Thursday), Limits, Clocks.Now));

        Assert.Equal((RiskEventKind.Halt, RiskLimit.KillSwitch, "An operator halted entries: NFP."), (halt.Kind, halt.Limit, halt.Text));
        Assert.Equal((RiskEventKind.Resume, RiskLimit.KillSwitch), (resume.Kind, resume.Limit));
        Assert.NotEqual(halt.EventId, resume.EventId);
    }

    [Fact]
    public void The_next_trading_day_lifts_a_daily_breach_with_a_resume_event()
    {
        var breached = RiskState.Empty.WithPnl(-6, Thursday);
        var nextDay = breached.On(Thursday.AddDays(1));

        var resume = Assert.Single(RiskEvents.Between(breached, nextDay, Limits, Clocks.Now.AddDays(1)));

        Assert.Equal((RiskEventKind.Resume, RiskLimit.DailyLoss), (resume.Kind, resume.Limit));
        Assert.Equal("A new trading day began: the daily loss limit breached on 2026-01-15 no longer holds.", resume.Text);
    }

    [Fact]
    public void Risk_events_serialize_with_lower_case_kinds()
    {
        var start = RiskState.Empty with { Day = Thursday };
        var json = System.Text.Json.JsonSerializer.Serialize(RiskEvents.Between(start, start.WithPnl(-4.5, Thursday), Limits, Clocks.Now)[0]);
        Assert.Contains("\"Kind\":\"warning\"", json, StringComparison.Ordinal);
        Assert.Contains("\"Limit\":\"dailyLoss\"", json, StringComparison.Ordinal);
    }
}
