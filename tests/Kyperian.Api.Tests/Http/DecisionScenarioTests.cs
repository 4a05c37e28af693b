using System.Net;
using System.Text.Json.Nodes;
using Kyperian.Api.Tests.Http.Infrastructure;

namespace Kyperian.Api.Tests.Http;

/// <summary>The decision rules over HTTP, default engine settings: each test its own symbols.</summary>
public sealed class DecisionScenarioTests(ClockedFixture factory) : IClassFixture<ClockedFixture>
{
    private readonly HttpClient _client = factory.CreateClient();
    private readonly HttpClient _operator = factory.CreateOperatorClient();

    private DateTimeOffset Now => factory.Clock.GetUtcNow();

    /// <summary>w = max(1, log2(minutes) + 1).</summary>
    private static double Weight(double minutes) => Math.Max(1, Math.Log2(minutes) + 1);

    [Fact]
    public async Task Aligned_timeframes_execute_the_15m_entry_with_a_size_from_score_and_confidence()
    {
        // The defaults, on a bar close: the 4h, 1h and 15m alerts of 04:00 are decided together, on the 15m.
        await using var app = new TradingApp(TradingApp.At(3, 50));
        await app.KnowsAsync("ALIGNUSDT", "240", "60", "15");
        app.MoveTo(TradingApp.At(4, 0, 1.2));
        await app.AlertAsync("ALIGNUSDT", "buy", "240", 80, 101m, TradingApp.At(4, 0, 1));
        await app.AlertAsync("ALIGNUSDT", "buy", "60", 70, 101m, TradingApp.At(4, 0, 1));
        var decision = await app.DecisionAsync(await app.AlertAsync("ALIGNUSDT", "buy", "15", 75, 101m, TradingApp.At(4, 0, 1)));

        Assert.Equal("EXECUTE", (string?)decision["verdict"]);
        Assert.Equal("EnterLong", (string?)decision["action"]);
        Assert.Equal("15m", (string?)decision["timeframe"]);
        Assert.Empty(decision["reasons"]!.AsArray());
        Assert.Equal(1.0, (double)decision["alignment"]!, 6);

        var inputs = decision["inputs"]!.AsArray();
        Assert.Equal(["15m", "1h", "4h"], inputs.Select(i => (string)i!["timeframe"]!));
        Assert.All(inputs, i => Assert.True((bool)i!["live"]!));
        Assert.All(inputs, i => Assert.Equal(1, (int)i!["direction"]!));

        var expectedScore = ((Weight(240) * 0.80) + (Weight(60) * 0.70) + (Weight(15) * 0.75)) / (Weight(240) + Weight(60) + Weight(15));
        Assert.Equal(expectedScore, (double)decision["score"]!, 5);
        var size = (double)decision["positionSizePct"]!;
        Assert.True(size > 0);
        Assert.Equal(1.0 * expectedScore * 0.75, size, 3);   // RiskPerTradePct × score × confidence
    }

    [Fact]
    public async Task A_confident_higher_timeframe_pointing_the_other_way_vetoes_the_entry()
    {
        await DecideAsync(Alerts.Alert("CONFLICTUSDT", "sell", "240", confidence: 80, time: Now));
        factory.Clock.Advance(TimeSpan.FromSeconds(61));   // past the cooldown of the 4h short

        var decision = await DecideAsync(Alerts.Alert("CONFLICTUSDT", "buy", "15", confidence: 80, time: Now));

        // The 4h short is open: the buy would reverse it.
        Assert.Equal("VETO", (string?)decision["verdict"]);
        Assert.Equal("Reverse", (string?)decision["action"]);
        Assert.Contains("HTF_CONFLICT", decision["reasons"].Strings());
        Assert.DoesNotContain("COOLDOWN", decision["reasons"].Strings());
        Assert.Equal(0, (double)decision["positionSizePct"]!);
        Assert.True((double)decision["score"]! < 0);
    }

    [Fact]
    public async Task A_higher_timeframe_below_the_conflict_confidence_does_not_veto_as_a_conflict()
    {
        await DecideAsync(Alerts.Alert("MILDUSDT", "sell", "240", confidence: 40, time: Now));
        factory.Clock.Advance(TimeSpan.FromSeconds(61));

        var decision = await DecideAsync(Alerts.Alert("MILDUSDT", "buy", "15", confidence: 90, time: Now));

        Assert.DoesNotContain("HTF_CONFLICT", decision["reasons"].Strings());
    }

    [Fact]
    public async Task A_second_entry_within_the_cooldown_is_vetoed_and_one_after_it_executes()
    {
        var first = await DecideAsync(Alerts.Alert("COOLUSDT", "buy", "15", confidence: 80, time: Now));
        Assert.Equal("EXECUTE", (string?)first["verdict"]);

        // 30 s later the 15m turns: the reversal waits for the cooldown.
        factory.Clock.Advance(TimeSpan.FromSeconds(30));
        var second = await DecideAsync(Alerts.Alert("COOLUSDT", "sell", "15", confidence: 80, time: Now));
        Assert.Equal("VETO", (string?)second["verdict"]);
        Assert.Equal("Reverse", (string?)second["action"]);
        Assert.Equal(["COOLDOWN"], second["reasons"].Strings());
        Assert.Equal(0, (double)second["positionSizePct"]!);

        factory.Clock.Advance(TimeSpan.FromSeconds(31));
        var third = await DecideAsync(Alerts.Alert("COOLUSDT", "sell", "15", confidence: 80, price: 102m, time: Now));
        Assert.Equal("EXECUTE", (string?)third["verdict"]);
        Assert.Equal("Reverse", (string?)third["action"]);
    }

    [Theory]
    [InlineData("STALE15A", "15", 20, true)]
    [InlineData("STALE15B", "15", 10, false)]
    [InlineData("STALE1M", "1", 2, true)]
    [InlineData("STALE4H", "240", 20, false)]
    public async Task An_alert_older_than_one_bar_of_its_timeframe_is_stale(string symbol, string timeframe, int minutesOld, bool stale)
    {
        var decision = await DecideAsync(Alerts.Alert(symbol, "buy", timeframe, confidence: 80, time: Now.AddMinutes(-minutesOld)));

        if (stale)
        {
            Assert.Equal("VETO", (string?)decision["verdict"]);
            Assert.Contains("STALE_SIGNAL", decision["reasons"].Strings());
        }
        else
        {
            Assert.Equal("EXECUTE", (string?)decision["verdict"]);
            Assert.Empty(decision["reasons"]!.AsArray());
        }
    }

    [Fact]
    public async Task An_exit_executes_with_size_0_even_against_the_trend_and_inside_the_cooldown()
    {
        var entry = await DecideAsync(Alerts.Alert("EXITUSDT", "sell", "240", confidence: 90, time: Now));
        Assert.Equal("EXECUTE", (string?)entry["verdict"]);

        var exit = await DecideAsync(Alerts.Alert("EXITUSDT", "exit", "15", confidence: 10, time: Now));

        Assert.Equal("EXECUTE", (string?)exit["verdict"]);
        Assert.Equal("Exit", (string?)exit["action"]);
        Assert.Empty(exit["reasons"]!.AsArray());
        Assert.Equal(0, (double)exit["positionSizePct"]!);
    }

    [Fact]
    public async Task A_low_confidence_entry_is_vetoed()
    {
        var decision = await DecideAsync(Alerts.Alert("SHYUSDT", "buy", "15", confidence: 55, time: Now));

        Assert.Equal("VETO", (string?)decision["verdict"]);
        Assert.Contains("LOW_CONFIDENCE", decision["reasons"].Strings());
    }

    [Fact]
    public async Task Without_time_or_id_a_resend_across_a_window_boundary_is_a_duplicate_and_the_same_alert_later_is_new()
    {
        // Half a second before a 300 s dedupe window ends.
        var now = Now.ToUnixTimeMilliseconds();
        var untilBoundary = 300_000 - (now % 300_000);
        factory.Clock.Advance(TimeSpan.FromMilliseconds(untilBoundary - 500));
        var alert = Alerts.Alert("WINDOWEDGE");
        var first = await _client.AcceptAsync(alert);

        factory.Clock.Advance(TimeSpan.FromSeconds(1));   // into the next window
        using (var resend = await _client.PostAlertAsync(alert))
        {
            Assert.Equal(first, (string?)(await resend.ExpectAsync(HttpStatusCode.OK))["signalId"]);
        }

        factory.Clock.Advance(TimeSpan.FromMinutes(10));
        var later = await _client.AcceptAsync(alert);
        Assert.NotEqual(first, later);
    }

    [Fact]
    public async Task An_alert_with_an_id_is_a_duplicate_for_good_even_after_the_dedupe_window()
    {
        var alert = Alerts.Alert("FORGOODUSDT", id: "for-good-1");
        var first = await _client.AcceptAsync(alert);

        factory.Clock.Advance(TimeSpan.FromHours(2));
        using var resend = await _client.PostAlertAsync(alert);

        var answer = await resend.ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(first, (string?)answer["signalId"]);
        Assert.Equal("duplicate", (string?)answer["status"]);
    }

    private async Task<JsonNode> DecideAsync(JsonObject alert)
    {
        var signalId = await _client.AcceptAsync(alert);
        var decision = await _operator.DecisionAsync(signalId);
        Assert.Equal(signalId, (string?)decision["signalId"]);
        return decision;
    }
}
