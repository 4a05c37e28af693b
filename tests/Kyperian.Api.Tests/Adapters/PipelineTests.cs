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
        Assert.Equal(signalId, listed[0].GetProperty("signalId").GetString());

        // The engine's state went through Redis.
        var db = await _factory.Services.GetRequiredService<RedisConnection>().DatabaseAsync();
        Assert.True(await db.HashExistsAsync("kyperian:mtf:" + symbol, "4h"));
        Assert.True(await db.KeyExistsAsync("kyperian:cooldown:" + symbol));
        Assert.True(await db.KeyExistsAsync("kyperian:dedupe:" + signalId));

        var health = await client.GetFromJsonAsync<JsonElement>("/health");
        var checks = health.GetProperty("checks");
        Assert.Equal("Healthy", checks.GetProperty("store").GetProperty("status").GetString());
        Assert.Equal("Healthy", checks.GetProperty("state").GetProperty("status").GetString());
        Assert.Contains("ms", checks.GetProperty("store").GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
