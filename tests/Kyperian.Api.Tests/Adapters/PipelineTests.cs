using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Kyperian.Api.Infrastructure.Aws;
using Kyperian.Api.Infrastructure.Redis;
using Kyperian.Api.Tests.Http.Infrastructure;
using Kyperian.Api.Tests.Servers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Kyperian.Api.Tests.Adapters;

/// <summary>
/// The whole app in role <c>all</c> with <c>Store=dynamodb</c> and <c>State=redis</c> against real servers:
/// webhook → DynamoDB → in-process bus → engine (Redis timeframe state) → decision readable over HTTP.
/// </summary>
public sealed class PipelineTests : IAsyncLifetime
{
    private readonly RedisServer _redis = new();
    private readonly DynaliteServer _dynalite = new();
    private WebApplicationFactory<Program> _factory = null!;

    public async Task InitializeAsync()
    {
        await Task.WhenAll(_redis.StartAsync(), _dynalite.StartAsync());
        var prefix = "p" + Guid.NewGuid().ToString("N")[..8];
        var settings = new Dictionary<string, string>
        {
            ["Kyperian:Role"] = "all",
            ["Kyperian:Store"] = "dynamodb",
            ["Kyperian:State"] = "redis",
            ["Kyperian:Bus"] = "embedded",
            ["Kyperian:Webhook:Passphrase"] = "tv-pass-long-enough-1",
            ["Kyperian:Operator:ApiKey"] = "op-key-long-enough-2",
            ["Kyperian:DynamoDb:ServiceUrl"] = _dynalite.ServiceUrl,
            ["Kyperian:DynamoDb:Region"] = "us-east-1",
            ["Kyperian:DynamoDb:SignalsTable"] = prefix + "-signals",
            ["Kyperian:DynamoDb:DecisionsTable"] = prefix + "-decisions",
            ["Kyperian:DynamoDb:CreateTables"] = "true",
            ["Kyperian:Redis:Host"] = "127.0.0.1",
            ["Kyperian:Redis:Port"] = _redis.Port.ToString(CultureInfo.InvariantCulture),

            // Room for first calls on a busy machine; the faults have tests of their own.
            ["Kyperian:Resilience:DynamoDb:AttemptTimeoutMs"] = "5000",
            ["Kyperian:Resilience:DynamoDb:TotalTimeoutMs"] = "15000",
            ["Kyperian:Resilience:Redis:AttemptTimeoutMs"] = "5000",
            ["Kyperian:Resilience:Redis:TotalTimeoutMs"] = "15000",
        };
        foreach (var (key, value) in KyperianFactory.LoneAlertsDecide)
        {
            settings[key] = value!;
        }

        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Production");
            foreach (var (key, value) in settings)
            {
                web.UseSetting(key, value);
            }

            // dynalite checks that requests are signed, not by whom; in AWS the default chain supplies them.
            web.ConfigureServices(s => s.AddSingleton(new AwsCredentialsSource(AdapterTestHost.Credentials)));
        });
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _redis.DisposeAsync();
        await _dynalite.DisposeAsync();
    }

    [Fact]
    public async Task Webhook_to_decision_readable_over_http()
    {
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", "op-key-long-enough-2");
        var symbol = "PIPE" + Random.Shared.Next(1000, 9999).ToString(CultureInfo.InvariantCulture) + "USDT";
        var time = DateTimeOffset.UtcNow.AddSeconds(-5).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

        var alert = new { symbol = "BINANCE:" + symbol, action = "buy", timeframe = "240", price = 64250.5, confidence = 90, passphrase = "tv-pass-long-enough-1", time };
        var accepted = await client.PostAsJsonAsync("/webhook", alert);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var signalId = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("signalId").GetString()!;

        // TradingView's resend: the same id, answered duplicate.
        var resend = await client.PostAsJsonAsync("/webhook", alert);
        Assert.Equal(HttpStatusCode.OK, resend.StatusCode);
        Assert.Equal("duplicate", (await resend.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());

        var signal = await client.GetFromJsonAsync<JsonElement>($"/signals/{signalId}");
        Assert.Equal(symbol, signal.GetProperty("symbol").GetString());

        JsonElement decision = default;
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            var response = await client.GetAsync($"/decisions/{signalId}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                decision = await response.Content.ReadFromJsonAsync<JsonElement>();
                break;
            }

            await Task.Delay(50);
        }

        Assert.Equal(JsonValueKind.Object, decision.ValueKind);
        Assert.Equal(signalId, decision.GetProperty("signalId").GetString());
        Assert.Equal("EXECUTE", decision.GetProperty("verdict").GetString());
        Assert.Equal("EnterLong", decision.GetProperty("action").GetString());

        var listed = await client.GetFromJsonAsync<JsonElement>($"/decisions?symbol={symbol}&limit=5");
        Assert.Equal(signalId, listed.GetProperty("decisions")[0].GetProperty("signalId").GetString());

        // The engine's state went through Redis.
        var db = await _factory.Services.GetRequiredService<RedisConnection>().DatabaseAsync();
        Assert.True(await db.HashExistsAsync("kyperian:mtf:" + symbol, "4h"));
        // The cooldown follows the stored decision by a moment (with the position move).
        await HttpHelpers.EventuallyAsync(async () => await db.KeyExistsAsync("kyperian:cooldown:" + symbol) ? "set" : null, "the cooldown in Redis");
        Assert.True(await db.KeyExistsAsync("kyperian:dedupe:" + signalId));

        var health = await client.GetFromJsonAsync<JsonElement>("/health");
        var checks = health.GetProperty("checks");
        Assert.Equal("Healthy", checks.GetProperty("store").GetProperty("status").GetString());
        Assert.Equal("Healthy", checks.GetProperty("state").GetProperty("status").GetString());
        Assert.Contains("ms", checks.GetProperty("store").GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Positions_trades_settings_audit_and_risk_events_are_kept_in_dynamodb()
    {
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", "op-key-long-enough-2");
        var symbol = "BOOK" + Random.Shared.Next(1000, 9999).ToString(CultureInfo.InvariantCulture) + "USDT";

        var entry = await DecideAsync(client, symbol, "buy", 90, 100m);
        Assert.Equal("EXECUTE", entry.GetProperty("verdict").GetString());
        await PositionIsAsync(client, symbol, "Long");
        Assert.Contains((await client.GetFromJsonAsync<JsonElement>("/positions")).EnumerateArray(), p => p.GetProperty("symbol").GetString() == symbol);

        var exit = await DecideAsync(client, symbol, "close", 90, 110m);
        Assert.Equal(10, exit.GetProperty("closedTrade").GetProperty("returnPct").GetDouble(), 6);
        var flat = await PositionIsAsync(client, symbol, "Flat");
        Assert.Equal(110m, flat.GetProperty("closedTrades")[0].GetProperty("exitPrice").GetDecimal());
        Assert.DoesNotContain((await client.GetFromJsonAsync<JsonElement>("/positions")).EnumerateArray(), p => p.GetProperty("symbol").GetString() == symbol);

        using (var put = await client.PutAsJsonAsync("/settings/engine", new { minConfidence = 95 }))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        var settings = await client.GetFromJsonAsync<JsonElement>("/settings");
        Assert.Equal(1, settings.GetProperty("version").GetInt64());
        var shy = await DecideAsync(client, symbol, "buy", 90, 111m);
        Assert.Equal("LOW_CONFIDENCE", shy.GetProperty("reasons")[0].GetString());
        Assert.Equal(1, shy.GetProperty("settingsVersion").GetInt64());

        using (var pnl = await client.PostAsJsonAsync("/risk/pnl", new { pnlPct = -4.5 }))
        {
            Assert.Equal(HttpStatusCode.OK, pnl.StatusCode);
        }

        var events = await client.GetFromJsonAsync<JsonElement>("/risk/events");
        Assert.Equal("warning", events[0].GetProperty("kind").GetString());
        var audit = await client.GetFromJsonAsync<JsonElement>("/audit");
        Assert.Equal(["pnlReport", "settingsChange"], audit.EnumerateArray().Select(a => a.GetProperty("kind").GetString()));
    }

    /// <summary>The position as it stands once the decision's move, which follows it by a moment, is made.</summary>
    private static async Task<JsonElement> PositionIsAsync(HttpClient client, string symbol, string side)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var view = await client.GetFromJsonAsync<JsonElement>($"/positions/{symbol}");
            if (view.GetProperty("position").GetProperty("side").GetString() == side || DateTime.UtcNow > deadline)
            {
                Assert.Equal(side, view.GetProperty("position").GetProperty("side").GetString());
                return view;
            }

            await Task.Delay(50);
        }
    }

    private static async Task<JsonElement> DecideAsync(HttpClient client, string symbol, string action, int confidence, decimal price)
    {
        var alert = new { symbol, action, timeframe = "15", price, confidence, passphrase = "tv-pass-long-enough-1", id = Guid.NewGuid().ToString("N") };
        var accepted = await client.PostAsJsonAsync("/webhook", alert);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var signalId = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("signalId").GetString()!;
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            var response = await client.GetAsync($"/decisions/{signalId}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return await response.Content.ReadFromJsonAsync<JsonElement>();
            }

            await Task.Delay(50);
        }

        throw new Xunit.Sdk.XunitException($"No decision for {signalId} within 15 s.");
    }
}
