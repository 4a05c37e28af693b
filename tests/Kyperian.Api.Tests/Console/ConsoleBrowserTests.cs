using System.Net;
using Kyperian.Api.Tests.Http.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Kyperian.Api.Tests.Console;

/// <summary>The operator console in a real browser, against the app on a real socket, as an operator uses it.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ConsoleBrowserTests(Browser browser)
{
    [Fact]
    public async Task Alerts_show_up_in_the_matrix_the_decision_list_with_its_explanation_and_the_veto_chart_without_console_errors()
    {
        await using var app = new ConsoleApp();
        using var webhook = app.CreateClient();
        var now = DateTimeOffset.UtcNow;

        // BTCUSDT: every timeframe bullish; the first executes, the next two meet its cooldown.
        await webhook.AcceptAsync(Alerts.Alert("BTCUSDT", "buy", "240", confidence: 90));
        await webhook.AcceptAsync(Alerts.Alert("BTCUSDT", "buy", "60", confidence: 75));
        await webhook.AcceptAsync(Alerts.Alert("BTCUSDT", "buy", "15", confidence: 60));

        // ETHUSDT: a confident sell now on 15, and a 1-minute buy from ten minutes ago, stale by now.
        await webhook.AcceptAsync(Alerts.Alert("ETHUSDT", "sell", "15", price: 3150m, confidence: 85));
        await webhook.AcceptAsync(Alerts.Alert("ETHUSDT", "buy", "1", price: 3149m, confidence: 70, time: now.AddMinutes(-10)));
        await WaitForDecisionsAsync(app, 5);

        var tab = await browser.OpenAsync(app.ConsoleAddress);
        var page = tab.Page;
        await Expect(page.Locator("#key-form")).ToBeVisibleAsync();
        await tab.EnterKeyAsync(KyperianFactory.OperatorKey);

        // The matrix: colour for direction, intensity for confidence, stale greyed.
        var btc = page.Locator("#matrix tbody tr[data-symbol='BTCUSDT']");
        await Expect(btc.Locator("td[data-timeframe='4h']")).ToHaveAttributeAsync("data-direction", "up");
        await Expect(btc.Locator("td[data-timeframe='4h']")).ToHaveTextAsync("▲ 90");
        await Expect(btc.Locator("td[data-timeframe='15m']")).ToHaveAttributeAsync("data-live", "true");
        var eth = page.Locator("#matrix tbody tr[data-symbol='ETHUSDT']");
        await Expect(eth.Locator("td[data-timeframe='15m']")).ToHaveAttributeAsync("data-direction", "down");
        await Expect(eth.Locator("td[data-timeframe='1m']")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("\\bstale\\b"));
        await Expect(btc.Locator("td[data-timeframe='4h']")).ToHaveCSSAsync("background-color", new System.Text.RegularExpressions.Regex("rgba?\\(22, 150, 80"));

        // The decisions, in words.
        await Expect(page.Locator("#decisions li")).ToHaveCountAsync(5);
        await Expect(page.Locator("#decisions li[data-verdict='EXECUTE']", new PageLocatorOptions { HasText = "Executed EnterLong: score" })).ToHaveCountAsync(1);
        await Expect(page.Locator("#decisions li[data-verdict='EXECUTE']", new PageLocatorOptions { HasText = "Executed EnterShort: score" })).ToHaveCountAsync(1);
        await Expect(page.Locator("#decisions li", new PageLocatorOptions { HasText = "COOLDOWN" }).First).ToBeVisibleAsync();

        // The veto chart: one bar per reason.
        await Expect(page.Locator("#veto-chart g[data-reason='COOLDOWN'] rect.bar")).ToHaveCountAsync(1);
        await Expect(page.Locator("#veto-chart g[data-reason='STALE_SIGNAL']")).ToHaveCountAsync(1);

        // Risk and health.
        await Expect(page.Locator("#risk-state")).ToHaveTextAsync("Trading: entries allowed");
        await Expect(page.Locator("#health-state")).ToHaveTextAsync("Healthy");

        // A decision made while the page is open arrives live, without a reload.
        await Expect(page.Locator("#connection")).ToHaveTextAsync("live");
        var live = await webhook.AcceptAsync(Alerts.Alert("SOLUSDT", "buy", "60", price: 180m, confidence: 88));
        var decisionId = "dec_" + live["sig_".Length..];
        await Expect(page.Locator($"#decisions li[data-decision-id='{decisionId}']")).ToBeVisibleAsync();
        await Expect(page.Locator("#matrix tbody tr[data-symbol='SOLUSDT']")).ToBeVisibleAsync();

        // A dry run for one symbol, from the matrix.
        await btc.Locator("th button").ClickAsync();
        await Expect(page.Locator("#symbol-detail")).ToContainTextAsync("A BUY on 15m now");

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browser.ArtifactsFolder, "console.png"), FullPage = true });
        Assert.DoesNotContain(KyperianFactory.OperatorKey, await page.ContentAsync(), StringComparison.Ordinal);
        Assert.Empty(tab.Errors);
        await page.CloseAsync();
    }

    [Fact]
    public async Task Halting_from_the_page_after_a_confirmation_vetoes_the_next_entry_and_resume_lifts_it()
    {
        await using var app = new ConsoleApp();
        using var webhook = app.CreateClient();
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

        await page.Locator("#halt-button").ClickAsync();
        await page.Locator("#confirm-reason").FillAsync("news at 14:30");
        await page.Locator("#confirm-ok").ClickAsync();
        await Expect(page.Locator("#risk-state")).ToHaveTextAsync("Halted: news at 14:30");
        await Expect(page.Locator("#halt-button")).ToBeDisabledAsync();

        var signalId = await webhook.AcceptAsync(Alerts.Alert("BTCUSDT", "buy", "60", confidence: 90));
        var decision = await app.CreateOperatorClient().DecisionAsync(signalId);
        Assert.Equal("VETO", (string?)decision["verdict"]);
        Assert.Contains("KILL_SWITCH", decision["reasons"].Strings());
        var item = page.Locator($"#decisions li[data-decision-id='{(string?)decision["decisionId"]}']");
        await Expect(item).ToContainTextAsync("KILL_SWITCH");

        await page.Locator("#resume-button").ClickAsync();
        await page.Locator("#confirm-ok").ClickAsync();
        await Expect(page.Locator("#risk-state")).ToHaveTextAsync("Trading: entries allowed");
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
