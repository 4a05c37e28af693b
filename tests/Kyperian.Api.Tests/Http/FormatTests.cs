using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Kyperian.Api.Tests.Http.Infrastructure;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Signals;
using Microsoft.Extensions.DependencyInjection;

namespace Kyperian.Api.Tests.Http;

/// <summary>
/// The alert formats traders already send, over real HTTP: the corpus through /validate, URL defaults, exits,
/// whose secret is ours, the last seen price, and the raw body kept but never shown.
/// </summary>
public sealed class FormatTests(ApiFixture factory) : IClassFixture<ApiFixture>
{
    private const string Token = "token=" + KyperianFactory.Passphrase;
    private readonly HttpClient _client = factory.CreateClient();
    private readonly HttpClient _operator = factory.CreateOperatorClient();

    public static TheoryData<string, int> CorpusLines()
    {
        var data = new TheoryData<string, int>();
        foreach (var (file, line, _) in Corpus())
        {
            data.Add(file, line);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CorpusLines))]
    public async Task Each_corpus_message_through_validate_becomes_its_signal_or_is_refused(string file, int line)
    {
        var entry = Corpus().Single(e => e.File == file && e.Line == line).Entry;
        var report = await ValidateAsync(entry);

        if (entry["expect"] is JsonValue)
        {
            Assert.False((bool)report["valid"]!, (string?)entry["source"]);
            Assert.NotEmpty(report["errors"]!.AsArray());
            return;
        }

        Assert.True((bool)report["valid"]!, $"{entry["source"]}: {report["errors"]!.ToJsonString()}");
        Assert.Equal(Expected(entry["expect"]!), Described(report["signal"]!));
        Assert.NotNull(report["format"]?["name"]);
        Assert.NotEmpty(report["mappings"]!.AsArray());
    }

    [Fact]
    public async Task At_least_90_percent_of_the_corpus_trading_messages_are_read_right_over_http()
    {
        var trading = Corpus().Where(e => e.Entry["expect"] is JsonObject).ToList();
        var right = 0;
        foreach (var (_, _, entry) in trading)
        {
            var report = await ValidateAsync(entry);
            if ((bool)report["valid"]! && Described(report["signal"]!) == Expected(entry["expect"]!))
            {
                right++;
            }
        }

        Assert.True(right >= 0.9 * trading.Count, $"{right} of {trading.Count}");
    }

    [Fact]
    public async Task Validate_names_the_format_and_how_each_field_was_read_with_hints()
    {
        const string body = """{"secret":"theirs","tv_exchange":"BINANCE","tv_instrument":"BTCUSDT","action":"buy","trigger_price":"64250.5","bot_uuid":"b-1"}""";
        using var response = await _client.PostRawAsync("/validate?interval=15&" + Token, body, "application/json");
        var report = await response.ExpectAsync(HttpStatusCode.OK);

        Assert.True((bool)report["valid"]!);
        Assert.Equal("3commas", (string?)report["format"]!["name"]);
        var mappings = report["mappings"]!.AsArray().Select(m => $"{m!["from"]} → {m["field"]}").ToList();
        Assert.Contains("tv_instrument → symbol", mappings);
        Assert.Contains("trigger_price → price", mappings);
        Assert.Contains("?interval → timeframe", mappings);
        Assert.Contains(report["hints"]!.AsArray(), h => (string?)h!["field"] == "time");
        Assert.DoesNotContain("theirs", report.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_url_fills_what_the_body_lacks_and_the_body_wins()
    {
        using var fromUrl = await _client.PostRawAsync(
            "/webhook?interval=15&confidence=70&source=tp&" + Token, """{"ticker":"URLDEFAULTUSDT","action":"buy","price":10}""", "application/json");
        var signal = await StoredAsync(fromUrl);
        Assert.Equal(("15m", 70, "tp"), ((string?)signal["timeframe"], (int)signal["confidence"]!, (string?)signal["source"]));

        using var bodyWins = await _client.PostRawAsync(
            "/webhook?interval=15&timeframe=5&symbol=OTHERUSDT&" + Token, """{"ticker":"BODYWINSUSDT","action":"buy","interval":"60","price":10}""", "application/json");
        var won = await StoredAsync(bodyWins);
        Assert.Equal(("1h", "BODYWINSUSDT"), ((string?)won["timeframe"], (string?)won["symbol"]));

        using var missing = await _client.PostRawAsync("/webhook?" + Token, """{"ticker":"NOTFUSDT","action":"buy"}""", "application/json");
        var problem = await missing.ExpectProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("?interval=15", problem["errors"]!["timeframe"]![0]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_traderspost_flat_exit_is_a_close_never_a_new_short()
    {
        using var response = await _client.PostRawAsync(
            "/webhook?interval=15&" + Token, """{"ticker":"TPEXITUSDT","action":"sell","sentiment":"flat","price":"101.5"}""", "application/json");
        Assert.Equal("Close", (string?)(await StoredAsync(response))["action"]);
    }

    [Fact]
    public async Task Text_formats_are_accepted_as_text_plain()
    {
        using var pine = await _client.PostRawAsync("/webhook?interval=60&" + Token, "60123456789,closeshort,PINETXT", "text/plain");
        Assert.Equal(("PINETXT", "Close", "1h"), Describe(await StoredAsync(pine)));

        using var tv = await _client.PostRawAsync(
            "/webhook?interval=240&" + Token, "order buy @ 0.5 filled on BINANCE:TVDEFAULTUSDT. New strategy position is 1", "text/plain");
        Assert.Equal(("TVDEFAULTUSDT", "Buy", "4h"), Describe(await StoredAsync(tv)));
    }

    [Theory]
    [InlineData("""{"passphrase":"wrong"}""")]
    [InlineData("""{"secret":"wrong"}""")]
    [InlineData("""{"key":"wrong"}""")]
    [InlineData("""{"PASSPHRASE":"wrong"}""")]
    [InlineData("""{"token":"tv-Pass-7f3c9e1a-Hush"}""")]
    [InlineData("""{"password":"tv-Pass-7f3c9e1a-Hush"}""")]
    [InlineData("""{"api_token":"tv-Pass-7f3c9e1a-Hush"}""")]
    [InlineData("""{"signalToken":"tv-Pass-7f3c9e1a-Hush"}""")]
    [InlineData("""{"data":{"passphrase":"tv-Pass-7f3c9e1a-Hush"}}""")]
    [InlineData("""{"strategy":{"secret":"tv-Pass-7f3c9e1a-Hush"}}""")]
    [InlineData("""{"passphrase":"wrong","secret":"tv-Pass-7f3c9e1a-Hush"}""")]
    [InlineData("""{}""")]
    public async Task A_wrong_or_misplaced_passphrase_never_passes_whatever_the_alias(string secretPart)
    {
        var body = JsonNode.Parse(secretPart)!.AsObject();
        body["ticker"] = "NOPASSUSDT";
        body["action"] = "buy";
        body["interval"] = "15";
        using var response = await _client.PostRawAsync("/webhook", body.ToJsonString(), "application/json");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);

        using var text = await _client.PostRawAsync("/webhook", $"60123456789,buy,NOPASSUSDT,secret={KyperianFactory.Passphrase}x", "text/plain");
        Assert.Equal(HttpStatusCode.Unauthorized, text.StatusCode);
    }

    [Fact]
    public async Task Passphrase_fields_narrow_which_body_fields_are_ours()
    {
        await using var narrowed = new KyperianFactory(new Dictionary<string, string?> { ["Kyperian:Webhook:PassphraseFields:0"] = "passphrase" });
        var client = narrowed.CreateClient();
        var theirs = $$"""{"secret":"{{KyperianFactory.Passphrase}}","tv_instrument":"NARROWUSDT","action":"buy"}""";

        using var notOurs = await client.PostRawAsync("/webhook?interval=15", theirs, "application/json");
        Assert.Equal(HttpStatusCode.Unauthorized, notOurs.StatusCode);

        using var withToken = await client.PostRawAsync("/webhook?interval=15&" + Token, """{"secret":"their-3commas-secret","tv_instrument":"NARROWUSDT","action":"buy"}""", "application/json");
        Assert.Equal(HttpStatusCode.Accepted, withToken.StatusCode);
    }

    [Fact]
    public async Task An_unpriced_signal_takes_the_last_seen_price_recorded_as_such()
    {
        using var first = await _client.PostRawAsync("/webhook?interval=15&" + Token, """{"ticker":"LASTSEENUSDT","action":"buy"}""", "application/json");
        var unpriced = await StoredAsync(first);
        Assert.Null(unpriced["price"]);
        Assert.Equal("None", (string?)unpriced["priceSource"]);

        using var priced = await _client.PostRawAsync("/webhook?interval=60&" + Token, """{"ticker":"LASTSEENUSDT","action":"buy","price":321.5}""", "application/json");
        Assert.Equal("Alert", (string?)(await StoredAsync(priced))["priceSource"]);

        using var later = await _client.PostRawAsync("/webhook?interval=240&" + Token, """{"ticker":"LASTSEENUSDT","action":"sell"}""", "application/json");
        var filled = await StoredAsync(later);
        Assert.Equal(321.5m, (decimal)filled["price"]!);
        Assert.Equal("LastSeen", (string?)filled["priceSource"]);
    }

    [Fact]
    public async Task The_raw_body_is_kept_until_its_decision_hands_it_to_the_deliveries_and_never_shown()
    {
        const string marker = "RAW-MARKER-5d1e";
        var body = $$"""{"ticker":"RAWBODYUSDT","action":"buy","price":10,"bot_uuid":"{{marker}}","orderType":"market"}""";
        using var response = await _client.PostRawAsync("/webhook?interval=15&" + Token, body, "application/json");
        var signalId = (string)(await response.ExpectAsync(HttpStatusCode.Accepted))["signalId"]!;

        // Decided, the signal forgets it: the deliveries that forward it ({{raw}}) hold their own copy until sent,
        // and here no destination does (NotificationAppTests has one that does).
        var decisions = factory.Services.GetRequiredService<IDecisionStore>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await decisions.GetAsync(SignalIdentity.DecisionIdFor(signalId), CancellationToken.None) is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        var store = factory.Services.GetRequiredService<ISignalStore>();
        Assert.Null(await store.GetRawAlertAsync(signalId, CancellationToken.None));

        using var one = await _operator.GetAsync($"/signals/{signalId}");
        using var listed = await _operator.GetAsync("/signals?symbol=RAWBODYUSDT");
        using var decision = await _operator.GetAsync($"/decisions?symbol=RAWBODYUSDT");
        Assert.DoesNotContain(marker, await one.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(marker, await listed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(marker, await decision.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(factory.Logs.Lines, l => l.Text.Contains(marker, StringComparison.Ordinal));
    }

    private async Task<JsonNode> ValidateAsync(JsonNode entry)
    {
        var query = string.Join("&", entry["query"]!.AsObject().Select(p => $"{p.Key}={Uri.EscapeDataString((string)p.Value!)}").Append(Token));
        using var response = await _client.PostRawAsync("/validate?" + query, (string)entry["body"]!, (string)entry["contentType"]!);
        return await response.ExpectAsync(HttpStatusCode.OK);
    }

    private async Task<JsonNode> StoredAsync(HttpResponseMessage response)
    {
        var signalId = (string)(await response.ExpectAsync(HttpStatusCode.Accepted))["signalId"]!;
        using var stored = await _operator.GetAsync($"/signals/{signalId}");
        return await stored.ExpectAsync(HttpStatusCode.OK);
    }

    private static (string?, string?, string?) Describe(JsonNode signal) =>
        ((string?)signal["symbol"], (string?)signal["action"], (string?)signal["timeframe"]);

    private static string Described(JsonNode signal) =>
        $"{signal["symbol"]} {signal["action"]} {signal["timeframe"]} {(signal["price"] is { } price ? Number(price) : "unpriced")}";

    private static string Expected(JsonNode expect) =>
        $"{expect["symbol"]} {expect["action"]} {expect["timeframe"]} {(expect["price"] is { } price ? Number(price) : "unpriced")}";

    private static string Number(JsonNode number) => number.GetValue<decimal>().ToString("0.############", CultureInfo.InvariantCulture);

    private static IEnumerable<(string File, int Line, JsonNode Entry)> Corpus()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "Corpus");
        foreach (var path in Directory.EnumerateFiles(folder, "*.jsonl").Order(StringComparer.Ordinal))
        {
            var lines = File.ReadAllLines(path);
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i].Length > 0)
                {
                    yield return (Path.GetFileName(path), i + 1, JsonNode.Parse(lines[i])!);
                }
            }
        }
    }
}
