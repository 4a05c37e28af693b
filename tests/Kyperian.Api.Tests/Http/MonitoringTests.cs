using System.Net;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Kyperian.Api.Endpoints.Monitoring;
using Kyperian.Api.Tests.Http.Infrastructure;
using Kyperian.Domain.Ports;

namespace Kyperian.Api.Tests.Http;

/// <summary>What the console reads: symbols and their dry run, decisions across symbols, statistics, live events.</summary>
public sealed class MonitoringTests
{
    [Fact]
    public async Task Symbols_show_each_timeframes_latest_direction_confidence_age_and_staleness_with_the_last_decision()
    {
        await using var app = new ClockedFixture();
        var (client, operators) = (app.CreateClient(), app.CreateOperatorClient());
        var start = app.Clock.GetUtcNow();
        await DecideAsync(client, operators, Alerts.Alert("MTFUSDT", "buy", "15", confidence: 80, time: start));
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        var last = await DecideAsync(client, operators, Alerts.Alert("MTFUSDT", "sell", "60", confidence: 55, time: start));
        await DecideAsync(client, operators, Alerts.Alert("AAAUSDT", "buy", "5", confidence: 65, time: start));

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
        Assert.False(string.IsNullOrWhiteSpace((string?)mtf["lastDecision"]!["explanation"]));

        static (string, int, int, bool) Cell(JsonNode t) => ((string)t["action"]!, (int)t["direction"]!, (int)t["confidence"]!, (bool)t["live"]!);
    }

    [Fact]
    public async Task A_dry_run_shows_what_a_buy_and_a_sell_would_get_now_and_changes_nothing()
    {
        await using var app = new ClockedFixture();
        var (client, operators) = (app.CreateClient(), app.CreateOperatorClient());
        var start = app.Clock.GetUtcNow();
        await DecideAsync(client, operators, Alerts.Alert("DRYUSDT", "buy", "240", confidence: 90, time: start));
        await DecideAsync(client, operators, Alerts.Alert("DRYUSDT", "buy", "15", confidence: 80, time: start));
        app.Clock.Advance(TimeSpan.FromSeconds(61));
        var before = await StateAsync(operators);

        var detail = await (await operators.GetAsync("/symbols/DRYUSDT")).ExpectAsync(HttpStatusCode.OK);

        // On the fastest live chart, with its confidence: the buy goes through, the sell fights the 4h.
        var buy = detail["buy"]!;
        Assert.Equal(("Buy", "15m", 80, "EXECUTE", "EnterLong"), Outcome(buy));
        Assert.Empty(buy["reasons"]!.AsArray());
        Assert.True((double)buy["positionSizePct"]! > 0);
        var sell = detail["sell"]!;
        Assert.Equal(("Sell", "15m", 80, "VETO", "EnterShort"), Outcome(sell));
        Assert.Equal(["HTF_CONFLICT", "WEAK_CONFLUENCE"], sell["reasons"].Strings());
        Assert.Contains("HTF_CONFLICT", (string?)sell["explanation"], StringComparison.Ordinal);
        Assert.Equal("DRYUSDT", (string?)detail["symbol"]!["symbol"]);

        var chosen = await (await operators.GetAsync("/symbols/dryusdt?timeframe=240&confidence=40")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(("Buy", "4h", 40, "VETO", "EnterLong"), Outcome(chosen["buy"]!));
        Assert.Equal(["LOW_CONFIDENCE"], chosen["buy"]!["reasons"].Strings());

        // Nothing was decided, recorded or counted.
        Assert.Equal(before, await StateAsync(operators));

        using var halt = await operators.PostAsync("/risk/halt", null);
        halt.EnsureSuccessStatusCode();
        var halted = await (await operators.GetAsync("/symbols/DRYUSDT")).ExpectAsync(HttpStatusCode.OK);
        Assert.Contains("KILL_SWITCH", halted["buy"]!["reasons"].Strings());

        using var unknown = await operators.GetAsync("/symbols/NOSUCHUSDT");
        await unknown.ExpectProblemAsync(HttpStatusCode.NotFound);

        static (string, string, int, string, string) Outcome(JsonNode o) =>
            ((string)o["action"]!, (string)o["timeframe"]!, (int)o["confidence"]!, (string)o["verdict"]!, (string)o["trade"]!);

        static async Task<string> StateAsync(HttpClient operators)
        {
            var decisions = await (await operators.GetAsync("/decisions?limit=500")).ExpectAsync(HttpStatusCode.OK);
            var symbols = await (await operators.GetAsync("/symbols")).ExpectAsync(HttpStatusCode.OK);
            var risk = await (await operators.GetAsync("/risk")).ExpectAsync(HttpStatusCode.OK);
            symbols.AsObject().Remove("asOf");
            return decisions.ToJsonString() + symbols.ToJsonString() + risk.ToJsonString();
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

        static async Task<string[]> IdsAsync(HttpClient operators, string path) =>
            [.. (await (await operators.GetAsync(path)).ExpectAsync(HttpStatusCode.OK))["decisions"]!.AsArray().Select(d => (string)d!["decisionId"]!)];
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
        Assert.StartsWith("Executed EnterLong", (string?)decision.Data["explanation"], StringComparison.Ordinal);
        Assert.NotNull(decision.Id);

        using var halt = await operators.PostAsync("/risk/halt", null);
        halt.EnsureSuccessStatusCode();
        var halted = await stream.NextAsync("risk", e => (bool)e.Data["halted"]!);
        Assert.Equal("halted by an operator", (string?)halted.Data["haltReason"]);

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
