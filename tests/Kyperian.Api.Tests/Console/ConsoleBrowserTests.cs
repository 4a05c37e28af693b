using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Kyperian.Api.Tests.Http.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Kyperian.Api.Tests.Console;

/// <summary>
/// The operator console in a real browser, against the app on a real socket, as an operator uses it. The first test's
/// screenshot is the README's (scripts/test.sh copies it to docs/console.png).
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ConsoleBrowserTests(Browser browser)
{
    [Fact]
    public async Task Alerts_show_the_matrix_the_position_the_decisions_in_words_the_veto_chart_risk_and_settings_without_console_errors()
    {
        // The engine's own rules (two agreeing live timeframes, one higher), each alert decided as it comes.
        await using var app = new ConsoleApp(new Dictionary<string, string?> { ["Kyperian:Engine:SettleMilliseconds"] = "0" });
        using var webhook = app.CreateClient();
        using var operators = app.CreateOperatorClient();
        var now = DateTimeOffset.UtcNow;
        async Task<JsonNode> DecideAsync(JsonObject alert) => await operators.DecisionAsync(await webhook.AcceptAsync(alert));

        // BTCUSDT: the 4h alone is not enough; the 1h beside it opens a long; a 15m buy after that finds it open.
        Assert.Equal("VETO", (string?)(await DecideAsync(Alerts.Alert("BTCUSDT", "buy", "240", price: 97000m, confidence: 90)))["verdict"]);
        Assert.Equal("EXECUTE", (string?)(await DecideAsync(Alerts.Alert("BTCUSDT", "buy", "60", price: 97250.5m, confidence: 75)))["verdict"]);
        Assert.Contains("ALREADY_IN_POSITION", (await DecideAsync(Alerts.Alert("BTCUSDT", "buy", "15", price: 97300m, confidence: 60)))["reasons"].Strings());

        // ETHUSDT: a confident sell now on 15, alone; a 1-minute buy sent ten minutes ago, stale by now.
        await DecideAsync(Alerts.Alert("ETHUSDT", "sell", "15", price: 3150m, confidence: 85));
        Assert.Contains("STALE_SIGNAL", (await DecideAsync(Alerts.Alert("ETHUSDT", "buy", "1", price: 3149m, confidence: 70, time: now.AddMinutes(-10))))["reasons"].Strings());

        var tab = await browser.OpenAsync(app.ConsoleAddress);
        var page = tab.Page;
        await Expect(page.Locator("#key-form")).ToBeVisibleAsync();
        await tab.EnterKeyAsync(KyperianFactory.OperatorKey);

        // The matrix: colour for direction, intensity for confidence, stale greyed; the position of each symbol.
        var btc = page.Locator("#matrix tbody tr[data-symbol='BTCUSDT']");
        await Expect(btc.Locator("td[data-timeframe='4h']")).ToHaveAttributeAsync("data-direction", "up");
        await Expect(btc.Locator("td[data-timeframe='4h']")).ToHaveTextAsync("▲ 90");
        await Expect(btc.Locator("td[data-timeframe='15m']")).ToHaveAttributeAsync("data-live", "true");
        await Expect(btc.Locator("td.position")).ToHaveAttributeAsync("data-side", "Long");
        await Expect(btc.Locator("td.position")).ToHaveTextAsync(new Regex("^Long [0-9.]+ % at 97250\\.5$"));
        var eth = page.Locator("#matrix tbody tr[data-symbol='ETHUSDT']");
        await Expect(eth.Locator("td[data-timeframe='15m']")).ToHaveAttributeAsync("data-direction", "down");
        await Expect(eth.Locator("td[data-timeframe='1m']")).ToHaveClassAsync(new Regex("\\bstale\\b"));
        await Expect(eth.Locator("td.position")).ToHaveTextAsync("Flat");
        await Expect(btc.Locator("td[data-timeframe='4h']")).ToHaveCSSAsync("background-color", new Regex("rgba?\\(22, 150, 80"));

        // Open positions, from the position book.
        await Expect(page.Locator("#positions tbody tr")).ToHaveCountAsync(1);
        await Expect(page.Locator("#positions tbody tr[data-symbol='BTCUSDT']")).ToHaveAttributeAsync("data-side", "Long");

        // The decisions, each in one line of words.
        await Expect(page.Locator("#decisions li")).ToHaveCountAsync(5);
        await Expect(page.Locator("#decisions li[data-verdict='EXECUTE']", new PageLocatorOptions { HasText = "Opened Long" })).ToHaveCountAsync(1);
        await Expect(page.Locator("#decisions li", new PageLocatorOptions { HasText = "No live timeframe above 4h agrees with this BUY." })).ToHaveCountAsync(1);
        await Expect(page.Locator("#decisions li", new PageLocatorOptions { HasText = "BTCUSDT is already Long" })).ToHaveCountAsync(1);

        // The veto chart: one bar per reason.
        await Expect(page.Locator("#veto-chart g[data-reason='TOO_FEW_TIMEFRAMES'] rect.bar")).ToHaveCountAsync(1);
        await Expect(page.Locator("#veto-chart g[data-reason='ALREADY_IN_POSITION']")).ToHaveCountAsync(1);
        await Expect(page.Locator("#veto-chart g[data-reason='STALE_SIGNAL']")).ToHaveCountAsync(1);

        // The track record: the model's trades (none closed yet), and what the lone entries would have returned by the
        // latest price after each: BTCUSDT's 4h buy at 97,000 (+0.309 % at 97,300), ETHUSDT's sell at 3,150 (+0.032 % at
        // 3,149), ETHUSDT's stale buy (no price after it).
        await Expect(page.Locator("#performance-summary")).ToContainTextAsync("0 closed trades");
        await Expect(page.Locator("#performance-vetoes li[data-reason='TOO_FEW_TIMEFRAMES']"))
            .ToHaveTextAsync("TOO_FEW_TIMEFRAMES vetoed 3 entries: they would have returned +0.341 % in total (1 without a price to value it by).");

        // Risk, health, the settings in force and the audit log.
        await Expect(page.Locator("#risk-state")).ToHaveTextAsync("Trading: entries allowed");
        await Expect(page.Locator("#health-state")).ToHaveTextAsync("Healthy");
        await Expect(page.Locator("#settings-version")).ToHaveTextAsync("(version 0: as configured)");
        await Expect(page.Locator("#audit-empty")).ToBeVisibleAsync();

        // What happens while the page is open arrives without a reload: a decision, a settings change, losses.
        await Expect(page.Locator("#connection")).ToHaveTextAsync("live");
        var live = await webhook.AcceptAsync(Alerts.Alert("SOLUSDT", "buy", "60", price: 180m, confidence: 88));
        await Expect(page.Locator($"#decisions li[data-decision-id='dec_{live["sig_".Length..]}']")).ToBeVisibleAsync();
        await Expect(page.Locator("#matrix tbody tr[data-symbol='SOLUSDT']")).ToBeVisibleAsync();

        using (var changed = await operators.PutAsJsonAsync("/settings/engine", new { cooldownSeconds = 30 }))
        {
            await changed.ExpectAsync(HttpStatusCode.OK);
        }

        await Expect(page.Locator("#settings-version")).ToHaveTextAsync("(version 1: cooldownSeconds changed at run time)");
        await Expect(page.Locator("#audit li[data-kind='settingsChange']")).ToContainTextAsync("Engine settings version 1: cooldownSeconds set.");

        await ReportPnlAsync(operators, -4.2);
        await Expect(page.Locator("#risk-events li[data-kind='warning']")).ToContainTextAsync("Daily loss is 4.2 %");
        await Expect(page.Locator("#risk-state")).ToHaveTextAsync("Trading, past the daily loss warning");
        await ReportPnlAsync(operators, -1.3);
        await Expect(page.Locator("#risk-events li[data-kind='breach']")).ToContainTextAsync("entries are vetoed until the next trading day");
        await Expect(page.Locator("#risk-state")).ToHaveTextAsync(new Regex("^Daily loss limit reached: entries vetoed until "));
        await Expect(page.Locator("#audit li[data-kind='pnlReport']")).ToHaveCountAsync(2);

        // A dry run for one symbol, from the matrix: by the rules in force, on its position and today's risk.
        await btc.Locator("th button").ClickAsync();
        var detail = page.Locator("#symbol-detail");
        await Expect(detail.Locator("p[data-action='Buy']")).ToContainTextAsync("A BUY on 15m now (EnterLong): VETO");
        await Expect(detail.Locator("p[data-action='Buy']")).ToContainTextAsync("BTCUSDT is already Long");
        await Expect(detail.Locator("p[data-action='Buy']")).ToContainTextAsync("no entries until the next trading day");
        await Expect(detail.Locator("p[data-action='Sell']")).ToContainTextAsync("(Reverse): VETO");
        await Expect(detail.Locator("p[data-action='Close']")).ToContainTextAsync("(Exit): EXECUTE Closed Long at 97300");
        await Expect(detail).ToContainTextAsync("settings version 1");

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browser.ArtifactsFolder, "console.png"), FullPage = true });
        Assert.DoesNotContain(KyperianFactory.OperatorKey, await page.ContentAsync(), StringComparison.Ordinal);
        Assert.Empty(tab.Errors);
        await page.CloseAsync();
    }

    [Fact]
    public async Task Halting_from_the_page_after_a_confirmation_vetoes_the_next_entry_and_resume_lifts_it()
    {
        // One alert is enough here: an entry the halt does not veto executes.
        await using var app = new ConsoleApp(KyperianFactory.LoneAlertsDecide);
        using var webhook = app.CreateClient();
        using var operators = app.CreateOperatorClient();
        var tab = await browser.OpenAsync(app.ConsoleAddress);
        var page = tab.Page;
        await tab.EnterKeyAsync(KyperianFactory.OperatorKey);
        await Expect(page.Locator("#risk-state")).ToHaveTextAsync("Trading: entries allowed");

        // Cancelling the dialog changes nothing.
        await page.Locator("#halt-button").ClickAsync();
        await Expect(page.Locator("#confirm-dialog")).ToBeVisibleAsync();
        await page.Locator("#confirm-dialog button[value='cancel']").ClickAsync();
        await Expect(page.Locator("#confirm-dialog")).ToBeHiddenAsync();
        await Expect(page.Locator("#risk-state")).ToHaveTextAsync("Trading: entries allowed");
        await Expect(page.Locator("#audit li")).ToHaveCountAsync(0);

        await page.Locator("#halt-button").ClickAsync();
        await page.Locator("#confirm-reason").FillAsync("news at 14:30");
        await page.Locator("#confirm-ok").ClickAsync();
        await Expect(page.Locator("#risk-state")).ToHaveTextAsync("Halted: news at 14:30");
        await Expect(page.Locator("#halt-button")).ToBeDisabledAsync();
        await Expect(page.Locator("#risk-events li[data-kind='halt']")).ToContainTextAsync("An operator halted entries: news at 14:30.");
        await Expect(page.Locator("#audit li[data-kind='halt']")).ToContainTextAsync("Entries halted. Note: news at 14:30");

        var decision = await operators.DecisionAsync(await webhook.AcceptAsync(Alerts.Alert("BTCUSDT", "buy", "60", confidence: 90)));
        Assert.Equal("VETO", (string?)decision["verdict"]);
        Assert.Equal(["KILL_SWITCH"], decision["reasons"].Strings());
        var item = page.Locator($"#decisions li[data-decision-id='{(string?)decision["decisionId"]}']");
        await Expect(item).ToContainTextAsync("Vetoed: An operator halted entries: news at 14:30.");

        await page.Locator("#resume-button").ClickAsync();
        await page.Locator("#confirm-ok").ClickAsync();
        await Expect(page.Locator("#risk-state")).ToHaveTextAsync("Trading: entries allowed");
        await Expect(page.Locator("#risk-events li[data-kind='resume']")).ToContainTextAsync("An operator resumed entries.");

        // The next entry executes, and its position shows.
        var entry = await operators.DecisionAsync(await webhook.AcceptAsync(Alerts.Alert("ETHUSDT", "buy", "60", price: 3150m, confidence: 90)));
        Assert.Equal("EXECUTE", (string?)entry["verdict"]);
        await Expect(page.Locator($"#decisions li[data-decision-id='{(string?)entry["decisionId"]}']")).ToContainTextAsync("Opened Long");
        await Expect(page.Locator("#positions tbody tr[data-symbol='ETHUSDT']")).ToHaveAttributeAsync("data-side", "Long");
        Assert.Empty(tab.Errors);
        await page.CloseAsync();
    }

    [Fact]
    public async Task A_wrong_key_shows_an_error_and_no_data()
    {
        await using var app = new ConsoleApp();
        using var webhook = app.CreateClient();
        await webhook.AcceptAsync(Alerts.Alert("SECRETUSDT", "buy", "60", confidence: 90));
        await WaitForDecisionsAsync(app, 1);

        var tab = await browser.OpenAsync(app.ConsoleAddress);
        var page = tab.Page;
        await tab.EnterKeyAsync("not-the-operator-key");

        await Expect(page.Locator("#error")).ToHaveTextAsync("The operator key was refused.");
        await Expect(page.Locator("#key-form")).ToBeVisibleAsync();
        await Expect(page.Locator("#dashboard")).ToBeHiddenAsync();
        Assert.DoesNotContain("SECRETUSDT", await page.ContentAsync(), StringComparison.Ordinal);
        Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('kyperian.operatorKey')"));

        // The right key afterwards opens it, and is kept for the tab's session only.
        await tab.EnterKeyAsync(KyperianFactory.OperatorKey);
        await Expect(page.Locator("#matrix tbody tr[data-symbol='SECRETUSDT']")).ToBeVisibleAsync();
        await page.ReloadAsync();
        await Expect(page.Locator("#matrix tbody tr[data-symbol='SECRETUSDT']")).ToBeVisibleAsync();
        await Expect(page.Locator("#key-form")).ToBeHiddenAsync();
        var other = await browser.Context.NewPageAsync();
        await other.GotoAsync(app.ConsoleAddress.ToString());
        await Expect(other.Locator("#key-form")).ToBeVisibleAsync();
        await other.CloseAsync();
        await page.CloseAsync();
    }

    [Fact]
    public async Task In_development_without_a_key_the_page_is_open_and_says_so()
    {
        await using var app = new ConsoleApp(new Dictionary<string, string?> { ["Kyperian:Operator:ApiKey"] = null }, environment: "Development");
        using var webhook = app.CreateClient();
        await webhook.AcceptAsync(Alerts.Alert("OPENUSDT", "buy", "60", confidence: 90));

        var tab = await browser.OpenAsync(app.ConsoleAddress);
        var page = tab.Page;
        await Expect(page.Locator("#open-notice")).ToBeVisibleAsync();
        await Expect(page.Locator("#key-form")).ToBeHiddenAsync();
        await Expect(page.Locator("#matrix tbody tr[data-symbol='OPENUSDT']")).ToBeVisibleAsync();
        Assert.Empty(tab.Errors);
        await page.CloseAsync();
    }

    [Fact]
    public async Task On_a_phone_in_dark_mode_nothing_overflows_the_screen_and_the_page_is_dark()
    {
        await using var app = new ConsoleApp();
        using var webhook = app.CreateClient();
        foreach (var (symbol, timeframe) in new[] { ("BTCUSDT", "1"), ("BTCUSDT", "5"), ("BTCUSDT", "15"), ("BTCUSDT", "60"), ("BTCUSDT", "240"), ("BTCUSDT", "D") })
        {
            await webhook.AcceptAsync(Alerts.Alert(symbol, "buy", timeframe, confidence: 80));
        }

        var tab = await browser.OpenAsync(app.ConsoleAddress, width: 390, height: 844, scheme: ColorScheme.Dark);
        var page = tab.Page;
        await tab.EnterKeyAsync(KyperianFactory.OperatorKey);
        await Expect(page.Locator("#matrix tbody tr[data-symbol='BTCUSDT'] td[data-timeframe='1D']")).ToBeVisibleAsync();

        // The wide matrix scrolls inside its card; the page itself never scrolls sideways.
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"));
        var background = await page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");
        Assert.Equal("rgb(15, 18, 22)", background);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browser.ArtifactsFolder, "console-phone-dark.png"), FullPage = true });
        Assert.Empty(tab.Errors);
        await page.CloseAsync();
    }

    private static async Task ReportPnlAsync(HttpClient operators, double pnlPct)
    {
        using var response = await operators.PostAsJsonAsync("/risk/pnl", new { pnlPct });
        await response.ExpectAsync(HttpStatusCode.OK);
    }

    private static async Task WaitForDecisionsAsync(ConsoleApp app, int count)
    {
        using var client = app.CreateOperatorClient();
        await HttpHelpers.EventuallyAsync(
            async () =>
            {
                using var response = await client.GetAsync("/decisions?limit=500");
                var decisions = (await response.ExpectAsync(HttpStatusCode.OK))["decisions"]!.AsArray();
                return decisions.Count >= count ? decisions : null;
            },
            $"{count} decisions",
            TimeSpan.FromSeconds(20));
    }
}
