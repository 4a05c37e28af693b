using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Kyperian.Api.Endpoints.Contracts;
using Kyperian.Api.Endpoints.Monitoring;
using Kyperian.Api.Tests.Http.Infrastructure;
using Kyperian.Domain.Ports;
using Microsoft.Extensions.DependencyInjection;

namespace Kyperian.Api.Tests.Http;

/// <summary>What the console reads: symbols and their dry run, decisions across symbols, statistics, live events.</summary>
public sealed class MonitoringTests
{
    [Fact]
    public async Task Symbols_show_each_timeframes_latest_direction_confidence_age_and_staleness_with_the_position_and_the_last_decision()
    {
        await using var app = new ClockedFixture();
        var (client, operators) = (app.CreateClient(), app.CreateOperatorClient());
        var start = app.Clock.GetUtcNow();
        var opened = await DecideAsync(client, operators, Alerts.Alert("MTFUSDT", "buy", "15", price: 64000.5m, confidence: 80, time: start));
        Assert.Equal(("EXECUTE", "EnterLong"), (opened.Verdict(), opened.Action()));
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        var last = await DecideAsync(client, operators, Alerts.Alert("MTFUSDT", "sell", "60", confidence: 55, time: start));
        await DecideAsync(client, operators, Alerts.Alert("AAAUSDT", "close", "5", confidence: null, time: start));

        // 50 minutes on: past three 15-minute bars, within three hourly ones.
        app.Clock.Advance(TimeSpan.FromMinutes(50) - TimeSpan.FromSeconds(1));
        var symbols = (await (await operators.GetAsync("/symbols")).ExpectAsync(HttpStatusCode.OK))["symbols"]!.AsArray();

        Assert.Equal(["AAAUSDT", "MTFUSDT"], symbols.Select(s => (string)s!["symbol"]!));
        var mtf = symbols[1]!;
        var timeframes = mtf["timeframes"]!.AsArray();
        Assert.Equal(["15m", "1h"], timeframes.Select(t => (string)t!["timeframe"]!));
        Assert.Equal(("Buy", 1, 80, false), Cell(timeframes[0]!));
        Assert.Equal(("Sell", -1, 55, true), Cell(timeframes[1]!));
        Assert.InRange((double)timeframes[0]!["ageSeconds"]!, 3000, 3001);   // alert times are whole seconds
        Assert.Equal((string?)last["decisionId"], (string?)mtf["lastDecision"]!["decisionId"]);

        // The position from the book: the long the 15m buy opened; the 1h sell against it was vetoed.
        Assert.Equal(("Long", 64000.5m, (string?)opened["decisionId"]), Position(mtf["position"]!));
        Assert.Equal("Reverse", (string?)mtf["lastDecision"]!["action"]);
        Assert.StartsWith("Vetoed: ", (string?)mtf["lastDecision"]!["explanation"], StringComparison.Ordinal);
        Assert.Contains("cooldown", (string?)mtf["lastDecision"]!["explanation"], StringComparison.Ordinal);

        // A close alert when flat: no position to close; an alert without confidence is weighed with the default, and says so.
        var aaa = symbols[0]!;
        Assert.Equal("Flat", (string?)aaa["position"]!["side"]);
        Assert.Equal(["NO_POSITION"], aaa["lastDecision"]!["reasons"].Strings());
        Assert.Equal("Vetoed: There is nothing to close: AAAUSDT is flat.", (string?)aaa["lastDecision"]!["explanation"]);
        var assumed = aaa["timeframes"]![0]!;
        Assert.Equal((70, true), ((int)assumed["confidence"]!, (bool)assumed["confidenceAssumed"]!));

        static (string, int, int, bool) Cell(JsonNode t) => ((string)t["action"]!, (int)t["direction"]!, (int)t["confidence"]!, (bool)t["live"]!);

        static (string?, decimal?, string?) Position(JsonNode p) => ((string?)p["side"], (decimal?)p["entryPrice"], (string?)p["openingDecisionId"]);
    }

    [Fact]
    public async Task A_dry_run_weighs_a_buy_a_sell_and_a_close_by_the_rules_in_force_on_the_position_and_risk_and_changes_nothing()
    {
        // The engine's own defaults: two agreeing live timeframes, one of them higher; between bar closes.
        await using var app = new TradingApp(TradingApp.At(10, 7, 13));
        var first = await app.DecideAsync("DRYUSDT", "buy", "240", 90, 100m);
        Assert.Equal(["TOO_FEW_TIMEFRAMES", "NO_HIGHER_TIMEFRAME"], first.Reasons());
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        var entry = await app.DecideAsync("DRYUSDT", "buy", "15", 80, 101m);
        Assert.Equal(("EXECUTE", "EnterLong"), (entry.Verdict(), entry.Action()));
        await app.GetWhenAsync("/positions/DRYUSDT", p => (string?)p["position"]!["side"] == "Long");
        app.Clock.Advance(TimeSpan.FromSeconds(61));
        var before = await StateAsync(app);

        var detail = await app.GetAsync("/symbols/DRYUSDT");
        Assert.Equal(0, (long)detail["settingsVersion"]!);
        Assert.Equal("Long", (string?)detail["symbol"]!["position"]!["side"]);

        // On the fastest live chart, with its confidence. Another buy: the long is already open.
        var buy = detail["buy"]!;
        Assert.Equal(("Buy", "15m", 80, "VETO", "EnterLong"), Outcome(buy));
        Assert.Equal(["ALREADY_IN_POSITION"], buy["reasons"].Strings());
        Assert.Contains("DRYUSDT is already Long", (string?)buy["explanation"], StringComparison.Ordinal);
        Assert.Equal("ALREADY_IN_POSITION", (string?)buy["explanations"]![0]!["code"]);

        // A sell would reverse the long, against the 4h and with no timeframe beside it.
        var sell = detail["sell"]!;
        Assert.Equal(("Sell", "15m", 80, "VETO", "Reverse"), Outcome(sell));
        Assert.Equal(["HTF_CONFLICT", "WEAK_CONFLUENCE", "TOO_FEW_TIMEFRAMES", "NO_HIGHER_TIMEFRAME"], sell["reasons"].Strings());
        Assert.Contains("4h is a live BUY at 90 % against this SELL.", (string?)sell["explanation"], StringComparison.Ordinal);
        Assert.Equal("Long", (string?)sell["positionAfter"]!["side"]);

        // A close always may: it would close the long at the last price.
        var exit = detail["exit"]!;
        Assert.Equal(("Close", "15m", 80, "EXECUTE", "Exit"), Outcome(exit));
        Assert.Equal("Flat", (string?)exit["positionAfter"]!["side"]);
        Assert.Equal("Closed Long at 101 (opened at 101): 0 %.", (string?)exit["explanation"]);

        // Another timeframe and confidence: the 4h has nothing above it.
        var chosen = await app.GetAsync("/symbols/dryusdt?timeframe=240&confidence=40");
        Assert.Equal(("Buy", "4h", 40, "VETO", "EnterLong"), Outcome(chosen["buy"]!));
        Assert.Equal(["LOW_CONFIDENCE", "NO_HIGHER_TIMEFRAME", "ALREADY_IN_POSITION"], chosen["buy"]!["reasons"].Strings());

        // Nothing was decided, recorded, moved or counted.
        Assert.Equal(before, await StateAsync(app));

        // The settings in force, changed at run time, apply to the next dry run.
        await app.PutSettingsAsync(new JsonObject { ["minLiveTimeframes"] = 1, ["requireHigherTimeframe"] = false });
        var relaxed = await app.GetAsync("/symbols/DRYUSDT");
        Assert.Equal(1, (long)relaxed["settingsVersion"]!);
        Assert.Equal(["HTF_CONFLICT", "WEAK_CONFLUENCE"], relaxed["sell"]!["reasons"].Strings());

        // Risk: a halt, then a loss past the daily limit; a close still executes.
        await app.PostAsync("/risk/halt", new JsonObject { ["reason"] = "news" });
        Assert.Contains("KILL_SWITCH", (await app.GetAsync("/symbols/DRYUSDT"))["buy"]!["reasons"].Strings());
        await app.PostAsync("/risk/resume", null);
        await app.ReportPnlAsync(-5.5);
        var breached = await app.GetAsync("/symbols/DRYUSDT");
        Assert.Equal(["RISK_LIMIT", "ALREADY_IN_POSITION"], breached["buy"]!["reasons"].Strings());
        Assert.Contains("no entries until the next trading day starts at 2026-01-16 00:00 UTC", (string?)breached["buy"]!["explanation"], StringComparison.Ordinal);
        Assert.Equal("EXECUTE", (string?)breached["exit"]!["verdict"]);

        using var unknown = await app.Operator.GetAsync("/symbols/NOSUCHUSDT");
        await unknown.ExpectProblemAsync(HttpStatusCode.NotFound);

        static (string, string, int, string, string) Outcome(JsonNode o) =>
            ((string)o["action"]!, (string)o["timeframe"]!, (int)o["confidence"]!, (string)o["verdict"]!, (string)o["trade"]!);

        static async Task<string> StateAsync(TradingApp app)
        {
            var parts = new List<string>();
            foreach (var path in new[] { "/decisions?limit=500", "/symbols", "/risk", "/positions", "/risk/events", "/audit", "/settings", "/stats" })
            {
                var node = await app.GetAsync(path);
                if (node is JsonObject read)
                {
                    read.Remove("asOf");
                }

                parts.Add(node.ToJsonString());
            }

            return string.Join("\n", parts);
        }
    }

    [Fact]
    public async Task Decisions_across_symbols_filter_by_symbol_verdict_reason_and_time_and_page_with_a_cursor()
    {
        await using var app = new ClockedFixture();
        var (client, operators) = (app.CreateClient(), app.CreateOperatorClient());
        var start = app.Clock.GetUtcNow();
        var ids = new List<string>();
        foreach (var (symbol, action, timeframe) in new[] { ("AUSDT", "buy", "60"), ("BUSDT", "sell", "60"), ("AUSDT", "buy", "15"), ("CUSDT", "buy", "5") })
        {
            app.Clock.Advance(TimeSpan.FromSeconds(1));
            ids.Add((string)(await DecideAsync(client, operators, Alerts.Alert(symbol, action, timeframe, confidence: 80, time: app.Clock.GetUtcNow())))["decisionId"]!);
        }

        Assert.Equal(ids.AsEnumerable().Reverse(), await IdsAsync(operators, "/decisions"));
        Assert.Equal([ids[2], ids[0]], await IdsAsync(operators, "/decisions?symbol=ausdt"));
        Assert.Equal([ids[2]], await IdsAsync(operators, "/decisions?verdict=veto"));
        Assert.Equal([ids[2]], await IdsAsync(operators, "/decisions?reason=cooldown"));
        var second = Uri.EscapeDataString(start.AddSeconds(2).ToString("O"));
        var third = Uri.EscapeDataString(start.AddSeconds(3).ToString("O"));
        Assert.Equal([ids[2], ids[1]], await IdsAsync(operators, $"/decisions?from={second}&to={third}"));

        var first = await (await operators.GetAsync("/decisions?limit=3")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(3, first["decisions"]!.AsArray().Count);
        var next = (string)first["next"]!;
        var rest = await (await operators.GetAsync($"/decisions?limit=3&cursor={Uri.EscapeDataString(next)}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal([ids[0]], rest["decisions"]!.AsArray().Select(d => (string)d!["decisionId"]!));
        Assert.Null(rest["next"]);

        // As the console lists them: one line each, what it did or why not, and the same paging.
        var summaries = await (await operators.GetAsync("/decisions?limit=3&view=summary")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(first["next"]!.ToJsonString(), summaries["next"]!.ToJsonString());
        var lines = summaries["decisions"]!.AsArray();
        Assert.Equal(ids.AsEnumerable().Reverse().Take(3), lines.Select(d => (string)d!["decisionId"]!));
        Assert.Null(lines[0]!["inputs"]);
        Assert.StartsWith("Opened Long 0.64 % at 101.25.", (string?)lines[0]!["explanation"], StringComparison.Ordinal);
        Assert.StartsWith("Vetoed: ", (string?)lines[1]!["explanation"], StringComparison.Ordinal);
        Assert.Equal(["COOLDOWN", "ALREADY_IN_POSITION"], lines[1]!["reasons"].Strings());

        static async Task<string[]> IdsAsync(HttpClient operators, string path) =>
            [.. (await (await operators.GetAsync(path)).ExpectAsync(HttpStatusCode.OK))["decisions"]!.AsArray().Select(d => (string)d!["decisionId"]!)];
    }

    [Fact]
    public async Task Whole_decisions_are_answered_byte_for_byte_as_the_api_serializes_the_list()
    {
        await using var app = new ClockedFixture();
        var (client, operators) = (app.CreateClient(), app.CreateOperatorClient());
        foreach (var (symbol, action, timeframe) in new[] { ("AUSDT", "buy", "60"), ("AUSDT", "buy", "15"), ("AUSDT", "close", "15"), ("BUSDT", "sell", "5") })
        {
            app.Clock.Advance(TimeSpan.FromSeconds(1));
            await DecideAsync(client, operators, Alerts.Alert(symbol, action, timeframe, price: 101.25m, confidence: 80, time: app.Clock.GetUtcNow()));
        }

        var history = app.Services.GetRequiredService<IDecisionHistory>();
        foreach (var (limit, cursor) in new[] { (3, (DecisionPosition?)null), (3, (await history.QueryAsync(new DecisionQuery { Limit = 3 }, default)).Next) })
        {
            var page = await history.QueryAsync(new DecisionQuery { Limit = limit, After = cursor }, default);
            var next = page.Next is { } position ? DecisionCursor.Encode(position) : null;
            var path = cursor is { } after ? $"/decisions?limit={limit}&cursor={Uri.EscapeDataString(DecisionCursor.Encode(after))}" : $"/decisions?limit={limit}";
            using var response = await operators.GetAsync(path);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
            Assert.Equal(
                JsonSerializer.Serialize(new DecisionListView(page.Decisions, next), ApiJsonContext.Default.DecisionListView),
                await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_whole_decisions_answer()
    {
        await using var app = new ClockedFixture();
        var document = await (await app.CreateClient().GetAsync("/swagger/v1/swagger.json")).ExpectAsync(HttpStatusCode.OK);

        var schema = document["paths"]!["/decisions"]!["get"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"]!;
        Assert.Equal("#/components/schemas/DecisionListView", (string?)schema["$ref"]);
        var view = document["components"]!["schemas"]!["DecisionListView"]!["properties"]!.AsObject();
        Assert.Equal(["decisions", "next"], view.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal("#/components/schemas/Decision", (string?)view["decisions"]!["items"]!["$ref"]);
    }

    [Fact]
    public async Task Stats_count_decisions_by_verdict_reason_symbol_and_timeframe_with_latencies_and_refused_alerts()
    {
        await using var app = new ClockedFixture();
        var (client, operators) = (app.CreateClient(), app.CreateOperatorClient());
        var now = app.Clock.GetUtcNow();
        await DecideAsync(client, operators, Alerts.Alert("STATUSDT", "buy", "240", confidence: 90, time: now));
        await DecideAsync(client, operators, Alerts.Alert("STATUSDT", "buy", "60", confidence: 90, time: now));
        await DecideAsync(client, operators, Alerts.Alert("OTHERUSDT", "sell", "60", confidence: 30, time: now));
        using var invalid = await client.PostAlertAsync(new JsonObject { ["action"] = "buy", ["passphrase"] = KyperianFactory.Passphrase });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        using var unauthorized = await client.PostAlertAsync(Alerts.Alert("STATUSDT", withPassphrase: false));
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);

        var stats = await (await operators.GetAsync("/stats")).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(3, (long)stats["decisions"]!);
        Assert.Equal(0.6667, (double)stats["vetoRate"]!, 4);
        Assert.Equal("""{"EXECUTE":1,"VETO":2}""", stats["byVerdict"]!.ToJsonString());
        Assert.Equal("""{"ALREADY_IN_POSITION":1,"COOLDOWN":1,"LOW_CONFIDENCE":1}""", stats["byReason"]!.ToJsonString());
        Assert.Equal("""{"OTHERUSDT":1,"STATUSDT":2}""", stats["bySymbol"]!.ToJsonString());
        Assert.Equal("""{"1h":2,"4h":1}""", stats["byTimeframe"]!.ToJsonString());
        Assert.Equal("""{"400":1,"401":1}""", stats["rejectedByStatus"]!.ToJsonString());
        Assert.Equal(3, (long)stats["decisionLatency"]!["count"]!);
        Assert.Equal(5, (long)stats["webhookLatency"]!["count"]!);
        Assert.NotNull(stats["webhookLatency"]!["p99Ms"]);

        // Counted by hour: a range that ended before them holds none of them.
        var earlier = Uri.EscapeDataString(now.AddHours(-3).ToString("O"));
        var empty = await (await operators.GetAsync($"/stats?from={earlier}&to={earlier}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(0, (long)empty["decisions"]!);
        Assert.Null(empty["decisionLatency"]!["p99Ms"]);
    }

    [Fact]
    public async Task Events_stream_decisions_risk_and_health_as_they_happen_and_resume_after_the_last_decision()
    {
        await using var app = new KyperianFactory(KyperianFactory.LoneAlertsDecideWith(new Dictionary<string, string?> { ["Kyperian:Console:PollMilliseconds"] = "50" }));
        var (client, operators) = (app.CreateClient(), app.CreateOperatorClient());
        using var stream = new EventReader(operators, "/events");

        var ready = await stream.NextAsync("ready");
        Assert.Equal("stream", (string?)ready.Data["mode"]);
        Assert.False((bool)(await stream.NextAsync("risk")).Data["halted"]!);
        Assert.Equal("Healthy", (string?)(await stream.NextAsync("health")).Data["status"]);

        var signalId = await client.AcceptAsync(Alerts.Alert("LIVEUSDT", "buy", "60", confidence: 85));
        var decision = await stream.NextAsync("decision");
        Assert.Equal(signalId, (string?)decision.Data["signalId"]);
        Assert.Equal("EXECUTE", (string?)decision.Data["verdict"]);
        Assert.Equal("Opened Long 0.72 % at 101.25. 1 of 1 live timeframes agree, score 0.85.", (string?)decision.Data["explanation"]);
        Assert.Equal(("Long", 101.25m), ((string?)decision.Data["positionAfter"]!["side"], (decimal?)decision.Data["price"]));
        Assert.NotNull(decision.Id);

        using var halt = await operators.PostAsync("/risk/halt", null);
        halt.EnsureSuccessStatusCode();
        var halted = await stream.NextAsync("risk", e => (bool)e.Data["halted"]!);
        Assert.Equal("halted by an operator", (string?)halted.Data["haltReason"]);
        Assert.Equal(("halt", "killSwitch"), Kind(await stream.NextAsync("riskEvent")));

        // Losses: past the 4 % warning, then the 5 % daily limit, which holds for the rest of the day.
        using (var warned = await operators.PostAsJsonAsync("/risk/pnl", new { pnlPct = -4.2 }))
        {
            warned.EnsureSuccessStatusCode();
        }

        var warning = await stream.NextAsync("riskEvent", e => (string?)e.Data["kind"] == "warning");
        Assert.Equal(("warning", "dailyLoss"), Kind(warning));
        Assert.Equal(4.2, (double)warning.Data["observedPct"]!, 6);
        using (var breached = await operators.PostAsJsonAsync("/risk/pnl", new { pnlPct = -1.3 }))
        {
            breached.EnsureSuccessStatusCode();
        }

        // The ledger changes before its events are recorded: the state comes first.
        var limit = await stream.NextAsync("risk", e => (bool)e.Data["dailyLimitReached"]!);
        Assert.Equal(5.5, (double)limit.Data["worstDailyLossPct"]!, 6);
        Assert.Equal(("breach", "dailyLoss"), Kind(await stream.NextAsync("riskEvent", e => (string?)e.Data["kind"] == "breach")));
        Assert.Single(stream.Seen, e => e.Name == "riskEvent" && (string?)e.Data["kind"] == "warning");

        // A client that comes back with the last id it saw gets what it missed, and nothing twice.
        var missed = await client.AcceptAsync(Alerts.Alert("LIVEUSDT", "sell", "15", confidence: 85));
        await operators.DecisionAsync(missed);
        using var resumed = new EventReader(operators, "/events", decision.Id);
        Assert.Equal(missed, (string?)(await resumed.NextAsync("decision")).Data["signalId"]);
        Assert.DoesNotContain(resumed.Seen, e => e.Name == "decision" && (string?)e.Data["signalId"] == signalId);
    }

    [Fact]
    public async Task In_snapshot_mode_each_answer_holds_what_is_new_and_ends_with_a_retry_delay()
    {
        await using var app = new KyperianFactory(KyperianFactory.LoneAlertsDecideWith(new Dictionary<string, string?> { ["Kyperian:Console:EventsMode"] = "Snapshot" }));
        var (client, operators) = (app.CreateClient(), app.CreateOperatorClient());
        var first = await client.AcceptAsync(Alerts.Alert("SNAPUSDT", "buy", "60", confidence: 85));
        var firstDecision = await operators.DecisionAsync(first);

        var all = await (await operators.GetAsync("/events?since=")).Content.ReadAsStringAsync();
        Assert.StartsWith("retry: 3000\n\n", all, StringComparison.Ordinal);
        Assert.Contains("event: ready\ndata: {\"mode\":\"snapshot\"}", all, StringComparison.Ordinal);
        Assert.Contains("event: risk\n", all, StringComparison.Ordinal);
        Assert.Contains("event: health\n", all, StringComparison.Ordinal);

        var second = await client.AcceptAsync(Alerts.Alert("SNAPUSDT", "buy", "15", confidence: 85));
        await operators.DecisionAsync(second);
        var cursor = DecisionCursor.Encode(new DecisionPosition(
            DateTimeOffset.Parse((string)firstDecision["decidedAt"]!, System.Globalization.CultureInfo.InvariantCulture), (string)firstDecision["decisionId"]!));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/events");
        request.Headers.Add("Last-Event-ID", cursor);
        var since = await (await operators.SendAsync(request)).Content.ReadAsStringAsync();
        Assert.Contains(second, since, StringComparison.Ordinal);
        Assert.DoesNotContain(first, since, StringComparison.Ordinal);
    }

    private static (string?, string?) Kind(ServerEvent riskEvent) => ((string?)riskEvent.Data["kind"], (string?)riskEvent.Data["limit"]);

    private static async Task<JsonNode> DecideAsync(HttpClient client, HttpClient operators, JsonObject alert) =>
        await operators.DecisionAsync(await client.AcceptAsync(alert));

    /// <summary>Reads a text/event-stream response event by event.</summary>
    private sealed class EventReader : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Channel<ServerEvent> _events = Channel.CreateUnbounded<ServerEvent>();

        public EventReader(HttpClient client, string path, string? lastEventId = null)
        {
            _ = Task.Run(async () =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, path);
                if (lastEventId is not null)
                {
                    request.Headers.Add("Last-Event-ID", lastEventId);
                }

                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, _stop.Token);
                Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(_stop.Token));
                string? name = null, id = null, data = null;
                while (await reader.ReadLineAsync(_stop.Token) is { } line)
                {
                    if (line.Length == 0)
                    {
                        if (name is not null && data is not null)
                        {
                            await _events.Writer.WriteAsync(new ServerEvent(name, id, JsonNode.Parse(data)!), _stop.Token);
                        }

                        (name, id, data) = (null, null, null);
                    }
                    else if (line.StartsWith("event: ", StringComparison.Ordinal))
                    {
                        name = line[7..];
                    }
                    else if (line.StartsWith("id: ", StringComparison.Ordinal))
                    {
                        id = line[4..];
                    }
                    else if (line.StartsWith("data: ", StringComparison.Ordinal))
                    {
                        data = line[6..];
                    }
                }
            });
        }

        public List<ServerEvent> Seen { get; } = [];

        public async Task<ServerEvent> NextAsync(string name, Func<ServerEvent, bool>? where = null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (true)
            {
                var next = await _events.Reader.ReadAsync(timeout.Token);
                Seen.Add(next);
                if (next.Name == name && (where is null || where(next)))
                {
                    return next;
                }
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _stop.Dispose();
        }
    }

    private sealed record ServerEvent(string Name, string? Id, JsonNode Data);
}
