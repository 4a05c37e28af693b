using System.Net;
using System.Text;
using Kyperian.Api.Tests.Http.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Tests.Http;

/// <summary>The rate limiter, the TradingView allowlist and the start-up refusal without secrets: each its own app.</summary>
public sealed class AccessTests
{
    [Fact]
    public async Task Over_the_rate_limit_the_webhook_answers_429_with_Retry_After_and_health_still_answers()
    {
        await using var app = new KyperianFactory(new Dictionary<string, string?>
        {
            ["Kyperian:Webhook:RateLimitPerSecond"] = "1",
            ["Kyperian:Webhook:RateLimitBurst"] = "2",
        });
        var client = app.CreateClient();

        // A burst of 2 passes; the bucket refills one token a second, so within 20 quick requests one is refused.
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 20 && limited is null; i++)
        {
            var response = await client.PostAlertAsync(Alerts.Alert("RATEUSDT", price: 100 + i, id: $"rate-{i}"));
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
            else
            {
                response.Dispose();
            }
        }

        Assert.NotNull(limited);
        using (limited)
        {
            Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Accepted], statuses.Take(2));
            Assert.All(statuses.SkipLast(1), s => Assert.Equal(HttpStatusCode.Accepted, s));
            await limited.ExpectProblemAsync(HttpStatusCode.TooManyRequests);
            var retryAfter = Assert.Single(limited.Headers.GetValues("Retry-After"));
            Assert.InRange(int.Parse(retryAfter, System.Globalization.CultureInfo.InvariantCulture), 1, 60);
        }

        using var health = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task With_the_allowlist_on_only_TradingViews_addresses_may_send_alerts()
    {
        await using var app = new KyperianFactory(
            new Dictionary<string, string?> { ["Kyperian:Webhook:EnforceAllowedIps"] = "true" },
            RemoteAddress.AddTo);
        var client = app.CreateClient();

        // The test server's own peer is no TradingView address.
        using var local = await client.PostAlertAsync(Alerts.Alert("ALLOWUSDT", id: "allow-0"));
        var problem = await local.ExpectProblemAsync(HttpStatusCode.Forbidden);
        Assert.Null(problem["errors"]);

        using var stranger = await client.SendAsync(RemoteAddress.From("203.0.113.9", Post(Alerts.Alert("ALLOWUSDT", id: "allow-1"))));
        await stranger.ExpectProblemAsync(HttpStatusCode.Forbidden);

        var index = 2;
        foreach (var tradingView in new[] { "52.89.214.238", "34.212.75.30", "54.218.53.128", "52.32.178.7", "::ffff:52.32.178.7" })
        {
            using var allowed = await client.SendAsync(RemoteAddress.From(tradingView, Post(Alerts.Alert("ALLOWUSDT", id: $"allow-{index++}"))));
            await allowed.ExpectAsync(HttpStatusCode.Accepted);
        }

        using var listed = await app.CreateOperatorClient().GetAsync("/signals?symbol=ALLOWUSDT&limit=200");
        Assert.Equal(5, (await listed.ExpectAsync(HttpStatusCode.OK)).AsArray().Count);
    }

    [Fact]
    public async Task A_configured_allowlist_replaces_TradingViews_addresses()
    {
        // An operator behind a relay lists only the relay.
        await using var app = new KyperianFactory(
            new Dictionary<string, string?>
            {
                ["Kyperian:Webhook:EnforceAllowedIps"] = "true",
                ["Kyperian:Webhook:AllowedIps:0"] = "198.51.100.7",
            },
            RemoteAddress.AddTo);
        var client = app.CreateClient();

        using var relay = await client.SendAsync(RemoteAddress.From("198.51.100.7", Post(Alerts.Alert("RELAYUSDT", id: "relay-1"))));
        await relay.ExpectAsync(HttpStatusCode.Accepted);

        using var direct = await client.SendAsync(RemoteAddress.From("52.89.214.238", Post(Alerts.Alert("RELAYUSDT", id: "relay-2"))));
        await direct.ExpectProblemAsync(HttpStatusCode.Forbidden);

        var options = app.Services.GetRequiredService<IOptions<Kyperian.Api.Application.Intake.WebhookOptions>>().Value;
        Assert.Equal(["198.51.100.7"], options.AllowedIps);
    }

    [Theory]
    [InlineData("Kyperian:Webhook:Passphrase")]
    [InlineData("Kyperian:Operator:ApiKey")]
    public void Outside_Development_the_app_refuses_to_start_without_a_secret_and_names_the_setting(string setting)
    {
        using var app = new KyperianFactory(new Dictionary<string, string?> { [setting] = null }, environment: "Production");

        var failure = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        var messages = string.Join(" | ", Flatten(failure).Select(e => e.Message));
        Assert.Contains(setting, messages, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_Development_without_secrets_the_app_is_open_says_so_once_and_health_is_degraded()
    {
        await using var app = new KyperianFactory(
            new Dictionary<string, string?> { ["Kyperian:Webhook:Passphrase"] = null, ["Kyperian:Operator:ApiKey"] = null },
            environment: "Development");
        var client = app.CreateClient();

        await client.AcceptAsync(Alerts.Alert("OPENUSDT", withPassphrase: false));
        using var risk = await client.GetAsync("/risk");
        Assert.Equal(HttpStatusCode.OK, risk.StatusCode);

        using var healthResponse = await client.GetAsync("/health");
        var health = await healthResponse.ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("Degraded", (string?)health["status"]);
        var auth = health["checks"]!["auth"]!;
        Assert.Equal("Degraded", (string?)auth["status"]);
        Assert.Contains("Kyperian:Webhook:Passphrase", (string?)auth["detail"], StringComparison.Ordinal);

        var warnings = app.Logs.Lines.Where(l => l.Message.Contains("without a webhook passphrase", StringComparison.Ordinal)).ToList();
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, Assert.Single(warnings).Level);
    }

    private static HttpRequestMessage Post(System.Text.Json.Nodes.JsonNode alert) =>
        new(HttpMethod.Post, "/webhook") { Content = new StringContent(alert.ToJsonString(), Encoding.UTF8, "application/json") };

    private static IEnumerable<Exception> Flatten(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            yield return e;
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Flatten))
                {
                    yield return inner;
                }
            }
        }
    }
}
