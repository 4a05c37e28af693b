using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Kyperian.Api.Tests.Http.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Tests.Http;

/// <summary>What an adversarial caller tries: bad framing, bad encodings, guessing the operator key, forging log lines.</summary>
public sealed class HardeningTests
{
    [Theory]
    [InlineData("broken chunk framing", "Transfer-Encoding: chunked\r\n\r\nZZ\r\nabc\r\n0\r\n\r\n", false)]
    [InlineData("a body shorter than its Content-Length", "Content-Length: 200\r\n\r\n{\"symbol\":\"BTCUSDT\"", true)]
    public async Task A_badly_sent_body_is_the_clients_400_with_one_log_line_and_no_stack_trace(string what, string rest, bool clientHangsUp)
    {
        await using var app = new KyperianFactory();
        app.UseKestrel(0);
        app.StartServer();

        var request = "POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + rest;
        var response = await RawAsync(app.ClientOptions.BaseAddress, request, clientHangsUp);

        // A client that hung up mid-body may get no answer at all; one that is still there gets its 400.
        if (!clientHangsUp || response.Length > 0)
        {
            Assert.StartsWith("HTTP/1.1 400", response, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("backend", response, StringComparison.OrdinalIgnoreCase);
        if (!clientHangsUp)
        {
            // A client that hung up may be gone before the app reads a byte; one still there gets its line.
            await HttpHelpers.EventuallyAsync(
                () => Task.FromResult(app.Logs.Lines.FirstOrDefault(l => l.Message.Contains("unreadable alert (400)", StringComparison.Ordinal))),
                "the one line about the unreadable alert");
        }
        var warnings = app.Logs.Lines.Where(l => l.Level >= LogLevel.Warning).ToList();
        Assert.True(warnings.Count == 0, what + ": " + string.Join(Environment.NewLine, warnings.Select(w => w.Text)));
        Assert.DoesNotContain(app.Logs.Lines, l => l.Category.StartsWith("Kyperian", StringComparison.Ordinal) && l.Exception is not null);
    }

    [Theory]
    [InlineData("Production")]
    [InlineData("Development")]
    public async Task Malformed_json_to_an_operator_endpoint_is_a_400_in_every_environment(string environment)
    {
        await using var app = new KyperianFactory(environment: environment);
        using var response = await app.CreateOperatorClient().PostRawAsync("/risk/pnl", "{\"pnlPct\": -1.5", "application/json");

        await response.ExpectProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Without_the_key_a_bad_body_is_401_before_it_is_read()
    {
        await using var app = new KyperianFactory();
        using var response = await app.CreateClient().PostRawAsync("/risk/pnl", "{\"pnlPct\": -1.5", "application/json");

        await response.ExpectProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Wrong_keys_are_logged_without_the_value_and_an_address_that_keeps_guessing_is_refused()
    {
        await using var app = new KyperianFactory(
            new Dictionary<string, string?> { ["Kyperian:Operator:MaxFailedKeysPerMinute"] = "3" },
            RemoteAddress.AddTo);
        using var client = app.CreateClient();

        for (var guess = 0; guess < 3; guess++)
        {
            using var wrong = await client.SendAsync(Guess("198.51.100.20", $"guess-number-{guess}"));
            await wrong.ExpectProblemAsync(HttpStatusCode.Unauthorized);
        }

        using var refused = await client.SendAsync(Guess("198.51.100.20", "guess-number-3"));
        await refused.ExpectProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.NotNull(refused.Headers.RetryAfter);

        // Even the right key waits out the window from that address; other addresses are not affected.
        using var right = await client.SendAsync(Guess("198.51.100.20", KyperianFactory.OperatorKey));
        await right.ExpectProblemAsync(HttpStatusCode.TooManyRequests);
        using var other = await client.SendAsync(Guess("198.51.100.21", KyperianFactory.OperatorKey));
        await other.ExpectAsync(HttpStatusCode.OK);

        var logged = app.Logs.Lines.Where(l => l.Message.Contains("Wrong operator key", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, logged.Count);
        Assert.All(logged, l => Assert.Contains("198.51.100.20", l.Message, StringComparison.Ordinal));
        Assert.All(logged, l => Assert.Contains("/risk", l.Message, StringComparison.Ordinal));
        Assert.DoesNotContain(app.Logs.Lines, l => l.Text.Contains("guess-number", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Request_text_reaching_a_log_line_or_an_error_has_its_control_characters_escaped()
    {
        await using var app = new KyperianFactory(new Dictionary<string, string?> { ["Kyperian:Operator:MaxFailedKeysPerMinute"] = "100" });
        using var client = app.CreateClient();

        using var forged = new HttpRequestMessage(HttpMethod.Get, "/signals/x%0D%0AWarning%20Kyperian:%20forged%1B%5B31m");
        forged.Headers.Add("X-Api-Key", "not-the-key");
        using var answer = await client.SendAsync(forged);
        await answer.ExpectProblemAsync(HttpStatusCode.Unauthorized);

        var alert = Alerts.Alert("ESCAPEUSDT");
        alert["evil\nfield\r\u001b[31m"] = 1;
        using var validated = await client.PostAlertAsync(alert, "/validate");
        var report = await validated.ExpectAsync(HttpStatusCode.OK);

        var warning = Assert.Single(report["warnings"].Strings(), w => w.Contains("evil", StringComparison.Ordinal));
        Assert.Contains(@"evil\u000Afield\u000D\u001B[31m", warning, StringComparison.Ordinal);
        var line = Assert.Single(app.Logs.Lines, l => l.Message.Contains("Wrong operator key", StringComparison.Ordinal));
        Assert.Contains(@"x\u000D\u000AWarning", line.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(
            app.Logs.Lines,
            l => l.Category.StartsWith("Kyperian", StringComparison.Ordinal) && l.Message.IndexOfAny(['\n', '\r', '\u001b']) >= 0);
    }

    [Theory]
    [InlineData("Kyperian:Webhook:Passphrase", "short-secret")]
    [InlineData("Kyperian:Webhook:Passphrase", "                    ")]
    [InlineData("Kyperian:Operator:ApiKey", "only-15-chars!!")]
    [InlineData("Kyperian:Operator:ApiKey", "")]
    public void Outside_Development_a_weak_or_blank_secret_stops_the_start_and_names_the_setting(string setting, string value)
    {
        using var app = new KyperianFactory(new Dictionary<string, string?> { [setting] = value });

        var error = Assert.Throws<OptionsValidationException>(() => app.CreateClient());

        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
        if (value.Trim().Length > 0)
        {
            Assert.DoesNotContain(value, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_gzip_alert_is_read_and_any_other_encoding_is_415()
    {
        await using var app = new KyperianFactory();
        using var client = app.CreateClient();
        var json = Encoding.UTF8.GetBytes(Alerts.Alert("GZIPUSDT", id: "gzip-1").ToJsonString());

        using var gzipped = await client.SendAsync(Encoded(Gzip(json), "gzip"));
        await gzipped.ExpectAsync(HttpStatusCode.Accepted);

        using var brotli = await client.SendAsync(Encoded(json, "br"));
        await brotli.ExpectProblemAsync(HttpStatusCode.UnsupportedMediaType);

        using var notGzip = await client.SendAsync(Encoded(json, "gzip"));
        await notGzip.ExpectProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task TradingViews_senders_are_not_rate_limited_per_address_but_others_are()
    {
        await using var app = new KyperianFactory(
            new Dictionary<string, string?> { ["Kyperian:Webhook:RateLimitPerSecond"] = "1", ["Kyperian:Webhook:RateLimitBurst"] = "1" },
            RemoteAddress.AddTo);
        using var client = app.CreateClient();

        // A bar close: one trader's alerts for many symbols and timeframes, all from one TradingView address.
        for (var i = 0; i < 20; i++)
        {
            using var burst = await client.SendAsync(RemoteAddress.From("52.89.214.238", Post(Alerts.Alert("BURSTUSDT", id: $"burst-{i}"))));
            await burst.ExpectAsync(HttpStatusCode.Accepted);
        }

        using var first = await client.SendAsync(RemoteAddress.From("203.0.113.40", Post(Alerts.Alert("OTHERUSDT", id: "other-1"))));
        await first.ExpectAsync(HttpStatusCode.Accepted);
        using var second = await client.SendAsync(RemoteAddress.From("203.0.113.40", Post(Alerts.Alert("OTHERUSDT", id: "other-2"))));
        await second.ExpectProblemAsync(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task Swagger_can_be_switched_off()
    {
        await using var app = new KyperianFactory(new Dictionary<string, string?> { ["Kyperian:Swagger:Enabled"] = "false" });
        using var client = app.CreateClient();

        using var document = await client.GetAsync("/swagger/v1/swagger.json");
        using var health = await client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.NotFound, document.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    private static HttpRequestMessage Guess(string address, string key)
    {
        var request = RemoteAddress.From(address, new HttpRequestMessage(HttpMethod.Get, "/risk"));
        request.Headers.Add("X-Api-Key", key);
        return request;
    }

    private static HttpRequestMessage Post(System.Text.Json.Nodes.JsonNode alert) =>
        new(HttpMethod.Post, "/webhook") { Content = new StringContent(alert.ToJsonString(), Encoding.UTF8, "application/json") };

    private static HttpRequestMessage Encoded(byte[] body, string encoding)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        content.Headers.ContentEncoding.Add(encoding);
        return new HttpRequestMessage(HttpMethod.Post, "/webhook") { Content = content };
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    /// <summary>Sends bytes no HTTP client library would send, then reads the answer until the server closes or 3 s pass.</summary>
    private static async Task<string> RawAsync(Uri? server, string request, bool hangUp)
    {
        ArgumentNullException.ThrowIfNull(server);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        if (hangUp)
        {
            tcp.Client.Shutdown(SocketShutdown.Send);
        }

        using var reading = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var answer = new StringBuilder();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, reading.Token)) > 0)
            {
                answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException) when (hangUp)
        {
            // The app may answer a client that hung up mid-body with a reset instead of a 400: nothing more to read.
        }

        return answer.ToString();
    }
}
