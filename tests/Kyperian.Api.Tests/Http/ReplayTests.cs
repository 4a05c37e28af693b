using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Kyperian.Api.Application.Observability;
using Kyperian.Api.Infrastructure.Embedded;
using Kyperian.Api.Tests.Http.Infrastructure;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Signals;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Kyperian.Api.Tests.Http;

/// <summary>
/// <c>POST /replay</c> and <c>GET /performance</c> against the real app: a morning decided live with the default
/// settings, then replayed with others. One app per test: positions and the risk ledger are process-wide.
/// </summary>
public sealed class ReplayTests
{
    private static readonly DateTimeOffset From = TradingApp.At(10);
    private static readonly DateTimeOffset To = TradingApp.At(11);

    /// <summary>
    /// A 4h trend and 1h entries with it, each alert sent inside its bars (decided at once): a lone 4h buy (vetoed),
    /// a 1h buy with it (EXECUTE EnterLong 0.64 %), a close (EXECUTE Exit, +8.91 %), a lone 4h sell (vetoed), a 1h sell
    /// with it (EXECUTE EnterShort).
    /// </summary>
    private static readonly (int Minute, string Action, string Timeframe, decimal Price)[] Morning =
    [
        (7, "buy", "240", 100m),
        (8, "buy", "60", 101m),
        (20, "close", "60", 110m),
        (37, "sell", "240", 108m),
        (38, "sell", "60", 107m),
    ];

    private static JsonObject MorningAlert(int index) =>
        Alerts.Alert("BTCUSDT", Morning[index].Action, Morning[index].Timeframe, Morning[index].Price, 80, TradingApp.At(10, Morning[index].Minute));

    /// <summary>Sends the morning's alerts as it happens and waits for each decision and its effects; returns the signal ids.</summary>
    private static async Task<string[]> TradeMorningAsync(TradingApp app)
    {
        var ids = new string[Morning.Length];
        for (var i = 0; i < Morning.Length; i++)
        {
            app.MoveTo(TradingApp.At(10, Morning[i].Minute));
            ids[i] = await app.Trader.AcceptAsync(MorningAlert(i));
            await app.DecisionAsync(ids[i]);
        }

        // The last entry's effects follow its decision by a moment: its entry count is the last of them.
        await app.GetWhenAsync("/risk", risk => (int)risk["entriesToday"]! == 2);
        Assert.Equal(
            ["VETO", "EXECUTE", "EXECUTE", "VETO", "EXECUTE"],
            await Task.WhenAll(ids.Select(async id => (await app.GetAsync($"/decisions/{id}")).Verdict())));
        return ids;
    }

    private static async Task<JsonNode> ReplayAsync(TradingApp app, JsonObject body)
    {
        using var response = await app.Operator.PostAsync("/replay", JsonContent.Create(body));
        var answer = await response.ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return answer;
    }

    private static JsonObject Range(JsonObject? settings = null)
    {
        var body = new JsonObject { ["from"] = Alerts.TimeNow(From), ["to"] = Alerts.TimeNow(To) };
        if (settings is not null)
        {
            body["settings"] = settings;
        }

        return body;
    }

    [Fact]
    public async Task With_the_settings_in_force_a_replay_of_the_stored_morning_decides_exactly_as_the_engine_did()
    {
        await using var app = new TradingApp(From);
        var ids = await TradeMorningAsync(app);

        var replay = await ReplayAsync(app, Range());

        var decisions = replay["decisions"]!.AsArray();
        Assert.Equal(ids, decisions.Select(d => (string)d!["signalId"]!));
        for (var i = 0; i < ids.Length; i++)
        {
            // The same decision, to the last field: the same rules, position model and clock.
            Assert.Equal((await app.GetAsync($"/decisions/{ids[i]}")).ToJsonString(), decisions[i]!.ToJsonString());
        }

        Assert.Empty(replay["differences"]!.AsArray());
        var summary = replay["summary"]!;
        Assert.Equal((5, 5, 3, 2, 1, 0, 5), ((int)summary["signals"]!, (int)summary["decisions"]!, (int)summary["executed"]!, (int)summary["vetoed"]!,
            (int)summary["closedTrades"]!, (int)summary["differences"]!, (int)summary["compared"]!));
        Assert.Empty(replay["overridden"]!.AsArray());
        Assert.Equal(60, (int)replay["settings"]!["minConfidence"]!);
    }

    [Fact]
    public async Task A_replay_with_stricter_settings_flips_the_expected_decisions_and_reports_each_as_a_difference()
    {
        await using var app = new TradingApp(From);
        var ids = await TradeMorningAsync(app);

        var replay = await ReplayAsync(app, Range(new JsonObject { ["minConfidence"] = 85 }));

        // Confidence 80 no longer enters; the close then has nothing to close.
        var differences = replay["differences"]!.AsArray();
        Assert.Equal([ids[1], ids[2], ids[4]], differences.Select(d => (string)d!["signalId"]!));
        Assert.Equal(("EXECUTE", "EnterLong", 0.64), Outcome(differences[0]!["recorded"]!));
        Assert.Equal(("VETO", "EnterLong", 0.0), Outcome(differences[0]!["replayed"]!));
        Assert.Contains("LOW_CONFIDENCE", differences[0]!["replayed"]!["reasons"].Strings());
        Assert.Equal(("EXECUTE", "Exit", 0.0), Outcome(differences[1]!["recorded"]!));
        Assert.Equal(["NO_POSITION"], differences[1]!["replayed"]!["reasons"].Strings());
        Assert.Equal(("EXECUTE", "EnterShort"), (Outcome(differences[2]!["recorded"]!).Verdict, Outcome(differences[2]!["recorded"]!).Action));
        Assert.Equal(("VETO", "EnterShort", 0.0), Outcome(differences[2]!["replayed"]!));

        var summary = replay["summary"]!;
        Assert.Equal((0, 5, 3, 5), ((int)summary["executed"]!, (int)summary["vetoed"]!, (int)summary["differences"]!, (int)summary["compared"]!));
        Assert.Contains(summary["byReason"]!.AsArray(), r => (string)r!["reason"]! == "LOW_CONFIDENCE" && (int)r["decisions"]! == 4);
        Assert.Equal(["minConfidence"], replay["overridden"].Strings());
        Assert.Equal(85, (int)replay["settings"]!["minConfidence"]!);
        Assert.Equal(0, (int)replay["performance"]!["closedTrades"]!);

        // The settings in force are what they were.
        Assert.Equal(60, (int)(await app.GetAsync("/settings"))["engine"]!["minConfidence"]!);
    }

    [Fact]
    public async Task Alerts_sent_in_the_request_are_read_as_the_webhook_reads_them_and_compared_with_what_was_recorded_for_them()
    {
        await using var app = new TradingApp(From);
        var ids = await TradeMorningAsync(app);

        // The same messages, as TradingView sent them (passphrase and all), in any order: each plays at its time.
        var alerts = new JsonArray([.. Enumerable.Range(0, Morning.Length).Reverse().Select(i => (JsonNode)MorningAlert(i))]);
        var replay = await ReplayAsync(app, new JsonObject { ["signals"] = alerts, ["settings"] = new JsonObject { ["minConfidence"] = 85 } });

        Assert.Equal(ids, replay["decisions"]!.AsArray().Select(d => (string)d!["signalId"]!));
        Assert.Equal([ids[1], ids[2], ids[4]], replay["differences"]!.AsArray().Select(d => (string)d!["signalId"]!));
        Assert.DoesNotContain(KyperianFactory.Passphrase, replay.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_replay_stores_publishes_and_counts_nothing_and_leaves_every_store_and_the_live_state_as_they_were()
    {
        var bus = new CountingBus();
        await using var app = new TradingApp(From, services: bus.AddTo);
        await TradeMorningAsync(app);
        await app.PostAsync("/risk/halt", new JsonObject { ["reason"] = "lunch" });
        var before = await SnapshotAsync(app);
        var published = (bus.Signals, bus.Decisions);
        using var counted = new KyperianMeasurements(app.Factory.Services.GetRequiredService<IMeterFactory>());

        // Settings under which the replay trades, feeds the model P&L into its ledger and has no cooldown.
        await ReplayAsync(app, Range(new JsonObject { ["pnlSource"] = "Model", ["cooldownSeconds"] = 0, ["riskPerTradePct"] = 100, ["maxPositionPct"] = 100 }));

        // Alerts of a symbol never seen live, entering and leaving a position.
        var eth = new JsonArray(
            Alerts.Alert("ETHUSDT", "buy", "60", 2000m, 90, TradingApp.At(10, 30)),
            Alerts.Alert("ETHUSDT", "close", "60", 2100m, 90, TradingApp.At(10, 35)));
        var inline = await ReplayAsync(app, new JsonObject
        {
            ["signals"] = eth,
            ["settings"] = new JsonObject { ["minLiveTimeframes"] = 1, ["requireHigherTimeframe"] = false },
        });
        Assert.Equal(["EXECUTE", "EXECUTE"], inline["decisions"]!.AsArray().Select(d => d!.Verdict()));
        Assert.Equal(5m, (decimal)inline["performance"]!["totalReturnPct"]!);

        Assert.Equal(0, counted.Count);
        Assert.Equal(published, (bus.Signals, bus.Decisions));
        Assert.Equal(before, await SnapshotAsync(app));
        Assert.Equal("Flat", (await app.GetAsync("/positions/ETHUSDT"))["position"].Side());

        // The listener does hear the app count: a live alert is counted at once.
        await app.Trader.AcceptAsync(Alerts.Alert("ETHUSDT", "buy", "60", 2000m, 90, TradingApp.At(10, 38)));
        Assert.True(counted.Count > 0);
    }

    [Fact]
    public async Task A_stored_range_of_several_days_plays_in_time_order_and_symbols_choose_what_is_replayed()
    {
        await using var app = new TradingApp(From, KyperianFactory.LoneAlertsDecide);
        var expected = new List<string>();
        foreach (var (day, symbol) in new[] { (0, "BTCUSDT"), (0, "SOLUSDT"), (1, "BTCUSDT"), (2, "BTCUSDT"), (2, "SOLUSDT") })
        {
            var at = TradingApp.At(10 + (24 * day), 7 + expected.Count);
            app.MoveTo(at);
            var id = await app.AlertAsync(symbol, "close", "60");
            await app.DecisionAsync(id);
            if (symbol == "BTCUSDT")
            {
                expected.Add(id);
            }
        }

        var replay = await ReplayAsync(app, new JsonObject
        {
            ["from"] = Alerts.TimeNow(TradingApp.At(0)),
            ["to"] = Alerts.TimeNow(TradingApp.At(72)),
            ["symbols"] = new JsonArray("BINANCE:BTCUSDT"),
        });

        Assert.Equal(expected, replay["decisions"]!.AsArray().Select(d => (string)d!["signalId"]!));
        Assert.Equal(3, (int)replay["summary"]!["compared"]!);
    }

    [Fact]
    public async Task Every_bad_field_of_a_replay_is_a_400_that_names_it()
    {
        await using var app = new TradingApp(From);
        var hourAgo = Alerts.TimeNow(From.AddHours(-1));

        await AssertInvalidAsync(app, new JsonObject { ["from"] = hourAgo, ["settings"] = new JsonObject { ["minConfidence"] = 150 } }, "settings.minConfidence");
        await AssertInvalidAsync(
            app,
            new JsonObject { ["from"] = hourAgo, ["settings"] = new JsonObject { ["cooldownSeconds"] = "soon", ["fastMode"] = true, ["version"] = 9 } },
            "settings.cooldownSeconds", "settings.fastMode", "settings.version");
        await AssertInvalidAsync(
            app,
            new JsonObject
            {
                ["signals"] = new JsonArray(
                    Alerts.Alert("BTCUSDT"),
                    Alerts.Alert("BTCUSDT", action: "hodl", time: From)),
            },
            "signals[0].time", "signals[1].action");
        await AssertInvalidAsync(app, new JsonObject { ["from"] = "yesterday", ["to"] = Alerts.TimeNow(From), ["symbols"] = new JsonArray("BTC USDT", 7) }, "from", "symbols[0]", "symbols[1]");
        await AssertInvalidAsync(app, new JsonObject { ["from"] = Alerts.TimeNow(To), ["to"] = Alerts.TimeNow(From), ["speed"] = "max" }, "speed", "to");
        await AssertInvalidAsync(app, new JsonObject { ["from"] = Alerts.TimeNow(From), ["signals"] = new JsonArray() }, "signals");
        await AssertInvalidAsync(app, new JsonObject(), "from");

        using var notJson = await app.Operator.PostAsync("/replay", new StringContent("{from", Encoding.UTF8, "application/json"));
        Assert.Equal(["body"], (await notJson.ExpectProblemAsync(HttpStatusCode.BadRequest)).ErrorFields());

        using var withoutKey = await app.Trader.PostAsync("/replay", JsonContent.Create(Range()));
        await withoutKey.ExpectProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Performance_reports_the_recorded_trades_and_what_each_veto_reason_would_have_returned()
    {
        await using var app = new TradingApp(From);
        await TradeMorningAsync(app);

        var report = (await app.GetAsync($"/performance?from={Alerts.TimeNow(From)}&to={Alerts.TimeNow(To)}&symbol=BTCUSDT"))["performance"]!;

        // Long 101 → 110: 9 / 101 = +8.9109 %.
        Assert.Equal((1, 1, 1, 0), ((int)report["closedTrades"]!, (int)report["pricedTrades"]!, (int)report["wins"]!, (int)report["losses"]!));
        Assert.Equal(8.9109m, (decimal)report["totalReturnPct"]!);
        Assert.Equal(100m, (decimal)report["winRatePct"]!);
        Assert.Equal(0m, (decimal)report["maxDrawdownPct"]!);
        Assert.Equal(8.9109m, (decimal)report["worstTrade"]!["returnPct"]!);

        // The lone 4h buy at 100 would have closed at the exit, 110 (+10 %); the lone 4h sell at 108 meets no exit or
        // reversal and is valued at the latest price after it, 107 (+0.9259 %).
        Assert.Equal(2, (int)report["vetoedEntries"]!);
        var tooFew = report["vetoes"]!.AsArray().Single(v => (string)v!["reason"]! == "TOO_FEW_TIMEFRAMES")!;
        Assert.Equal((2, 2, 10.9259m, 2), ((int)tooFew["vetoedEntries"]!, (int)tooFew["priced"]!, (decimal)tooFew["totalReturnPct"]!, (int)tooFew["wouldHaveWon"]!));
        Assert.Equal("TOO_FEW_TIMEFRAMES vetoed 2 entries: they would have returned +10.9259 % in total.", (string)tooFew["text"]!);
        Assert.Contains("no fees", (string)report["basis"]!, StringComparison.Ordinal);

        // Every symbol, by default over the 30 days up to now; and a symbol without decisions has nothing to report.
        Assert.Equal(1, (int)(await app.GetAsync("/performance"))["performance"]!["closedTrades"]!);
        Assert.Equal(0, (int)(await app.GetAsync("/performance?symbol=ETHUSDT"))["performance"]!["closedTrades"]!);

        using var bad = await app.Operator.GetAsync("/performance?from=soon&symbol=BTC%20USDT");
        Assert.Equal(["from", "symbol"], (await bad.ExpectProblemAsync(HttpStatusCode.BadRequest)).ErrorFields());
    }

    private static async Task AssertInvalidAsync(TradingApp app, JsonObject body, params string[] fields)
    {
        using var response = await app.Operator.PostAsync("/replay", JsonContent.Create(body));
        var problem = await response.ExpectProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(fields.Order(StringComparer.Ordinal), problem.ErrorFields());
    }

    private static (string Verdict, string Action, double Size) Outcome(JsonNode outline) =>
        ((string)outline["verdict"]!, (string)outline["action"]!, (double)outline["positionSizePct"]!);

    /// <summary>
    /// Everything the app keeps: every row of every table of its database once the writer has settled, and what the
    /// operator reads show of the risk ledger, positions, settings, audit and risk events.
    /// </summary>
    private static async Task<string> SnapshotAsync(TradingApp app)
    {
        var database = app.Factory.Services.GetRequiredService<EmbeddedDatabase>();
        await HttpHelpers.EventuallyAsync(() => Task.FromResult(database.IsSettled(database.LastQueuedWrite) ? "settled" : null), "the embedded writer settling");
        var text = new StringBuilder();
        var tables = await database.ReadAsync(0, static (c, _) =>
        {
            var dump = new StringBuilder();
            using var names = c.Connection.CreateCommand();
            names.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name";
            var tableNames = new List<string>();
            using (var reader = names.ExecuteReader())
            {
                while (reader.Read())
                {
                    tableNames.Add(reader.GetString(0));
                }
            }

            foreach (var table in tableNames)
            {
                using var rows = c.Connection.CreateCommand();
                rows.CommandText = $"SELECT * FROM \"{table}\" ORDER BY 1";
                using var reader = rows.ExecuteReader();
                dump.Append("table ").AppendLine(table);
                while (reader.Read())
                {
                    for (var i = 0; i < reader.FieldCount; i++)
                    {
                        dump.Append(reader.IsDBNull(i) ? "null" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)).Append(" | ");
                    }

                    dump.AppendLine();
                }
            }

            return dump.ToString();
        }, CancellationToken.None);
        text.Append(tables);
        text.Append("signals ").Append(await app.Factory.Services.GetRequiredService<SqliteSignalStore>().CountAsync()).AppendLine();
        text.Append("decisions ").Append(await app.Factory.Services.GetRequiredService<SqliteDecisionStore>().CountAsync()).AppendLine();
        foreach (var path in new[] { "/risk", "/positions", "/positions/BTCUSDT", "/positions/ETHUSDT", "/settings", "/audit", "/risk/events", "/decisions?symbol=BTCUSDT&limit=200" })
        {
            text.Append(path).Append(' ').AppendLine((await app.GetAsync(path)).ToJsonString());
        }

        Assert.Contains("table timeframe_state", tables, StringComparison.Ordinal);
        Assert.Contains("table cooldowns", tables, StringComparison.Ordinal);
        return text.ToString();
    }

    /// <summary>The app's bus, counting what is published on it.</summary>
    private sealed class CountingBus
    {
        private int _signals;
        private int _decisions;

        public int Signals => Volatile.Read(ref _signals);

        public int Decisions => Volatile.Read(ref _decisions);

        public void AddTo(IServiceCollection services)
        {
            services.RemoveAll<IEventBus>();
            services.AddSingleton<IEventBus>(sp => new Counting(sp.GetRequiredService<InProcessBus>(), this));
        }

        private sealed class Counting(InProcessBus inner, CountingBus counts) : IEventBus
        {
            public Task PublishSignalAsync(Signal signal, CancellationToken cancellationToken)
            {
                Interlocked.Increment(ref counts._signals);
                return inner.PublishSignalAsync(signal, cancellationToken);
            }

            public Task PublishDecisionAsync(Decision decision, CancellationToken cancellationToken)
            {
                Interlocked.Increment(ref counts._decisions);
                return inner.PublishDecisionAsync(decision, cancellationToken);
            }
        }
    }

    /// <summary>Counts every measurement of the app's own instruments (the <c>Kyperian</c> meter of its meter factory).</summary>
    private sealed class KyperianMeasurements : IDisposable
    {
        private readonly MeterListener _listener = new();
        private int _count;

        public KyperianMeasurements(IMeterFactory factory)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, factory) && instrument.Meter.Name == MetricNames.Namespace)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, _, _, _) => Interlocked.Increment(ref _count));
            _listener.SetMeasurementEventCallback<double>((_, _, _, _) => Interlocked.Increment(ref _count));
            _listener.Start();
        }

        public int Count => Volatile.Read(ref _count);

        public void Dispose() => _listener.Dispose();
    }
}
