using System.Net;
using System.Text;
using Kyperian.Api.Tests.Http.Infrastructure;

namespace Kyperian.Api.Tests.Http;

/// <summary>Operator authentication, unknown ids, query validation, health and the OpenAPI document.</summary>
public sealed class StatusTests(ApiFixture factory) : IClassFixture<ApiFixture>
{
    public static TheoryData<string, string> OperatorEndpoints => new()
    {
        { "GET", "/signals/sig_000000000000000000000000" },
        { "GET", "/signals?symbol=BTCUSDT" },
        { "GET", "/decisions/dec_000000000000000000000000" },
        { "GET", "/decisions?symbol=BTCUSDT" },
        { "GET", "/decisions" },
        { "GET", "/symbols" },
        { "GET", "/symbols/BTCUSDT" },
        { "GET", "/stats" },
        { "GET", "/events" },
        { "GET", "/risk" },
        { "POST", "/risk/pnl" },
        { "POST", "/risk/halt" },
        { "POST", "/risk/resume" },
    };

    [Theory]
    [MemberData(nameof(OperatorEndpoints))]
    public async Task Operator_endpoints_answer_401_without_the_right_key_and_change_nothing(string method, string path)
    {
        var client = factory.CreateClient();
        string?[] keys = [null, "wrong-key", KyperianFactory.OperatorKey.ToUpperInvariant(), KyperianFactory.OperatorKey + " ", string.Empty];
        foreach (var key in keys)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (method == "POST")
            {
                request.Content = new StringContent("{\"pnlPct\":-50,\"reason\":\"x\"}", Encoding.UTF8, "application/json");
            }

            if (key is not null)
            {
                request.Headers.TryAddWithoutValidation("X-Api-Key", key);
            }

            using var response = await client.SendAsync(request);
            var problem = await response.ExpectProblemAsync(HttpStatusCode.Unauthorized);
            Assert.DoesNotContain(KyperianFactory.OperatorKey, problem.ToJsonString(), StringComparison.OrdinalIgnoreCase);
        }

        // The key in the query string or as a bearer token is not the key header.
        using var inQuery = await client.GetAsync($"/risk?X-Api-Key={KyperianFactory.OperatorKey}");
        await inQuery.ExpectProblemAsync(HttpStatusCode.Unauthorized);

        using var risk = await factory.CreateOperatorClient().GetAsync("/risk");
        var state = await risk.ExpectAsync(HttpStatusCode.OK);
        Assert.False((bool)state["halted"]!);
        Assert.Equal(0, (double)state["realizedPnlTodayPct"]!);
    }

    [Theory]
    [InlineData("/signals/sig_0123456789abcdef01234567")]
    [InlineData("/signals/not-an-id")]
    [InlineData("/decisions/dec_0123456789abcdef01234567")]
    [InlineData("/decisions/sig_0123456789abcdef01234567")]
    [InlineData("/decisions/%3Cscript%3E")]
    public async Task Unknown_ids_are_404_problems(string path)
    {
        using var response = await factory.CreateOperatorClient().GetAsync(path);
        var problem = await response.ExpectProblemAsync(HttpStatusCode.NotFound);
        Assert.False(string.IsNullOrWhiteSpace((string?)problem["detail"]));

        // The id asked for is not echoed: an answer never carries back what a caller injected.
        var asked = Uri.UnescapeDataString(path[(path.LastIndexOf('/') + 1)..]);
        Assert.DoesNotContain(asked, problem.ToJsonString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/signals", "symbol")]
    [InlineData("/signals?symbol=", "symbol")]
    [InlineData("/signals?symbol=BTCUSDT&limit=0", "limit")]
    [InlineData("/signals?symbol=BTCUSDT&limit=201", "limit")]
    [InlineData("/signals?symbol=BTCUSDT&limit=-1", "limit")]
    [InlineData("/signals?symbol=%3Cscript%3E", "symbol")]
    [InlineData("/decisions?symbol=%3Cscript%3E", "symbol")]
    [InlineData("/decisions?symbol=BTCUSDT&limit=0", "limit")]
    [InlineData("/decisions?limit=501", "limit")]
    [InlineData("/decisions?symbol=&limit=0", "limit,symbol")]
    [InlineData("/decisions?verdict=MAYBE&reason=NOPE", "reason,verdict")]
    [InlineData("/decisions?from=yesterday&to=2025-01-01T00:00:00Z", "from")]
    [InlineData("/decisions?from=2025-01-02T00:00:00Z&to=2025-01-01T00:00:00Z", "to")]
    [InlineData("/decisions?cursor=bm90LWEtY3Vyc29y", "cursor")]
    [InlineData("/decisions?view=compact", "view")]
    [InlineData("/stats?from=2025-01-01T00:00:00Z&to=2025-06-01T00:00:00Z", "to")]
    [InlineData("/symbols/BTCUSDT?timeframe=7X&confidence=101", "confidence,timeframe")]
    [InlineData("/signals?symbol=BTCUSDT&limit=ten", "limit")]
    [InlineData("/decisions?symbol=BTCUSDT&limit=1.5", "limit")]
    public async Task A_listing_with_an_invalid_filter_limit_or_cursor_is_400_naming_each_field(string path, string fields)
    {
        using var response = await factory.CreateOperatorClient().GetAsync(path);
        var problem = await response.ExpectProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(fields.Split(','), problem.ErrorFields());
    }

    [Fact]
    public async Task A_limit_that_is_not_a_number_is_400_not_500()
    {
        using var response = await factory.CreateOperatorClient().GetAsync("/signals?symbol=BTCUSDT&limit=ten");
        await response.ExpectProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Limit_caps_the_listing_newest_first()
    {
        var client = factory.CreateClient();
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await client.AcceptAsync(Alerts.Alert("LIMITUSDT", price: 100 + i, id: $"limit-{i}")));
        }

        using var response = await factory.CreateOperatorClient().GetAsync("/signals?symbol=LIMITUSDT&limit=2");
        var listed = (await response.ExpectAsync(HttpStatusCode.OK)).AsArray();
        Assert.Equal([ids[2], ids[1]], listed.Select(s => (string)s!["signalId"]!));
    }

    [Theory]
    [InlineData("GET", "/webhook")]
    [InlineData("PUT", "/webhook")]
    [InlineData("DELETE", "/signals/sig_0123456789abcdef01234567")]
    [InlineData("GET", "/risk/halt")]
    public async Task A_wrong_method_is_405_not_a_5xx(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.Add("X-Api-Key", KyperianFactory.OperatorKey);
        using var response = await factory.CreateClient().SendAsync(request);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task Health_answers_an_operator_200_with_status_role_version_and_every_check()
    {
        using var response = await factory.CreateOperatorClient().GetAsync("/health");
        var health = await response.ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Healthy", (string?)health["status"]);
        Assert.Equal("all", (string?)health["role"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)health["version"]));
        var checks = health["checks"]!.AsObject();
        Assert.Equal(["auth", "bus", "notifications", "store"], checks.Select(c => c.Key).Order(StringComparer.Ordinal));
        foreach (var (name, check) in checks)
        {
            Assert.Equal("Healthy", (string?)check!["status"]);
            Assert.NotNull(check["ms"]);
            Assert.False(string.IsNullOrWhiteSpace((string?)check["detail"]), name);
        }

        Assert.DoesNotContain(KyperianFactory.Passphrase, health.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain(KyperianFactory.OperatorKey, health.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_tells_anyone_the_status_of_each_check_and_nothing_more()
    {
        using var response = await factory.CreateClient().GetAsync("/health");
        var health = await response.ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(["checks", "status"], health.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
        foreach (var (name, check) in health["checks"]!.AsObject())
        {
            Assert.Equal(["status"], check!.AsObject().Select(p => p.Key));
            Assert.Equal("Healthy", (string?)check["status"]);
        }
    }

    [Fact]
    public async Task Health_with_a_wrong_key_is_the_anonymous_answer()
    {
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", "not-the-operator-key");
        using var response = await client.GetAsync("/health");
        var health = await response.ExpectAsync(HttpStatusCode.OK);

        Assert.Null(health["version"]);
        Assert.Null(health["role"]);
    }

    [Fact]
    public async Task Live_answers_200()
    {
        using var response = await factory.CreateClient().GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("live", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_root_redirects_to_swagger_ui()
    {
        using var client = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var response = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        // Relative: behind an API Gateway stage (/Prod/) the browser must stay under the stage.
        Assert.Equal("swagger", response.Headers.Location?.OriginalString);

        using var ui = await client.GetAsync("/swagger/index.html");
        Assert.Equal(HttpStatusCode.OK, ui.StatusCode);
    }

    [Fact]
    public async Task The_OpenAPI_document_lists_every_endpoint_the_example_alert_and_the_key_scheme()
    {
        using var response = await factory.CreateClient().GetAsync("/swagger/v1/swagger.json");
        var document = await response.ExpectAsync(HttpStatusCode.OK);
        var paths = document["paths"]!.AsObject();

        (string Path, string Method, bool Operator)[] expected =
        [
            ("/webhook", "post", false),
            ("/validate", "post", false),
            ("/health", "get", false),
            ("/health/live", "get", false),
            ("/signals/{id}", "get", true),
            ("/signals", "get", true),
            ("/decisions/{id}", "get", true),
            ("/decisions", "get", true),
            ("/risk", "get", true),
            ("/risk/pnl", "post", true),
            ("/risk/halt", "post", true),
            ("/risk/resume", "post", true),
            ("/symbols", "get", true),
            ("/symbols/{symbol}", "get", true),
            ("/stats", "get", true),
            ("/events", "get", true),
            ("/console", "get", false),
            ("/console/info", "get", false),
            ("/replay", "post", true),
            ("/performance", "get", true),
        ];
        foreach (var (path, method, needsKey) in expected)
        {
            var operation = paths[path]?[method];
            Assert.True(operation is not null, $"{method.ToUpperInvariant()} {path} is not in the document");
            var schemes = operation!["security"]?.AsArray().SelectMany(r => r!.AsObject().Select(s => s.Key)) ?? [];
            Assert.Equal(needsKey, schemes.Contains("OperatorKey"));
        }

        // The webhook's example is a real TradingView alert, for both media types TradingView sends.
        foreach (var mediaType in new[] { "application/json", "text/plain" })
        {
            var example = paths["/webhook"]!["post"]!["requestBody"]!["content"]![mediaType]!["example"]!;
            Assert.Equal("BINANCE:BTCUSDT", (string?)example["symbol"]);
            Assert.Equal("buy", (string?)example["action"]);
            Assert.Equal("15", (string?)example["timeframe"]);
            Assert.NotNull(example["price"]);
            Assert.NotNull(example["passphrase"]);
        }

        var scheme = document["components"]!["securitySchemes"]!["OperatorKey"]!;
        Assert.Equal("apiKey", (string?)scheme["type"]);
        Assert.Equal("header", (string?)scheme["in"]);
        Assert.Equal("X-Api-Key", (string?)scheme["name"]);

        var text = document.ToJsonString();
        Assert.DoesNotContain(KyperianFactory.Passphrase, text, StringComparison.Ordinal);
        Assert.DoesNotContain(KyperianFactory.OperatorKey, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_example_alert_in_the_document_is_accepted_by_validate_as_written()
    {
        using var response = await factory.CreateClient().GetAsync("/swagger/v1/swagger.json");
        var document = await response.ExpectAsync(HttpStatusCode.OK);
        var example = document["paths"]!["/webhook"]!["post"]!["requestBody"]!["content"]!["application/json"]!["example"]!.DeepClone().AsObject();

        using var validated = await factory.CreateClient().PostAlertAsync(example, "/validate");
        var report = await validated.ExpectAsync(HttpStatusCode.OK);
        Assert.True((bool)report["valid"]!, report.ToJsonString());
        Assert.Equal("BTCUSDT", (string?)report["signal"]!["symbol"]);
    }
}
