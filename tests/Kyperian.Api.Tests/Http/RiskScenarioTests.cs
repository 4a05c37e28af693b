using System.Net;
using System.Text.Json.Nodes;
using Kyperian.Api.Tests.Http.Infrastructure;

namespace Kyperian.Api.Tests.Http;

/// <summary>
/// The kill switch and the loss limits over HTTP. The risk ledger is process-wide, so every test here runs its
/// own app instance.
/// </summary>
public sealed class RiskScenarioTests
{
    [Fact]
    public async Task The_kill_switch_vetoes_entries_lets_exits_through_and_resume_lifts_it()
    {
        await using var app = new KyperianFactory(KyperianFactory.LoneAlertsDecide);
        var client = app.CreateClient();
        var operatorClient = app.CreateOperatorClient();
        var opened = await DecideAsync(client, operatorClient, Alerts.Alert("KILLEXIT", "buy", "15", confidence: 90));
        Assert.Equal("EXECUTE", (string?)opened["verdict"]);

        using var halt = await operatorClient.PostAsync("/risk/halt", JsonContent(new JsonObject { ["reason"] = "FOMC in 10 minutes" }));
        var halted = await halt.ExpectAsync(HttpStatusCode.OK);
        Assert.True((bool)halted["halted"]!);
        Assert.Equal("FOMC in 10 minutes", (string?)halted["haltReason"]);
        using var risk = await operatorClient.GetAsync("/risk");
        Assert.True((bool)(await risk.ExpectAsync(HttpStatusCode.OK))["halted"]!);

        var entry = await DecideAsync(client, operatorClient, Alerts.Alert("KILLENTRY", "buy", "15", confidence: 90));
        Assert.Equal("VETO", (string?)entry["verdict"]);
        Assert.Equal(["KILL_SWITCH"], entry["reasons"].Strings());
        Assert.Equal("An operator halted entries: FOMC in 10 minutes.", (string?)entry["explanations"]![0]!["text"]);
        Assert.Equal(0, (double)entry["positionSizePct"]!);

        var exit = await DecideAsync(client, operatorClient, Alerts.Alert("KILLEXIT", "close", "15", confidence: 90));
        Assert.Equal("EXECUTE", (string?)exit["verdict"]);
        Assert.Equal("Exit", (string?)exit["action"]);

        using var resume = await operatorClient.PostAsync("/risk/resume", null);
        var resumed = await resume.ExpectAsync(HttpStatusCode.OK);
        Assert.False((bool)resumed["halted"]!);
        Assert.Null(resumed["haltReason"]);

        var after = await DecideAsync(client, operatorClient, Alerts.Alert("KILLAFTER", "buy", "15", confidence: 90));
        Assert.Equal("EXECUTE", (string?)after["verdict"]);
        Assert.True((double)after["positionSizePct"]! > 0);

        using var events = await operatorClient.GetAsync("/risk/events");
        Assert.Equal(["resume", "halt"], (await events.ExpectAsync(HttpStatusCode.OK)).AsArray().Select(e => (string)e!["kind"]!));
        using var audit = await operatorClient.GetAsync("/audit");
        Assert.Equal(["resume", "halt"], (await audit.ExpectAsync(HttpStatusCode.OK)).AsArray().Select(e => (string)e!["kind"]!));
    }

    [Fact]
    public async Task A_daily_loss_at_the_limit_vetoes_entries_but_not_exits()
    {
        await using var app = new KyperianFactory(KyperianFactory.LoneAlertsDecide);
        var client = app.CreateClient();
        var operatorClient = app.CreateOperatorClient();

        // 4 % lost: under the 5 % limit, entries still go.
        await RecordPnlAsync(operatorClient, -4);
        var under = await DecideAsync(client, operatorClient, Alerts.Alert("LOSSUNDER", "buy", "15", confidence: 80));
        Assert.Equal("EXECUTE", (string?)under["verdict"]);

        // Another 2 %: 6 % today.
        var risk = await RecordPnlAsync(operatorClient, -2);
        Assert.Equal(6, (double)risk["dailyLossPct"]!, 6);
        Assert.Equal(-6, (double)risk["realizedPnlTodayPct"]!, 6);
        Assert.Equal(5, (double)risk["maxDailyLossPct"]!);

        var entry = await DecideAsync(client, operatorClient, Alerts.Alert("LOSSOVER", "sell", "15", confidence: 80));
        Assert.Equal("VETO", (string?)entry["verdict"]);
        Assert.Equal(["RISK_LIMIT"], entry["reasons"].Strings());

        var exit = await DecideAsync(client, operatorClient, Alerts.Alert("LOSSUNDER", "flat", "15", confidence: 80));
        Assert.Equal("EXECUTE", (string?)exit["verdict"]);
        Assert.Equal("Exit", (string?)exit["action"]);
    }

    [Fact]
    public async Task With_a_peak_basis_a_drawdown_from_the_peak_at_the_total_limit_vetoes_entries()
    {
        await using var app = new KyperianFactory(KyperianFactory.LoneAlertsDecideWith(new Dictionary<string, string?>
        {
            ["Kyperian:Engine:TotalLossBasis"] = "Peak",
        }));
        var client = app.CreateClient();
        var operatorClient = app.CreateOperatorClient();

        // Up 8 %, then down 11 %: today is only -3 % (under the daily 5 %), but 11 % below the peak (over the total 10 %).
        await RecordPnlAsync(operatorClient, 8);
        var risk = await RecordPnlAsync(operatorClient, -11);
        Assert.Equal(3, (double)risk["dailyLossPct"]!, 6);
        Assert.Equal(11, (double)risk["drawdownPct"]!, 6);
        Assert.Equal(11, (double)risk["totalLossPct"]!, 6);

        var entry = await DecideAsync(client, operatorClient, Alerts.Alert("DRAWDOWN", "buy", "15", confidence: 80));
        Assert.Equal("VETO", (string?)entry["verdict"]);
        Assert.Equal(["RISK_LIMIT"], entry["reasons"].Strings());
    }

    [Fact]
    public async Task With_model_pnl_the_closed_trades_feed_the_ledger_and_reports_are_refused()
    {
        await using var app = new KyperianFactory(KyperianFactory.LoneAlertsDecideWith(new Dictionary<string, string?>
        {
            ["Kyperian:Engine:PnlSource"] = "Model",
        }));
        var client = app.CreateClient();
        var operatorClient = app.CreateOperatorClient();

        using (var refused = await operatorClient.PostAsync("/risk/pnl", JsonContent(new JsonObject { ["pnlPct"] = -1 })))
        {
            await refused.ExpectProblemAsync(HttpStatusCode.Conflict);
        }

        var entry = await DecideAsync(client, operatorClient, Alerts.Alert("MODELPNL", "buy", "15", price: 100m, confidence: 80));
        Assert.Equal(0.64, (double)entry["positionSizePct"]!, 6);
        var exit = await DecideAsync(client, operatorClient, Alerts.Alert("MODELPNL", "close", "15", price: 90m, confidence: 80));
        Assert.Equal(-10, (double)exit["closedTrade"]!["returnPct"]!, 6);

        // A 0.64 % position that lost 10 %: 0.064 % of the account, recorded a moment after the decision.
        var state = await HttpHelpers.EventuallyAsync(
            async () =>
            {
                using var risk = await operatorClient.GetAsync("/risk");
                var view = await risk.ExpectAsync(HttpStatusCode.OK);
                return (double)view["cumulativePnlPct"]! != 0 ? view : null;
            },
            "the model P&L in the ledger");
        Assert.Equal(-0.064, (double)state["cumulativePnlPct"]!, 6);
        Assert.Equal("Model", (string?)state["pnlSource"]);
    }

    [Fact]
    public async Task A_bad_pnl_report_is_400_naming_pnlPct_and_changes_nothing()
    {
        await using var app = new KyperianFactory(KyperianFactory.LoneAlertsDecide);
        var operatorClient = app.CreateOperatorClient();

        using var tooLarge = await operatorClient.PostAsync("/risk/pnl", JsonContent(new JsonObject { ["pnlPct"] = 150, ["note"] = "typo" }));
        Assert.Equal(["pnlPct"], (await tooLarge.ExpectProblemAsync(HttpStatusCode.BadRequest)).ErrorFields());

        using var missing = await operatorClient.PostRawAsync("/risk/pnl", "{\"note\":\"forgot the figure\"}", "application/json");
        Assert.Equal(["pnlPct"], (await missing.ExpectProblemAsync(HttpStatusCode.BadRequest)).ErrorFields());

        using var notJson = await operatorClient.PostRawAsync("/risk/pnl", "{\"pnlPct\":", "application/json");
        await notJson.ExpectProblemAsync(HttpStatusCode.BadRequest);

        using var wrongType = await operatorClient.PostRawAsync("/risk/pnl", "{\"pnlPct\":\"lots\"}", "application/json");
        await wrongType.ExpectProblemAsync(HttpStatusCode.BadRequest);

        using var asText = await operatorClient.PostRawAsync("/risk/pnl", "{\"pnlPct\":-1}", "text/plain");
        await asText.ExpectProblemAsync(HttpStatusCode.UnsupportedMediaType);

        using var risk = await operatorClient.GetAsync("/risk");
        var state = await risk.ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(0, (double)state["realizedPnlTodayPct"]!);
        Assert.Equal(0, (double)state["cumulativePnlPct"]!);
    }

    private static async Task<JsonNode> RecordPnlAsync(HttpClient operatorClient, double pnlPct)
    {
        using var response = await operatorClient.PostAsync("/risk/pnl", JsonContent(new JsonObject { ["pnlPct"] = pnlPct, ["note"] = "closed trade" }));
        return await response.ExpectAsync(HttpStatusCode.OK);
    }

    private static async Task<JsonNode> DecideAsync(HttpClient client, HttpClient operatorClient, JsonObject alert)
    {
        var signalId = await client.AcceptAsync(alert);
        return await operatorClient.DecisionAsync(signalId);
    }

    private static StringContent JsonContent(JsonNode body) =>
        new(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
}
