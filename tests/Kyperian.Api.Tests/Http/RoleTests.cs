using System.Net;
using Kyperian.Api.Tests.Http.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Kyperian.Api.Tests.Http;

/// <summary>Configuration that shapes the app: its role, the engine's numbers, and /health when a check fails.</summary>
public sealed class RoleTests
{
    [Fact]
    public async Task Role_api_serves_the_webhook_and_says_so_in_health()
    {
        await using var app = new KyperianFactory(new Dictionary<string, string?> { ["Kyperian:Role"] = "api" });
        var client = app.CreateClient();

        var signalId = await client.AcceptAsync(Alerts.Alert("ROLEAPIUSDT"));
        using var stored = await app.CreateOperatorClient().GetAsync($"/signals/{signalId}");
        await stored.ExpectAsync(HttpStatusCode.OK);

        using var healthResponse = await app.CreateOperatorClient().GetAsync("/health");
        Assert.Equal("api", (string?)(await healthResponse.ExpectAsync(HttpStatusCode.OK))["role"]);
    }

    [Fact]
    public async Task Role_engine_serves_health_but_no_alert_or_operator_endpoint()
    {
        await using var app = new KyperianFactory(new Dictionary<string, string?> { ["Kyperian:Role"] = "engine" });
        var client = app.CreateClient();

        using var healthResponse = await app.CreateOperatorClient().GetAsync("/health");
        Assert.Equal("engine", (string?)(await healthResponse.ExpectAsync(HttpStatusCode.OK))["role"]);
        using var live = await client.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);

        using var webhook = await client.PostAlertAsync(Alerts.Alert("ROLEENGINE"));
        Assert.Equal(HttpStatusCode.NotFound, webhook.StatusCode);
        using var risk = await app.CreateOperatorClient().GetAsync("/risk");
        Assert.Equal(HttpStatusCode.NotFound, risk.StatusCode);
    }

    [Fact]
    public async Task Engine_settings_come_from_configuration()
    {
        await using var app = new KyperianFactory(KyperianFactory.LoneAlertsDecideWith(new Dictionary<string, string?>
        {
            ["Kyperian:Engine:MinConfidence"] = "90",
            ["Kyperian:Engine:RiskPerTradePct"] = "2",
        }));
        var client = app.CreateClient();
        var operatorClient = app.CreateOperatorClient();

        var shy = await operatorClient.DecisionAsync(await client.AcceptAsync(Alerts.Alert("CONFIGSHY", confidence: 85)));
        Assert.Equal(["LOW_CONFIDENCE"], shy["reasons"].Strings());

        var sure = await operatorClient.DecisionAsync(await client.AcceptAsync(Alerts.Alert("CONFIGSURE", confidence: 95)));
        Assert.Equal("EXECUTE", (string?)sure["verdict"]);
        Assert.Equal(2 * 0.95 * 0.95, (double)sure["positionSizePct"]!, 4);   // 2 % × score 0.95 × confidence 0.95
    }

    [Fact]
    public async Task An_unhealthy_check_makes_health_503_with_the_same_shape_naming_the_check()
    {
        await using var app = new KyperianFactory(services: services =>
            services.AddHealthChecks().AddCheck("probe", () => HealthCheckResult.Unhealthy("injected: unreachable")));

        using var response = await app.CreateOperatorClient().GetAsync("/health");
        var health = await response.ExpectAsync(HttpStatusCode.ServiceUnavailable);

        Assert.Equal("Unhealthy", (string?)health["status"]);
        Assert.Equal("all", (string?)health["role"]);
        Assert.Equal("Unhealthy", (string?)health["checks"]!["probe"]!["status"]);
        Assert.Equal("injected: unreachable", (string?)health["checks"]!["probe"]!["detail"]);
        Assert.Equal("Healthy", (string?)health["checks"]!["store"]!["status"]);

        using var live = await app.CreateClient().GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }
}
