using Kyperian.Domain.Decisions;
using Kyperian.Domain.Signals;

namespace Kyperian.Domain.Tests;

/// <summary>Every veto reason in words, with its numbers. The scenario is an aligned 15m buy on Thursday 14:30 UTC.</summary>
public class ExplanationTests
{
    private static Explanation Only(Scenario scenario)
    {
        var decision = scenario.Decide();
        Assert.Equal(Verdict.Veto, decision.Verdict);
        return Assert.Single(decision.Explanations);
    }

    [Fact]
    public void Low_confidence_names_the_confidence_and_the_minimum()
    {
        var scenario = Scenario.Aligned();
        scenario.Signal = scenario.Signal with { Confidence = 59 };

        var explanation = Only(scenario);

        Assert.Equal(VetoReason.LowConfidence, explanation.Code);
        Assert.Equal("Confidence 59 is below the minimum of 60.", explanation.Text);
        Assert.Equal(60, explanation.Threshold);
        Assert.Equal(59, explanation.Observed);
        Assert.Null(explanation.RemainingSeconds);
    }

    [Fact]
    public void Low_confidence_says_when_the_alert_sent_none()
    {
        var scenario = Scenario.Aligned();
        scenario.Signal = scenario.Signal with { Confidence = null };
        scenario.Settings.DefaultConfidence = 50;

        Assert.Equal("The alert sent no confidence and the default 50 is below the minimum of 60.", Only(scenario).Text);
    }

    [Fact]
    public void An_alert_without_confidence_gets_the_default_of_70_and_executes()
    {
        var scenario = Scenario.Aligned();
        scenario.Signal = scenario.Signal with { Confidence = null };

        var decision = scenario.Decide();

        Assert.Equal(Verdict.Execute, decision.Verdict);
        Assert.Equal(70, decision.Confidence);
        Assert.Equal(70, decision.Inputs.Single(i => i.Timeframe == Timeframe.Parse("15")).Confidence);
    }

    [Fact]
    public void A_higher_timeframe_conflict_names_the_timeframe_its_side_and_confidence()
    {
        var explanation = Only(Scenario.Aligned().With("30", SignalAction.Sell, 90));

        Assert.Equal("30m is a live SELL at 90 % against this BUY.", explanation.Text);
        Assert.Equal(Timeframe.Parse("30"), explanation.Timeframe);
        Assert.Equal(50, explanation.Threshold);
        Assert.Equal(90, explanation.Observed);
    }

    [Fact]
    public void Several_conflicts_are_named_highest_first()
    {
        var decision = Scenario.Aligned().With("30", SignalAction.Sell, 60).With("1D", SignalAction.Sell, 90).Decide();
        var explanation = decision.Explanations.Single(e => e.Code == VetoReason.HtfConflict);

        Assert.Equal("1D is a live SELL at 90 % and 30m a live SELL at 60 % against this BUY.", explanation.Text);
        Assert.Equal(Timeframe.Parse("1D"), explanation.Timeframe);
    }

    [Fact]
    public void Weak_confluence_gives_the_score_and_the_minimum()
    {
        var scenario = Scenario.Aligned();
        scenario.Settings.MinScore = 0.85;

        var explanation = Only(scenario);

        Assert.Equal("The timeframes score 0.8 for this BUY, below the minimum of 0.85.", explanation.Text);
        Assert.Equal(0.85, explanation.Threshold);
        Assert.Equal(0.8, explanation.Observed);
    }

    [Fact]
    public void The_cooldown_says_how_long_it_still_runs()
    {
        var scenario = Scenario.Aligned();
        scenario.LastExecuteAt = Clocks.Now.AddSeconds(-20);

        var explanation = Only(scenario);

        Assert.Equal("BTCUSDT last executed 20 s ago; the 60 s cooldown runs 40 s more.", explanation.Text);
        Assert.Equal(40, explanation.RemainingSeconds);
        Assert.Equal(60, explanation.Threshold);
        Assert.Equal(20, explanation.Observed);
    }

    [Fact]
    public void A_stale_signal_says_how_late_it_arrived()
    {
        var scenario = Scenario.Aligned();
        scenario.Signal = scenario.Signal with { AlertTime = Clocks.Now.AddMinutes(-16) };

        var explanation = Only(scenario);

        Assert.Equal("The 15m alert reached us 16 min after its time, more than one 15m bar.", explanation.Text);
        Assert.Equal(Timeframe.Parse("15"), explanation.Timeframe);
        Assert.Equal(900, explanation.Threshold);
        Assert.Equal(960, explanation.Observed);
    }

    [Fact]
    public void The_daily_limit_says_when_entries_resume()
    {
        var scenario = Scenario.Aligned();
        scenario.Risk = scenario.Risk with { RealizedPnlTodayPct = -5 };

        var explanation = Only(scenario);

        Assert.Equal(
            "The day's loss is 5 % from the day's starting equity, at the 5 % daily limit: no entries until the next trading day starts at 2026-01-16 00:00 UTC.",
            explanation.Text);
        Assert.Equal(5, explanation.Threshold);
        Assert.Equal(5, explanation.Observed);
        Assert.Equal(34_200L, explanation.RemainingSeconds);
    }

    [Fact]
    public void The_total_limit_says_what_it_is_measured_from()
    {
        var scenario = Scenario.Aligned();
        scenario.Risk = scenario.Risk with { CumulativePnlPct = -10.5 };

        var explanation = Only(scenario);

        Assert.Equal("The total loss is 10.5 % from the initial balance, at the 10 % limit.", explanation.Text);
        Assert.Equal(10, explanation.Threshold);
        Assert.Equal(10.5, explanation.Observed);
        Assert.Null(explanation.RemainingSeconds);
    }

    [Fact]
    public void Both_limits_at_once_are_one_sentence()
    {
        var scenario = Scenario.Aligned();
        scenario.Risk = scenario.Risk with { RealizedPnlTodayPct = -6, CumulativePnlPct = -11 };

        Assert.Equal(
            "The day's loss is 6 % from the day's starting equity, at the 5 % daily limit, and the total loss is 11 % from the initial balance, at the 10 % limit.",
            Only(scenario).Text);
    }

    [Fact]
    public void The_kill_switch_gives_the_operators_reason()
    {
        var scenario = Scenario.Aligned();
        scenario.Risk = scenario.Risk with { Halted = true, HaltReason = "FOMC at 19:00" };

        Assert.Equal("An operator halted entries: FOMC at 19:00.", Only(scenario).Text);
    }

    [Fact]
    public void Outside_hours_gives_the_window_and_when_it_opens()
    {
        var scenario = Scenario.Aligned();
        scenario.Settings.TradingWindowStartUtc = new TimeOnly(7, 0);
        scenario.Settings.TradingWindowEndUtc = new TimeOnly(12, 0);
        scenario.Settings.TradingDays = [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday];

        var explanation = Only(scenario);

        Assert.Equal("Thu 14:30 UTC is outside the trading window 07:00–12:00 UTC on Mon, Tue, Wed, Thu.", explanation.Text);
        Assert.Equal((long)TimeSpan.FromDays(3).Add(TimeSpan.FromHours(16.5)).TotalSeconds, explanation.RemainingSeconds); // Monday 07:00
    }

    [Fact]
    public void Max_decisions_gives_the_count_and_the_cap()
    {
        var scenario = Scenario.Aligned();
        scenario.Settings.MaxEntriesPerDay = 3;
        scenario.Risk = scenario.Risk with { EntriesToday = 3 };

        var explanation = Only(scenario);

        Assert.Equal("3 entries executed this trading day; the maximum is 3.", explanation.Text);
        Assert.Equal(3, explanation.Threshold);
        Assert.Equal(3, explanation.Observed);
        Assert.Equal(34_200L, explanation.RemainingSeconds);
    }

    [Fact]
    public void Too_few_timeframes_names_the_ones_that_agree()
    {
        var scenario = Scenario.Aligned();
        scenario.Settings.MinLiveTimeframes = 4;

        var explanation = Only(scenario);

        Assert.Equal("Only 3 live timeframes (15m, 1h, 4h) agree with this BUY; at least 4 must.", explanation.Text);
        Assert.Equal(4, explanation.Threshold);
        Assert.Equal(3, explanation.Observed);
    }

    [Fact]
    public void Too_few_timeframes_for_a_lone_alert()
    {
        var scenario = new Scenario().With("5", SignalAction.Sell, 40); // a weak lower timeframe against it
        scenario.Settings.RequireHigherTimeframe = false;

        Assert.Equal("Only 1 live timeframe (15m) agrees with this BUY; at least 2 must.", Only(scenario).Text);
    }

    [Fact]
    public void No_higher_timeframe_names_the_signals_timeframe()
    {
        var scenario = new Scenario().With("5", SignalAction.Buy);

        var explanation = Only(scenario);

        Assert.Equal("No live timeframe above 15m agrees with this BUY.", explanation.Text);
        Assert.Equal(Timeframe.Parse("15"), explanation.Timeframe);
    }

    [Fact]
    public void Explanations_serialize_with_their_code_and_only_the_numbers_that_apply()
    {
        var scenario = Scenario.Aligned();
        scenario.LastExecuteAt = Clocks.Now.AddSeconds(-20);
        var options = new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        };

        var json = System.Text.Json.JsonSerializer.Serialize(scenario.Decide().Explanations.Single(), options);

        Assert.Equal(
            """{"code":"COOLDOWN","text":"BTCUSDT last executed 20 s ago; the 60 s cooldown runs 40 s more.","threshold":60,"observed":20,"remainingSeconds":40}""",
            json);
    }
}
