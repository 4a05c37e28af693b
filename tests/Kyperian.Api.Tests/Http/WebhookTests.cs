using System.Net;
using System.Text;
using Kyperian.Api.Infrastructure.Embedded;
using Kyperian.Api.Tests.Http.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Kyperian.Api.Tests.Http;

/// <summary>The happy paths of POST /webhook and POST /validate, read back through the operator endpoints.</summary>
public sealed class WebhookTests(ApiFixture factory) : IClassFixture<ApiFixture>
{
    private readonly HttpClient _client = factory.CreateClient();
    private readonly HttpClient _operator = factory.CreateOperatorClient();

    private static DateTimeOffset Now => DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());

    [Fact]
    public async Task A_TradingView_alert_is_accepted_stored_and_decided()
    {
        var time = Now;
        var alert = Alerts.Alert("BINANCE:HAPPYUSDT", "buy", "15", 64250.5m, 80, time, "happy-15m-long-1");
        alert["comment"] = "EMA cross";

        using var response = await _client.PostAlertAsync(alert);
        var accepted = await response.ExpectAsync(HttpStatusCode.Accepted);
        var signalId = (string)accepted["signalId"]!;
        Assert.StartsWith("sig_", signalId);
        Assert.Equal("accepted", (string?)accepted["status"]);
        var receivedAt = DateTimeOffset.Parse((string)accepted["receivedAt"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(receivedAt, time.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Equal($"/signals/{signalId}", response.Headers.Location?.OriginalString);

        using var stored = await _operator.GetAsync($"/signals/{signalId}");
        var storedText = await stored.Content.ReadAsStringAsync();
        var signal = await stored.ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(signalId, (string?)signal["signalId"]);
        Assert.Equal("HAPPYUSDT", (string?)signal["symbol"]);
        Assert.Equal("BINANCE", (string?)signal["exchange"]);
        Assert.Equal("Buy", (string?)signal["action"]);
        Assert.Equal("15m", (string?)signal["timeframe"]);
        Assert.Equal(64250.5m, (decimal)signal["price"]!);
        Assert.Equal(80, (int)signal["confidence"]!);
        Assert.Equal("tradingview", (string?)signal["source"]);
        Assert.Equal("happy-15m-long-1", (string?)signal["alertId"]);
        Assert.Equal(time, DateTimeOffset.Parse((string)signal["alertTime"]!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("EMA cross", (string?)signal["comment"]);
        Assert.Null(signal["passphrase"]);
        Assert.DoesNotContain(KyperianFactory.Passphrase, storedText, StringComparison.Ordinal);

        // The engine runs in process (role all): the decision follows within milliseconds.
        var decision = await _operator.DecisionAsync(signalId);
        var decisionId = (string)decision["decisionId"]!;
        Assert.Equal("dec_" + signalId["sig_".Length..], decisionId);
        Assert.Equal(signalId, (string?)decision["signalId"]);
        Assert.Equal("HAPPYUSDT", (string?)decision["symbol"]);
        Assert.Equal("15m", (string?)decision["timeframe"]);
        Assert.Equal("EXECUTE", (string?)decision["verdict"]);
        Assert.Equal("EnterLong", (string?)decision["action"]);
        Assert.Equal(0.64, (double)decision["positionSizePct"]!, 6);   // 1.0 % × score 0.8 × confidence 0.8
        Assert.Empty(decision["reasons"]!.AsArray());

        using var byDecisionId = await _operator.GetAsync($"/decisions/{decisionId}");
        Assert.Equal(signalId, (string?)(await byDecisionId.ExpectAsync(HttpStatusCode.OK))["signalId"]);

        using var listed = await _operator.GetAsync("/decisions?symbol=HAPPYUSDT");
        var decisions = (await listed.ExpectAsync(HttpStatusCode.OK)).AsArray();
        Assert.Equal(decisionId, (string?)Assert.Single(decisions)!["decisionId"]);

        // The exchange prefix names the same symbol.
        using var signals = await _operator.GetAsync("/signals?symbol=binance:happyusdt");
        Assert.Equal(signalId, (string?)Assert.Single((await signals.ExpectAsync(HttpStatusCode.OK)).AsArray())!["signalId"]);
    }

    [Fact]
    public async Task A_text_plain_body_with_a_trailing_newline_is_accepted()
    {
        var body = Alerts.Alert("PLAINUSDT", time: Now).ToJsonString() + "\n";
        using var response = await _client.PostRawAsync("/webhook", body, "text/plain; charset=utf-8");
        var signalId = (string)(await response.ExpectAsync(HttpStatusCode.Accepted))["signalId"]!;

        using var stored = await _operator.GetAsync($"/signals/{signalId}");
        Assert.Equal("PLAINUSDT", (string?)(await stored.ExpectAsync(HttpStatusCode.OK))["symbol"]);
    }

    [Fact]
    public async Task The_passphrase_may_travel_as_token_in_the_url_instead_of_the_body()
    {
        var alert = Alerts.Alert("TOKENUSDT", time: Now, withPassphrase: false);

        using var withToken = await _client.PostAsync(
            $"/webhook?token={Uri.EscapeDataString(KyperianFactory.Passphrase)}",
            new StringContent(alert.ToJsonString(), Encoding.UTF8, "application/json"));
        await withToken.ExpectAsync(HttpStatusCode.Accepted);

        using var without = await _client.PostAlertAsync(alert);
        await without.ExpectProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("secret")]
    [InlineData("key")]
    public async Task Secret_and_key_are_aliases_of_the_passphrase(string alias)
    {
        var alert = Alerts.Alert($"ALIAS{alias.ToUpperInvariant()}", time: Now, withPassphrase: false);
        alert[alias] = KyperianFactory.Passphrase;
        await _client.AcceptAsync(alert);

        alert[alias] = "not-it";
        using var wrong = await _client.PostAlertAsync(alert);
        await wrong.ExpectProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task The_same_alert_again_is_a_duplicate_with_the_same_id_and_is_stored_and_decided_once()
    {
        var alert = Alerts.Alert("DUPEUSDT", time: Now, id: "dupe-1");
        var signalId = await _client.AcceptAsync(alert);

        // TradingView resends the identical body after a timeout or a 5xx.
        for (var resend = 0; resend < 3; resend++)
        {
            using var again = await _client.PostAlertAsync(alert);
            var duplicate = await again.ExpectAsync(HttpStatusCode.OK);
            Assert.Equal(signalId, (string?)duplicate["signalId"]);
            Assert.Equal("duplicate", (string?)duplicate["status"]);
        }

        // The same words through another alias and as text/plain are still the same signal.
        alert.Remove("passphrase");
        alert["secret"] = KyperianFactory.Passphrase;
        using var asText = await _client.PostRawAsync("/webhook", alert.ToJsonString(), "text/plain");
        Assert.Equal(signalId, (string?)(await asText.ExpectAsync(HttpStatusCode.OK))["signalId"]);

        await _operator.DecisionAsync(signalId);
        using var signals = await _operator.GetAsync("/signals?symbol=DUPEUSDT");
        Assert.Single((await signals.ExpectAsync(HttpStatusCode.OK)).AsArray());
        using var decisions = await _operator.GetAsync("/decisions?symbol=DUPEUSDT");
        Assert.Single((await decisions.ExpectAsync(HttpStatusCode.OK)).AsArray());
    }

    [Fact]
    public async Task An_alert_without_time_or_id_is_a_duplicate_within_the_window_and_a_new_id_is_a_new_signal()
    {
        var alert = Alerts.Alert("WINDOWUSDT");
        var first = await _client.AcceptAsync(alert);

        using var again = await _client.PostAlertAsync(alert);
        Assert.Equal(first, (string?)(await again.ExpectAsync(HttpStatusCode.OK))["signalId"]);

        // Same content, another client id: another signal.
        alert["id"] = "window-2";
        var second = await _client.AcceptAsync(alert);
        Assert.NotEqual(first, second);

        // "100.50" as a string and 100.5 as a number are one price, so one id.
        var asNumber = Alerts.Alert("PRICEFORMUSDT", price: 100.5m, id: "p-1");
        var asString = Alerts.Alert("PRICEFORMUSDT", id: "p-1");
        asString["price"] = "100.50";
        var id = await _client.AcceptAsync(asNumber);
        using var replay = await _client.PostAlertAsync(asString);
        Assert.Equal(id, (string?)(await replay.ExpectAsync(HttpStatusCode.OK))["signalId"]);
    }

    [Fact]
    public async Task Concurrent_copies_of_one_alert_are_accepted_once_and_answered_duplicate_otherwise()
    {
        var body = Alerts.Alert("RACEUSDT", time: Now, id: "race-1").ToJsonString();
        var sends = Enumerable.Range(0, 16).Select(async _ =>
        {
            using var response = await _client.PostRawAsync("/webhook", body, "application/json");
            return (response.StatusCode, Id: (string?)(await response.JsonAsync())["signalId"]);
        });

        var answers = await Task.WhenAll(sends);

        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.Accepted);
        Assert.Equal(15, answers.Count(a => a.StatusCode == HttpStatusCode.OK));
        Assert.Single(answers.Select(a => a.Id).Distinct());
        var signalId = answers[0].Id!;
        await _operator.DecisionAsync(signalId);
        using var signals = await _operator.GetAsync("/signals?symbol=RACEUSDT");
        Assert.Single((await signals.ExpectAsync(HttpStatusCode.OK)).AsArray());
        using var decisions = await _operator.GetAsync("/decisions?symbol=RACEUSDT");
        Assert.Single((await decisions.ExpectAsync(HttpStatusCode.OK)).AsArray());
    }

    [Fact]
    public async Task Validate_reports_a_valid_alert_normalized_with_warnings_and_stores_nothing()
    {
        var store = factory.Services.GetRequiredService<SqliteSignalStore>();
        var alert = Alerts.Alert("binance:validusdt", "short", "240", 3120.75m, 65, Now, "v-1");
        alert["source"] = "TV-Bot";
        alert["strategy"] = "ema-cross";
        alert["plot_0"] = 42;
        var before = await store.CountAsync();

        using var response = await _client.PostAlertAsync(alert, "/validate");
        var report = await response.ExpectAsync(HttpStatusCode.OK);

        Assert.True((bool)report["valid"]!);
        Assert.Empty(report["errors"]!.AsArray());
        var warnings = report["warnings"].Strings();
        Assert.Contains(warnings, w => w.Contains("'strategy'", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("'plot_0'", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("passphrase is present", StringComparison.Ordinal));
        Assert.True((double)report["elapsedMicroseconds"]! > 0);

        var signal = report["signal"]!;
        Assert.Equal("VALIDUSDT", (string?)signal["symbol"]);
        Assert.Equal("BINANCE", (string?)signal["exchange"]);
        Assert.Equal("Sell", (string?)signal["action"]);
        Assert.Equal("4h", (string?)signal["timeframe"]);
        Assert.Equal(3120.75m, (decimal)signal["price"]!);
        Assert.Equal(65, (int)signal["confidence"]!);
        Assert.Equal("tv-bot", (string?)signal["source"]);
        Assert.StartsWith("sig_", (string?)signal["signalId"]);

        Assert.Equal(before, await store.CountAsync());
        using var listed = await _operator.GetAsync("/signals?symbol=VALIDUSDT");
        Assert.Empty((await listed.ExpectAsync(HttpStatusCode.OK)).AsArray());

        // /validate claimed nothing: the same alert is then accepted as new, under the id /validate showed.
        Assert.Equal((string?)signal["signalId"], await _client.AcceptAsync(alert));
    }

    [Fact]
    public async Task Validate_names_every_bad_field_and_stores_nothing()
    {
        var store = factory.Services.GetRequiredService<SqliteSignalStore>();
        var alert = Alerts.Alert("BADVALIDUSDT");
        alert["price"] = -3;
        alert["confidence"] = 101;
        alert["timeframe"] = "{{interval}}";
        alert["exchange"] = "Trading View";
        alert["time"] = "2099-01-01T00:00:00Z";
        var before = await store.CountAsync();

        using var response = await _client.PostAlertAsync(alert, "/validate");
        var report = await response.ExpectAsync(HttpStatusCode.OK);

        Assert.False((bool)report["valid"]!);
        Assert.Null(report["signal"]);
        var errors = report["errors"]!.AsArray();
        Assert.Equal(
            ["confidence", "exchange", "price", "time", "timeframe"],
            errors.Select(e => (string)e!["field"]!).Order(StringComparer.Ordinal));
        Assert.All(errors, e => Assert.False(string.IsNullOrWhiteSpace((string?)e!["reason"])));
        Assert.Equal(before, await store.CountAsync());
        using var listed = await _operator.GetAsync("/signals?symbol=BADVALIDUSDT");
        Assert.Empty((await listed.ExpectAsync(HttpStatusCode.OK)).AsArray());

        // An unreadable body is reported, not thrown.
        using var broken = await _client.PostRawAsync("/validate", "{\"symbol\":", "text/plain");
        var brokenReport = await broken.ExpectAsync(HttpStatusCode.OK);
        Assert.False((bool)brokenReport["valid"]!);
        Assert.Equal("body", (string?)Assert.Single(brokenReport["errors"]!.AsArray())!["field"]);
    }

    [Fact]
    public async Task Validate_says_whether_a_passphrase_is_present_never_whether_it_is_right()
    {
        using var missing = await _client.PostAlertAsync(Alerts.Alert("PASSCHECKUSDT", withPassphrase: false), "/validate");
        var missingReport = await missing.ExpectAsync(HttpStatusCode.OK);
        Assert.False((bool)missingReport["valid"]!);
        Assert.Equal("passphrase", (string?)Assert.Single(missingReport["errors"]!.AsArray())!["field"]);

        var wrong = Alerts.Alert("PASSCHECKUSDT", withPassphrase: false);
        wrong["passphrase"] = "guess";
        using var wrongResponse = await _client.PostAlertAsync(wrong, "/validate");
        var right = Alerts.Alert("PASSCHECKUSDT");
        using var rightResponse = await _client.PostAlertAsync(right, "/validate");

        // Not an oracle: a wrong passphrase and the right one get the same verdict and warnings.
        var wrongReport = await wrongResponse.ExpectAsync(HttpStatusCode.OK);
        var rightReport = await rightResponse.ExpectAsync(HttpStatusCode.OK);
        Assert.True((bool)wrongReport["valid"]!);
        Assert.True((bool)rightReport["valid"]!);
        Assert.Equal(rightReport["warnings"].Strings(), wrongReport["warnings"].Strings());
    }

    [Fact]
    public async Task A_body_of_exactly_16_KiB_is_read_and_one_byte_more_is_413()
    {
        const int limit = 16 * 1024;
        var head = Alerts.Alert("SIZEUSDT", time: Now).ToJsonString().TrimEnd('}') + ",\"pad\":\"";
        var exact = head + new string('x', limit - head.Length - 2) + "\"}";
        Assert.Equal(limit, Encoding.UTF8.GetByteCount(exact));

        using var atLimit = await _client.PostRawAsync("/webhook", exact, "application/json");
        await atLimit.ExpectAsync(HttpStatusCode.Accepted);

        var over = head + new string('y', limit - head.Length - 1) + "\"}";
        using var overLimit = await _client.PostRawAsync("/webhook", over, "application/json");
        await overLimit.ExpectProblemAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    /// <summary>Free text is data: SQL, markup, placeholders and paths in id and comment are stored verbatim and served as JSON.</summary>
    [Theory]
    [InlineData("SQL", "' OR '1'='1'; DROP TABLE signals;--")]
    [InlineData("SCRIPT", "<script>alert(document.cookie)</script>")]
    [InlineData("PLACEHOLDER", "{{strategy.order.id}}")]
    [InlineData("TRAVERSAL", "../../../etc/passwd")]
    [InlineData("UNICODE", "ünïcödé 🚀 名字")]
    public async Task Injection_strings_in_free_text_are_kept_verbatim_as_inert_data(string tag, string text)
    {
        var alert = Alerts.Alert($"INJ{tag}", id: text);
        alert["comment"] = text + "\r\nsecond line";

        var signalId = await _client.AcceptAsync(alert);

        using var stored = await _operator.GetAsync($"/signals/{signalId}");
        Assert.Equal("application/json", stored.Content.Headers.ContentType?.MediaType);
        var raw = await stored.Content.ReadAsStringAsync();
        var signal = await stored.ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(text, (string?)signal["alertId"]);
        Assert.Equal(text + "\r\nsecond line", (string?)signal["comment"]);

        // Served as JSON (never text/html), with the line break escaped inside the string: no header or markup can form.
        Assert.DoesNotContain("\r\n", raw, StringComparison.Ordinal);
    }
}
