using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Kyperian.Api.Infrastructure.Aws;
using Kyperian.Api.Infrastructure.DynamoDb;
using Kyperian.Api.Tests.Servers;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Positions;
using Kyperian.Domain.Signals;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Tests.Adapters;

/// <summary>Builds the adapters the way the app does, from configuration, with the test's credentials.</summary>
public static class AdapterTestHost
{
    public static BasicAWSCredentials Credentials { get; } = new(SigV4Verifier.AccessKey, SigV4Verifier.SecretKey);

    public static ServiceProvider Build(Dictionary<string, string?> settings, Action<IServiceCollection, IConfiguration> add)
    {
        // Generous attempt limits unless a test tunes them: a first call that JIT-compiles the SDK on a busy machine
        // must not be retried, or counts of calls and entries would depend on the machine's load.
        foreach (var backend in new[] { "DynamoDb", "Redis", "EventBridge", "Sqs", "Ssm" })
        {
            settings.TryAdd($"Kyperian:Resilience:{backend}:AttemptTimeoutMs", "10000");
            settings.TryAdd($"Kyperian:Resilience:{backend}:TotalTimeoutMs", "30000");
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(new AwsCredentialsSource(Credentials));
        services.AddSingleton<IConfiguration>(configuration);
        add(services, configuration);
        return services.BuildServiceProvider();
    }

    /// <summary>Every store on DynamoDB (dynalite), on tables of the test's own <paramref name="prefix"/>, created.</summary>
    public static async Task<ServiceProvider> DynamoDbStoresAsync(string serviceUrl, string prefix)
    {
        var services = Build(
            new Dictionary<string, string?>
            {
                ["Kyperian:DynamoDb:ServiceUrl"] = serviceUrl,
                ["Kyperian:DynamoDb:Region"] = "us-east-1",
                ["Kyperian:DynamoDb:SignalsTable"] = prefix + "-signals",
                ["Kyperian:DynamoDb:DecisionsTable"] = prefix + "-decisions",
                ["Kyperian:DynamoDb:RiskTable"] = prefix + "-risk",
            },
            (s, c) => s.AddDynamoDbStores(c));
        await DynamoDbTables.EnsureAsync(
            services.GetRequiredService<IAmazonDynamoDB>(), services.GetRequiredService<IOptions<DynamoDbOptions>>().Value, CancellationToken.None);
        return services;
    }

    /// <summary>Resilience tuned for tests: short timeouts and a breaker that opens after a few failures.</summary>
    public static Dictionary<string, string?> FastResilience(string backend) => new()
    {
        [$"Kyperian:Resilience:{backend}:AttemptTimeoutMs"] = "500",
        [$"Kyperian:Resilience:{backend}:TotalTimeoutMs"] = "1500",
        [$"Kyperian:Resilience:{backend}:MaxRetries"] = "2",
        [$"Kyperian:Resilience:{backend}:BaseDelayMs"] = "10",
        [$"Kyperian:Resilience:{backend}:BreakerMinimumThroughput"] = "4",
        [$"Kyperian:Resilience:{backend}:BreakerSamplingMs"] = "2000",
        [$"Kyperian:Resilience:{backend}:BreakerBreakMs"] = "500",
    };

    public static Dictionary<string, string?> With(this Dictionary<string, string?> settings, Dictionary<string, string?> more)
    {
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return settings;
    }
}

/// <summary>Signals and decisions for adapter tests.</summary>
public static class TestData
{
    private static int _counter;

    public static string UniqueId(string prefix = "sig_") =>
        prefix + Guid.NewGuid().ToString("N")[..20] + Interlocked.Increment(ref _counter).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static Signal Signal(
        string symbol = "BTCUSDT",
        string timeframe = "15",
        SignalAction action = SignalAction.Buy,
        DateTimeOffset? receivedAt = null,
        DateTimeOffset? alertTime = null,
        string? id = null,
        decimal price = 64250.5m,
        int confidence = 80) => new()
        {
            SignalId = id ?? UniqueId(),
            Symbol = Symbol.FromTrusted(symbol),
            Exchange = "BINANCE",
            Action = action,
            Timeframe = Timeframe.Parse(timeframe),
            Price = price,
            Confidence = confidence,
            Source = "tradingview",
            AlertId = "alert-7",
            AlertTime = alertTime,
            ReceivedAt = receivedAt ?? DateTimeOffset.UtcNow,
            Quantity = 0.25m,
            StopLoss = 63000m,
            TakeProfit = 66000.125m,
            Comment = "ema cross",
        };

    /// <summary>A decision with every part engine v2 records: explanations, members, price, positions, a closed trade when it reverses.</summary>
    public static Decision Decision(Signal signal, DateTimeOffset? decidedAt = null, Verdict verdict = Verdict.Veto, IReadOnlyList<string>? members = null)
    {
        var at = decidedAt ?? DateTimeOffset.UtcNow;
        var decisionId = SignalIdentity.DecisionIdFor(signal.SignalId);
        var before = Position.Open(signal.Symbol, -1, 0.5, 65000m, at.AddHours(-3), "dec_opening");
        var execute = verdict == Verdict.Execute;
        return new()
        {
            DecisionId = decisionId,
            SignalId = signal.SignalId,
            Symbol = signal.Symbol,
            Timeframe = signal.Timeframe,
            Action = TradeAction.Reverse,
            Verdict = verdict,
            Score = 0.4213,
            Alignment = 0.75,
            PositionSizePct = execute ? 0.34 : 0,
            Reasons = execute ? [] : [VetoReason.LowConfidence, VetoReason.HtfConflict],
            Explanations = execute
                ? []
                :
                [
                    new Explanation { Code = VetoReason.LowConfidence, Text = "Confidence 55 is below the minimum of 60.", Threshold = 60, Observed = 55 },
                    new Explanation { Code = VetoReason.HtfConflict, Text = "4h is a live SELL at 70 % against this BUY.", Timeframe = Timeframe.Parse("240"), Threshold = 50, Observed = 70 },
                ],
            Inputs =
            [
                new TimeframeInput(Timeframe.Parse("15"), 1, 80, 12.5, 4.91, true, signal.SignalId),
                new TimeframeInput(Timeframe.Parse("240"), -1, 70, 3600, 8.91, true, "sig_other"),
            ],
            MemberSignalIds = members ?? [signal.SignalId],
            Price = signal.Price,
            Confidence = signal.Confidence,
            PositionBefore = before,
            PositionAfter = execute ? Position.Open(signal.Symbol, 1, 0.34, signal.Price, at, decisionId) : before,
            ClosedTrade = execute ? before.Close(signal.Price, at, decisionId) : null,
            SettingsVersion = 3,
            DecidedAt = at,
            LatencyMs = 1.25,
        };
    }

    /// <summary>A decision as the HTTP API shows it: two decisions are the same when this is.</summary>
    public static string Json(Decision decision) =>
        System.Text.Json.JsonSerializer.Serialize(decision, Kyperian.Api.Endpoints.Contracts.ApiJsonContext.Default.Decision);
}
