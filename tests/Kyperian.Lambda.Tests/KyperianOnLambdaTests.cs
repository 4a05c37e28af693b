using System.Text.Json.Nodes;
using Kyperian.Api.Hosting;
using Kyperian.Lambda.ApiGateway;
using Kyperian.Lambda.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kyperian.Lambda.Tests;

/// <summary>
/// The real Kyperian app (its own composition root, <c>KyperianApplication.Create</c>) started in-process under the
/// Lambda runtime server, driven by REST API events for the <c>Prod</c> stage.
/// </summary>
public sealed class KyperianOnLambdaTests : IAsyncLifetime
{
    private const string Passphrase = "lambda-test-passphrase";
    private const string TradingViewSender = "52.89.214.238";

    private readonly List<LambdaRuntimeExit> _exits = [];
    private FakeRuntimeApi _runtime = null!;
    private WebApplication _app = null!;

    public async Task InitializeAsync()
    {
        _runtime = await FakeRuntimeApi.StartAsync();
        _app = KyperianApplication.Create([], builder =>
        {
            builder.Logging.ClearProviders();
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["AWS_LAMBDA_RUNTIME_API"] = _runtime.Address,
                ["Kyperian:Webhook:Passphrase"] = Passphrase,

                // Each app its own database: two apps of one test run never share (or lock) a file.
                ["Kyperian:Embedded:Path"] = ":memory:",
                ["Kyperian:Operator:ApiKey"] = "lambda-test-operator-key",
                ["Kyperian:Webhook:EnforceAllowedIps"] = "true",
            });
            builder.Services.PostConfigure<LambdaHostingOptions>(o => o.Exit = _exits.Add);
        });
        await _app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _runtime.DisposeAsync();
    }

    [Fact]
    public void The_app_runs_on_the_Lambda_runtime_server()
    {
        Assert.IsType<LambdaRuntimeServer>(_app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>());
        Assert.Same(ApiGatewayV1Marshaller.Instance, _app.Services.GetRequiredService<LambdaRuntime>().Marshaller);
    }

    [Fact]
    public async Task Webhook_accepts_an_alert_with_202_and_a_resend_is_a_duplicate()
    {
        var alert = $$"""{"symbol":"BINANCE:BTCUSDT","action":"buy","timeframe":"15","price":64250.5,"confidence":80,"id":"lambda-{{Guid.NewGuid():N}}","passphrase":"{{Passphrase}}"}""";

        var first = await _runtime.InvokeAsync(Post("webhook", alert));
        var again = await _runtime.InvokeAsync(Post("webhook", alert));

        Assert.Equal("response", first.Kind);
        Assert.Equal(202, first.StatusCode());
        Assert.StartsWith("application/json", first.Header("Content-Type"));
        var accepted = JsonNode.Parse(first.BodyText())!;
        Assert.Equal("accepted", accepted["status"]!.GetValue<string>());
        var signalId = accepted["signalId"]!.GetValue<string>();
        Assert.StartsWith("sig_", signalId);
        Assert.Equal($"/Prod/signals/{signalId}", first.Header("Location"));

        Assert.Equal(200, again.StatusCode());
        Assert.Equal("duplicate", JsonNode.Parse(again.BodyText())!["status"]!.GetValue<string>());
        Assert.Equal(signalId, JsonNode.Parse(again.BodyText())!["signalId"]!.GetValue<string>());
    }

    [Fact]
    public async Task Webhook_answers_an_invalid_alert_with_400_problem_json()
    {
        var answer = await _runtime.InvokeAsync(Post("webhook", $$"""{"symbol":"BTCUSDT","action":"hold","timeframe":"7x","price":"abc","passphrase":"{{Passphrase}}"}"""));

        Assert.Equal(400, answer.StatusCode());
        Assert.StartsWith("application/problem+json", answer.Header("Content-Type"));
        Assert.False(answer.IsBase64());
        var problem = JsonNode.Parse(answer.BodyText())!;
        Assert.Equal(400, problem["status"]!.GetValue<int>());
        var errors = problem["errors"]!.AsObject();
        Assert.Contains("action", errors.Select(e => e.Key));
        Assert.Contains("timeframe", errors.Select(e => e.Key));
        Assert.DoesNotContain("price", errors.Select(e => e.Key)); // an unreadable price is a warning: bridges trade at market
    }

    [Fact]
    public async Task Webhook_refuses_a_sender_outside_the_allow_list_by_its_source_ip()
    {
        var alert = $$"""{"symbol":"BTCUSDT","action":"buy","timeframe":"15","price":1,"passphrase":"{{Passphrase}}"}""";

        var answer = await _runtime.InvokeAsync(Post("webhook", alert, sourceIp: "198.51.100.7"));

        Assert.Equal(403, answer.StatusCode());
        Assert.StartsWith("application/problem+json", answer.Header("Content-Type"));
    }

    [Fact]
    public async Task Validate_reports_every_error_of_a_template()
    {
        var answer = await _runtime.InvokeAsync(Post("validate", """{"symbol":"BTCUSDT","action":"hold","timeframe":"7x","price":"abc"}""", contentType: "text/plain"));

        Assert.Equal(200, answer.StatusCode());
        var report = JsonNode.Parse(answer.BodyText())!;
        Assert.False(report["valid"]!.GetValue<bool>());
        var fields = report["errors"]!.AsArray().Select(e => e!["field"]!.GetValue<string>()).ToArray();
        Assert.Contains("action", fields);
        Assert.Contains("timeframe", fields);
        Assert.DoesNotContain("price", fields);
        Assert.Contains("passphrase", fields);
    }

    [Fact]
    public async Task Health_answers_200_through_the_stage_with_details_for_the_operator()
    {
        var answer = await _runtime.InvokeAsync(Events.RestApi("health", change: e =>
        {
            NoQuery(e);
            e["headers"]!["X-Api-Key"] = "lambda-test-operator-key";
            e["multiValueHeaders"]!["X-Api-Key"] = new JsonArray("lambda-test-operator-key");
        }));

        Assert.Equal(200, answer.StatusCode());
        var health = JsonNode.Parse(answer.BodyText())!;
        Assert.Equal("Healthy", health["status"]!.GetValue<string>());
        Assert.Equal("all", health["role"]!.GetValue<string>());
        Assert.Empty(_exits);
    }

    [Fact]
    public async Task Event_source_comes_from_Kyperian_Lambda_EventSource()
    {
        await using var runtime = await FakeRuntimeApi.StartAsync();
        var app = KyperianApplication.Create([], builder =>
        {
            builder.Logging.ClearProviders();
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["AWS_LAMBDA_RUNTIME_API"] = runtime.Address,
                ["Kyperian:Lambda:EventSource"] = "HttpApi",
                ["Kyperian:Webhook:Passphrase"] = Passphrase,

                // Each app its own database: two apps of one test run never share (or lock) a file.
                ["Kyperian:Embedded:Path"] = ":memory:",
                ["Kyperian:Operator:ApiKey"] = "lambda-test-operator-key",
            });
        });
        await app.StartAsync();
        try
        {
            var answer = await runtime.InvokeAsync(Events.HttpApi("/Prod/health/live", change: e => e["requestContext"]!["stage"] = "Prod"));

            Assert.Same(ApiGatewayV2Marshaller.Instance, app.Services.GetRequiredService<LambdaRuntime>().Marshaller);
            Assert.Equal(200, answer.StatusCode());
            Assert.Equal("live", answer.BodyText());
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private static string Post(string proxy, string body, string contentType = "application/json", string sourceIp = TradingViewSender)
        => Events.RestApi(proxy, "POST", e =>
        {
            NoQuery(e);
            e["headers"]!["Content-Type"] = contentType;
            e["multiValueHeaders"]!["Content-Type"] = new JsonArray(contentType);
            e["headers"]!["X-Forwarded-For"] = sourceIp;
            e["multiValueHeaders"]!["X-Forwarded-For"] = new JsonArray(sourceIp);
            e["requestContext"]!["identity"]!["sourceIp"] = sourceIp;
            e["body"] = body;
            e["isBase64Encoded"] = false;
        });

    private static void NoQuery(JsonObject e)
    {
        e["queryStringParameters"] = null;
        e["multiValueQueryStringParameters"] = null;
    }
}
