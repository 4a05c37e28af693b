using System.Globalization;
using System.Net;
using Kyperian.Api.Tests.Http.Infrastructure;
using static Kyperian.Api.Tests.Http.Infrastructure.TradingApp;

namespace Kyperian.Api.Tests.Notify;

/// <summary>
/// Engine v2 as a trader meets it on the phone: the whole app on a test clock, with a Slack webhook and a signed
/// webhook (its receiver verifies the signature) on loopback. A bar-close burst is one EXECUTE told once, with its
/// position move and why; the exit says what it closed; the risk events operators and the engine record are told,
/// each once, through the outbox.
/// </summary>
public sealed class EngineNotificationTests : IAsyncLifetime
{
    private const string Secret = "whsec-engine-test-0123456789abcdef";

    private readonly SlackReceiver _slack = new();
    private readonly WebhookReceiver _webhook = new(Secret);

    public async Task InitializeAsync()
    {
        await _slack.InitializeAsync();
        await _webhook.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _slack.DisposeAsync();
        await _webhook.DisposeAsync();
    }

    [Fact]
    public async Task A_bar_close_burst_is_one_EXECUTE_told_once_with_its_move_and_the_exit_says_what_it_closed()
    {
        await using var app = new TradingApp(At(3, 50), Destinations());
        await app.KnowsAsync("TOLD", "240", "60", "15");

        // 04:00: the 4h, 15m and 1h alerts of one bar close, decided together.
        app.MoveTo(At(4, 0, 1.1));
        var h4 = await app.AlertAsync("TOLD", "buy", "240", 75, 101m, At(4, 0, 1));
        app.MoveTo(At(4, 0, 1.4));
        var m15 = await app.AlertAsync("TOLD", "buy", "15", 80, 101.2m, At(4, 0, 1));
        app.MoveTo(At(4, 0, 1.9));
        var h1 = await app.AlertAsync("TOLD", "buy", "60", 70, 101.1m, At(4, 0, 1));
        var entry = await app.DecisionAsync(h1);
        Assert.Equal(("EXECUTE", 3), (entry.Verdict(), entry["memberSignalIds"]!.AsArray().Count));

        var told = await HttpHelpers.EventuallyAsync(
            () => Task.FromResult(_webhook.Accepted.Count == 1 && _slack.Accepted.Count == 1 ? _webhook.Accepted.Single() : null),
            "the EXECUTE at both destinations");
        Assert.Equal("decision.execute", told.Header("X-Kyperian-Event"));
        Assert.Equal((string?)entry["decisionId"], (string?)told.Json["decisionId"]);
        Assert.Equal([h4, m15, h1], told.Json["memberSignalIds"].Strings());
        Assert.Equal("Enter long", (string?)told.Json["move"]);
        var size = Math.Round(entry["positionSizePct"].Number(), 2);
        Assert.Equal(
            string.Create(CultureInfo.InvariantCulture, $"🟢 BUY TOLD {size:0.##}% @ 101.2 · 15m\nEnter long · Score +{entry["score"].Number():0.00} · 3 of 3 timeframes agree (15m, 1h, 4h)."),
            Assert.Single(_slack.Accepted).Json["text"]!.GetValue<string>());

        // Every member's id finds the one decision.
        foreach (var member in new[] { h4, m15, h1 })
        {
            Assert.Equal((string?)entry["decisionId"], (string?)(await app.DecisionAsync(member))["decisionId"]);
        }

        // 04:15: the 15m closes the long, 0.4 % higher.
        app.MoveTo(At(4, 15, 1.1));
        var exit = await app.DecideAsync("TOLD", "close", "15", 80, 101.6m, At(4, 15, 1));
        Assert.Equal(("EXECUTE", "Exit"), (exit.Verdict(), exit.Action()));

        var exitTold = await HttpHelpers.EventuallyAsync(
            () => Task.FromResult(_slack.Accepted.Count == 2 ? _slack.Accepted.Last().Json["text"]!.GetValue<string>() : null),
            "the exit told");
        Assert.Equal("⚪ EXIT TOLD @ 101.6 · 15m", exitTold.Split('\n')[0]);
        Assert.StartsWith("Exit long, +0.4 % · Score", exitTold.Split('\n')[1], StringComparison.Ordinal);

        var sent = await SentAsync(app, 4);
        Assert.Equal(4, sent.Count);
        Assert.Equal(4, sent.Select(d => (string?)d!["id"]).Distinct().Count());
        Assert.All(sent, d => Assert.Equal("decision.execute", (string?)d!["type"]));
        Assert.Empty(_webhook.Refusals);
    }

    [Fact]
    public async Task Warnings_breaches_halts_and_resumes_are_told_once_each_whoever_recorded_them()
    {
        await using var app = new TradingApp(At(14), Destinations());

        // Operators: a loss past the 4 % warning, then past the 5 % daily limit; a halt and a resume.
        await app.ReportPnlAsync(-4.5);
        app.MoveTo(At(14, 5));
        await app.ReportPnlAsync(-1);
        app.MoveTo(At(14, 10));
        await app.PostAsync("/risk/halt", new System.Text.Json.Nodes.JsonObject { ["reason"] = "news at 15:30" });
        app.MoveTo(At(14, 15));
        await app.PostAsync("/risk/resume", null);
        await TellsAsync(app, 4);

        // The engine: the next trading day lifts the breached daily limit, found when it next decides.
        app.MoveTo(At(24 + 9));
        await app.DecideAsync("RISKDAY", "buy", "15", 80, 100m, Now(app));
        await TellsAsync(app, 5);

        // Slack takes one message at a time, in the order they happened; the webhook up to four at once.
        var events = _webhook.Accepted.Select(r => r.Header("X-Kyperian-Event")).Order(StringComparer.Ordinal);
        Assert.Equal(["risk.breach", "risk.halt", "risk.resume", "risk.resume", "risk.warning"], events);
        Assert.Equal(5, _webhook.Accepted.Select(r => r.Header("X-Kyperian-Delivery")).Distinct().Count());
        var texts = _slack.Accepted.Select(r => r.Json["text"]!.GetValue<string>()).ToList();
        Assert.StartsWith("⚠️ Risk warning: daily loss 4.5% of 4%", texts[0], StringComparison.Ordinal);
        Assert.StartsWith("🚨 Risk limit breached: daily loss 5.5% of 5%", texts[1], StringComparison.Ordinal);
        Assert.Equal("🛑 Trading halted\nAn operator halted entries: news at 15:30.", texts[2]);
        Assert.Equal("▶️ Trading resumed\nAn operator resumed entries.", texts[3]);
        Assert.StartsWith("▶️ Trading resumed: daily loss limit lifted\nA new trading day began", texts[4], StringComparison.Ordinal);

        // What was told is what GET /risk/events lists, by the risk event's own id.
        var recorded = (await app.GetAsync("/risk/events")).AsArray().Select(e => (string)e!["eventId"]!).Order(StringComparer.Ordinal);
        Assert.Equal(recorded, _webhook.Accepted.Select(r => (string)r.Json["risk"]!["eventId"]!).Order(StringComparer.Ordinal));

        // Polled again and again, the relay tells nothing twice.
        await SentAsync(app, 10);
        for (var i = 0; i < 5; i++)
        {
            app.Clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(20);
        }

        Assert.Equal(10, (await SentAsync(app, 10)).Count);
        Assert.Equal(5, _webhook.Requests.Count);
        Assert.Empty(_webhook.Refusals);
    }

    /// <summary>
    /// Slack with no pause between messages, and a signed webhook. The clock is the test's and jumps minutes and hours:
    /// a claim and an attempt outlast any jump, so an attempt in flight is never taken over and sent twice.
    /// </summary>
    private Dictionary<string, string?> Destinations() => new()
    {
        ["Kyperian:Notify:AttemptTimeoutMs"] = "86400000",
        ["Kyperian:Notify:LeaseSeconds"] = "864000",
        ["Kyperian:Notify:Slack:WebhookUrl"] = _slack.Url + SlackReceiver.Path,
        ["Kyperian:Notify:Slack:MinIntervalMs"] = "0",
        ["Kyperian:Notify:Webhooks:0:Url"] = _webhook.Url + "/kyperian",
        ["Kyperian:Notify:Webhooks:0:Secret"] = Secret,
    };

    /// <summary>GET /notifications?status=sent once it lists <paramref name="count"/>: an outcome is recorded a moment after the receiver answers.</summary>
    private static Task<System.Text.Json.Nodes.JsonArray> SentAsync(TradingApp app, int count) =>
        HttpHelpers.EventuallyAsync(
            async () =>
            {
                using var listing = await app.Operator.GetAsync("/notifications?status=sent&limit=50");
                var sent = (await listing.ExpectAsync(HttpStatusCode.OK)).AsArray();
                return sent.Count >= count ? sent : null;
            },
            $"{count} deliveries recorded as sent");

    private static DateTimeOffset Now(TradingApp app) => DateTimeOffset.FromUnixTimeSeconds(app.Now.ToUnixTimeSeconds());

    /// <summary>
    /// Waits until both destinations have <paramref name="count"/> events (only risk events are told here: the lone alert
    /// is a veto, not sent by default), moving the test clock a second at a
    /// time: the relay looks for new risk events every <c>PollIntervalMs</c> of it.
    /// </summary>
    private async Task TellsAsync(TradingApp app, int count) =>
        await HttpHelpers.EventuallyAsync(
            async () =>
            {
                if (_webhook.Accepted.Count >= count && _slack.Accepted.Count >= count)
                {
                    return "told";
                }

                app.Clock.Advance(TimeSpan.FromSeconds(1));
                await Task.Delay(20);
                return null;
            },
            $"{count} risk events told at both destinations");
}
