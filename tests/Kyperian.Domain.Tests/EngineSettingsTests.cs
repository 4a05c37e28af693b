using Kyperian.Domain.Decisions;
using Kyperian.Domain.Risk;

namespace Kyperian.Domain.Tests;

public class EngineSettingsTests
{
    [Fact]
    public void The_defaults_are_valid_and_version_0()
    {
        var settings = new EngineSettings();

        Assert.Empty(settings.Validate());
        Assert.Equal(0, settings.Version);
        Assert.Equal(2, settings.MinLiveTimeframes);
        Assert.True(settings.RequireHigherTimeframe);
        Assert.Equal(70, settings.DefaultConfidence);
        Assert.Equal(2000, settings.SettleMilliseconds);
        Assert.Equal((5.0, 4.0, 10.0, 8.0), (settings.MaxDailyLossPct, settings.WarnDailyLossPct, settings.MaxTotalLossPct, settings.WarnTotalLossPct));
        Assert.Equal(TotalLossBasis.Initial, settings.TotalLossBasis);
        Assert.Equal(PnlSource.Reported, settings.PnlSource);
        Assert.Equal(TimeOnly.MinValue, settings.RiskDayStartUtc);
    }

    public static TheoryData<string, Action<EngineSettings>> BadValues => new()
    {
        { "minConfidence", s => s.MinConfidence = 101 },
        { "defaultConfidence", s => s.DefaultConfidence = -1 },
        { "minScore", s => s.MinScore = 1.5 },
        { "minScore", s => s.MinScore = double.NaN },
        { "staleBars", s => s.StaleBars = 0 },
        { "minLiveTimeframes", s => s.MinLiveTimeframes = 0 },
        { "htfConflictMinConfidence", s => s.HtfConflictMinConfidence = 200 },
        { "cooldownSeconds", s => s.CooldownSeconds = -5 },
        { "settleMilliseconds", s => s.SettleMilliseconds = 60_000 },
        { "barCloseToleranceSeconds", s => s.BarCloseToleranceSeconds = -1 },
        { "maxDailyLossPct", s => s.MaxDailyLossPct = 101 },
        { "maxTotalLossPct", s => s.MaxTotalLossPct = double.PositiveInfinity },
        { "warnDailyLossPct", s => s.WarnDailyLossPct = 5 },
        { "warnTotalLossPct", s => s.WarnTotalLossPct = 12 },
        { "totalLossBasis", s => s.TotalLossBasis = (TotalLossBasis)7 },
        { "pnlSource", s => s.PnlSource = (PnlSource)7 },
        { "riskDayStartUtc", s => s.RiskDayStartUtc = new TimeOnly(22, 0, 30) },
        { "riskPerTradePct", s => s.RiskPerTradePct = -1 },
        { "maxPositionPct", s => s.MaxPositionPct = 0 },
        { "maxEntriesPerDay", s => s.MaxEntriesPerDay = -1 },
        { "tradingWindowEndUtc", s => s.TradingWindowStartUtc = new TimeOnly(9, 0) },
        { "tradingWindowStartUtc", s => s.TradingWindowEndUtc = new TimeOnly(9, 0) },
        { "tradingDays", s => s.TradingDays = [DayOfWeek.Monday, DayOfWeek.Monday] },
        { "tradingDays", s => s.TradingDays = [(DayOfWeek)9] },
        { "version", s => s.Version = -1 },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public void A_bad_value_is_named_by_its_field(string field, Action<EngineSettings> spoil)
    {
        var settings = new EngineSettings();
        spoil(settings);

        var error = Assert.Single(settings.Validate());

        Assert.Equal(field, error.Field);
        Assert.False(string.IsNullOrWhiteSpace(error.Problem));
    }

    [Fact]
    public void Every_bad_value_is_named_at_once()
    {
        var settings = new EngineSettings { MinConfidence = -1, MinScore = 2, CooldownSeconds = -1 };
        Assert.Equal(["minConfidence", "minScore", "cooldownSeconds"], settings.Validate().Select(e => e.Field));
    }

    [Fact]
    public void A_warning_of_0_turns_the_warning_off()
    {
        var settings = new EngineSettings { WarnDailyLossPct = 0, WarnTotalLossPct = 0 };
        Assert.Empty(settings.Validate());
    }

    [Fact]
    public void A_copy_is_independent()
    {
        var settings = new EngineSettings { TradingDays = [DayOfWeek.Monday] };
        var copy = settings.Copy();

        settings.MinConfidence = 10;
        settings.TradingDays[0] = DayOfWeek.Friday;

        Assert.Equal(60, copy.MinConfidence);
        Assert.Equal([DayOfWeek.Monday], copy.TradingDays);
    }

    [Fact]
    public void Run_time_changes_overlay_the_configured_settings_field_by_field()
    {
        var configured = new EngineSettings { MinConfidence = 65, CooldownSeconds = 30 };
        var first = EngineSettingsOverlay.Next(null, new EngineSettings { MinScore = 0.4 }, ["minScore"], Clocks.Now);
        var second = EngineSettingsOverlay.Next(first, new EngineSettings { MaxEntriesPerDay = 4, MinConfidence = 70 }, ["maxEntriesPerDay", "minConfidence"], Clocks.Now);

        var effective = EngineSettingsOverlay.Effective(configured, second);

        Assert.Equal(1, first.Version);
        Assert.Equal(2, second.Version);
        Assert.Equal(["maxEntriesPerDay", "minConfidence", "minScore"], second.Fields);
        Assert.Equal(2, effective.Version);
        Assert.Equal(0.4, effective.MinScore);
        Assert.Equal(4, effective.MaxEntriesPerDay);
        Assert.Equal(70, effective.MinConfidence);
        Assert.Equal(30, effective.CooldownSeconds); // configured, never changed at run time

        // A later configuration change still reaches the fields nobody set at run time.
        configured.CooldownSeconds = 90;
        configured.MinScore = 0.2;
        effective = EngineSettingsOverlay.Effective(configured, second);
        Assert.Equal(90, effective.CooldownSeconds);
        Assert.Equal(0.4, effective.MinScore);
    }

    [Fact]
    public void A_run_time_change_can_clear_an_optional_setting()
    {
        var configured = new EngineSettings { MaxEntriesPerDay = 5 };
        var stored = EngineSettingsOverlay.Next(null, new EngineSettings { MaxEntriesPerDay = null }, ["maxEntriesPerDay"], Clocks.Now);
        Assert.Null(EngineSettingsOverlay.Effective(configured, stored).MaxEntriesPerDay);
    }

    [Fact]
    public void Without_run_time_changes_the_configured_settings_apply()
    {
        var configured = new EngineSettings { MinConfidence = 65 };
        var effective = EngineSettingsOverlay.Effective(configured, null);
        Assert.Equal(65, effective.MinConfidence);
        Assert.NotSame(configured, effective);
    }

    [Fact]
    public void Every_setting_but_the_version_can_be_changed_at_run_time()
    {
        var names = typeof(EngineSettings).GetProperties()
            .Where(p => p.CanWrite && p.Name != nameof(EngineSettings.Version))
            .Select(p => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(p.Name))
            .Order(StringComparer.Ordinal);
        Assert.Equal(names, EngineSettingsOverlay.Fields.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_field_a_change_names_is_copied()
    {
        var change = new EngineSettings
        {
            StaleBars = 4, MinConfidence = 1, DefaultConfidence = 2, MinScore = 0.5, MinLiveTimeframes = 3, RequireHigherTimeframe = false,
            HtfConflictMinConfidence = 3, CooldownSeconds = 4, SettleMilliseconds = 5, BarCloseToleranceSeconds = 6, MaxDailyLossPct = 7,
            WarnDailyLossPct = 6, MaxTotalLossPct = 9, WarnTotalLossPct = 8, TotalLossBasis = TotalLossBasis.Peak, RiskDayStartUtc = new TimeOnly(22, 0),
            PnlSource = PnlSource.Model, RiskPerTradePct = 2, MaxPositionPct = 3, MaxEntriesPerDay = 4, TradingWindowStartUtc = new TimeOnly(1, 0),
            TradingWindowEndUtc = new TimeOnly(2, 0), TradingDays = [DayOfWeek.Sunday],
        };
        var stored = EngineSettingsOverlay.Next(null, change, EngineSettingsOverlay.Fields, Clocks.Now);

        var effective = EngineSettingsOverlay.Effective(new EngineSettings(), stored);

        foreach (var property in typeof(EngineSettings).GetProperties().Where(p => p.CanWrite && p.Name != nameof(EngineSettings.Version)))
        {
            var expected = property.GetValue(change);
            var actual = property.GetValue(effective);
            if (expected is DayOfWeek[] days)
            {
                Assert.Equal(days, (DayOfWeek[])actual!);
            }
            else
            {
                Assert.Equal(expected, actual);
            }
        }
    }
}
