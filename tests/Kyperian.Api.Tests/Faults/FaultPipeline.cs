using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kyperian.Api.Infrastructure.Aws;
using Kyperian.Api.Tests.Adapters;
using Kyperian.Api.Tests.Http.Infrastructure;
using Kyperian.Api.Tests.Servers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Kyperian.Api.Tests.Faults;

/// <summary>
/// The whole app in role <c>all</c> against real servers: webhook → DynamoDB (dynalite) + EventBridge (the loopback
/// protocol server) → a rule → SQS → the engine (Redis state) → decision readable over HTTP. Each test owns one, and
/// the servers it kills.
/// </summary>
public sealed class FaultPipeline : IAsyncDisposable
{
    public const string Queue = "/123456789012/kyperian-faults";

    private readonly string _run = Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();

    private FaultPipeline(ITestOutputHelper output) => Output = output;

    public ITestOutputHelper Output { get; }

    public RedisServer Redis { get; } = new();

    public DynaliteServer Dynalite { get; } = new();

    public AwsProtocolServer Aws { get; } = new();

    public KyperianFactory App { get; private set; } = null!;

    public HttpClient Webhook { get; private set; } = null!;

    public HttpClient Operator { get; private set; } = null!;

    public static async Task<FaultPipeline> StartAsync(ITestOutputHelper output, Dictionary<string, string?>? extra = null)
    {
        var pipeline = new FaultPipeline(output);
        await Task.WhenAll(pipeline.Redis.StartAsync(), pipeline.Dynalite.StartAsync(), pipeline.Aws.InitializeAsync());

        // The rule a deployment has: signals on the bus go to the engine's queue; redelivered until decided.
        pipeline.Aws.EventBridge.ForwardTo(pipeline.Aws.Sqs);
        pipeline.Aws.Sqs.MaxReceiveCount = 1000;

        var prefix = "x" + pipeline._run.ToLowerInvariant();
        var settings = new Dictionary<string, string?>
        {
            ["Kyperian:Role"] = "all",
            ["Kyperian:Store"] = "dynamodb",
            ["Kyperian:State"] = "redis",
            ["Kyperian:Bus"] = "eventbridge",
            ["Kyperian:DynamoDb:ServiceUrl"] = pipeline.Dynalite.ServiceUrl,
            ["Kyperian:DynamoDb:Region"] = "us-east-1",
            ["Kyperian:DynamoDb:SignalsTable"] = prefix + "-signals",
            ["Kyperian:DynamoDb:DecisionsTable"] = prefix + "-decisions",
            ["Kyperian:DynamoDb:CreateTables"] = "true",
            ["Kyperian:Redis:Host"] = "127.0.0.1",
            ["Kyperian:Redis:Port"] = pipeline.Redis.Port.ToString(CultureInfo.InvariantCulture),
            ["Kyperian:Redis:ConnectTimeoutMs"] = "500",
            ["Kyperian:Redis:CommandTimeoutMs"] = "300",
            ["Kyperian:EventBridge:ServiceUrl"] = pipeline.Aws.Url,
            ["Kyperian:EventBridge:Region"] = SigV4Verifier.Region,
            ["Kyperian:EventBridge:BusName"] = "kyperian-faults",
            ["Kyperian:EventBridge:EntryRetryDelayMs"] = "5",
            ["Kyperian:Sqs:ServiceUrl"] = pipeline.Aws.Url,
            ["Kyperian:Sqs:Region"] = SigV4Verifier.Region,
            ["Kyperian:Sqs:QueueUrl"] = pipeline.Aws.Url + Queue,
            ["Kyperian:Sqs:WaitTimeSeconds"] = "1",
            ["Kyperian:Sqs:VisibilityTimeoutSeconds"] = "10",
            ["Kyperian:Sqs:AbandonDelaySeconds"] = "1",
            ["Kyperian:Sqs:ErrorBackoffMs"] = "100",
            ["Kyperian:Worker:RepublishAfterSeconds"] = "1",
            ["Kyperian:Worker:SweepIntervalSeconds"] = "1",
        }
        .With(AdapterTestHost.FastResilience("DynamoDb"))
        .With(AdapterTestHost.FastResilience("Redis"))
        .With(AdapterTestHost.FastResilience("EventBridge"))
        .With(AdapterTestHost.FastResilience("Sqs"));
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        pipeline.App = new QuietFactory(
            settings,
            s => s.AddSingleton(new AwsCredentialsSource(AdapterTestHost.Credentials)));
        pipeline.Webhook = pipeline.App.CreateClient();
        pipeline.Webhook.Timeout = TimeSpan.FromSeconds(10);
        pipeline.Operator = pipeline.App.CreateOperatorClient();
        pipeline.Operator.Timeout = TimeSpan.FromSeconds(10);

        // Warm up (JIT, connections, tables): one alert all the way to its decision.
        var warm = pipeline.Alert("warm", 0);
        var response = await pipeline.Webhook.PostAsJsonAsync("/webhook", warm);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("signalId").GetString()!;
        Assert.True(await pipeline.WaitDecidedAsync([id], TimeSpan.FromSeconds(20)) is { Count: 0 }, "the warm-up alert was not decided");
        return pipeline;
    }

    public async ValueTask DisposeAsync()
    {
        Webhook?.Dispose();
        Operator?.Dispose();
        if (App is not null)
        {
            await App.DisposeAsync();
        }

        await Aws.DisposeAsync();
        await Redis.DisposeAsync();
        await Dynalite.DisposeAsync();
    }

    /// <summary>A TradingView alert with its own <c>time</c> and <c>id</c>: identified for good, many symbols and timeframes.</summary>
    public JsonObject Alert(string tag, int i) => new()
    {
        ["symbol"] = $"BINANCE:F{_run}{i % 6}USDT",
        ["action"] = i % 3 == 2 ? "sell" : "buy",
        ["timeframe"] = new[] { "5", "15", "60", "240" }[i % 4],
        ["price"] = 64000.5 + i,
        ["confidence"] = 80,
        ["passphrase"] = KyperianFactory.Passphrase,
        ["time"] = DateTimeOffset.UtcNow.AddSeconds(-i).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        ["id"] = $"{tag}-{_run}-{i}",
    };

    public IReadOnlyList<string> Symbols => [.. Enumerable.Range(0, 6).Select(i => $"F{_run}{i}USDT")];

    /// <summary>
    /// Sends the alerts, <paramref name="concurrency"/> at a time, each sender pausing <paramref name="pace"/> between
    /// its alerts; each fault starts, after the one before it, once its number of alerts have been sent, and runs
    /// alongside the rest of the burst (faults in the middle of it, not between phases).
    /// </summary>
    public async Task<Burst> SendAsync(
        IReadOnlyList<JsonObject> alerts, int concurrency, TimeSpan pace, params (int After, Func<Task> Action)[] faults)
    {
        var burst = new Burst();
        var started = 0;
        var gate = new Lock();
        Task faulting = Task.CompletedTask;
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(
            Enumerable.Range(0, alerts.Count),
            new ParallelOptions { MaxDegreeOfParallelism = concurrency },
            async (i, ct) =>
            {
                var number = Interlocked.Increment(ref started);
                foreach (var (after, action) in faults)
                {
                    if (number == after + 1)
                    {
                        lock (gate)
                        {
                            var previous = faulting;
                            faulting = Task.Run(async () =>
                            {
                                await previous;
                                await action();
                            });
                        }
                    }
                }

                burst.Add(i, alerts[i], await PostAsync(alerts[i]));
                if (pace > TimeSpan.Zero)
                {
                    await Task.Delay(pace, ct);
                }
            });
        await faulting;
        burst.Elapsed = watch.Elapsed;
        return burst;
    }

    public async Task<Outcome> PostAsync(JsonObject alert)
    {
        var watch = Stopwatch.StartNew();
        using var response = await Webhook.PostAsync("/webhook", JsonContent.Create(alert));
        var body = await response.Content.ReadAsStringAsync();
        string? id = null;
        if (response.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.OK)
        {
            id = JsonDocument.Parse(body).RootElement.GetProperty("signalId").GetString();
        }

        return new Outcome((int)response.StatusCode, id, body, watch.Elapsed);
    }

    /// <summary>The signal id an alert gets: <c>POST /validate</c> runs the same rules without keeping anything.</summary>
    public async Task<string> SignalIdOfAsync(JsonObject alert)
    {
        var report = await (await Webhook.PostAsync("/validate", JsonContent.Create(alert))).Content.ReadFromJsonAsync<JsonElement>();
        return report.GetProperty("signal").GetProperty("signalId").GetString()!;
    }

    public async Task<bool> IsStoredAsync(string signalId) =>
        (await Operator.GetAsync($"/signals/{signalId}")).StatusCode == HttpStatusCode.OK;

    public async Task<bool> IsDecidedAsync(string signalId)
    {
        using var response = await Operator.GetAsync($"/decisions/{signalId}");
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return false;
        }

        var decision = await response.Content.ReadFromJsonAsync<JsonElement>();
        return decision.GetProperty("signalId").GetString() == signalId;
    }

    /// <returns>The ids not both stored and decided by the deadline.</returns>
    public async Task<HashSet<string>> WaitDecidedAsync(IEnumerable<string> signalIds, TimeSpan within)
    {
        var left = new HashSet<string>(signalIds, StringComparer.Ordinal);
        var deadline = DateTime.UtcNow + within;
        while (left.Count > 0)
        {
            foreach (var id in left.ToList())
            {
                try
                {
                    if (await IsDecidedAsync(id) && await IsStoredAsync(id))
                    {
                        left.Remove(id);
                    }
                }
                catch (HttpRequestException)
                {
                }
                catch (TaskCanceledException)
                {
                }
            }

            if (left.Count == 0 || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(250);
        }

        return left;
    }

    /// <summary>How many decisions each signal has, over every symbol of the run (<c>GET /decisions?symbol=</c>).</summary>
    public async Task<Dictionary<string, int>> DecisionCountsAsync()
    {
        // Distinct decision ids per signal: a listing goes through an index, and a server killed mid-write (dynalite
        // here) can leave the index holding the same decision twice under two times; two decisions would be two ids.
        var decisions = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var symbol in Symbols)
        {
            var listed = await Operator.GetFromJsonAsync<JsonElement>($"/decisions?symbol={symbol}&limit=200");
            foreach (var decision in listed.EnumerateArray())
            {
                var id = decision.GetProperty("signalId").GetString()!;
                if (!decisions.TryGetValue(id, out var ids))
                {
                    decisions[id] = ids = new HashSet<string>(StringComparer.Ordinal);
                }

                ids.Add(decision.GetProperty("decisionId").GetString()!);
            }
        }

        return decisions.ToDictionary(d => d.Key, d => d.Value.Count, StringComparer.Ordinal);
    }

    /// <summary>True when the bus took an entry for the signal (and the rule forwarded it).</summary>
    public bool OnTheBus(string signalId) =>
        Aws.EventBridge.Forwarded.Any(d => d.Contains($"\"signalId\":\"{signalId}\"", StringComparison.Ordinal));

    /// <summary>Waits until <paramref name="ready"/> holds, or fails after <paramref name="within"/>.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> ready, TimeSpan within, string what)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            try
            {
                if (await ready())
                {
                    return;
                }
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
            }

            Assert.True(DateTime.UtcNow < deadline, $"{what}: not within {within.TotalSeconds} s");
            await Task.Delay(100);
        }
    }

    /// <summary>Prints the counts the issue asks for and the warnings the app logged, by message.</summary>
    public void Report(string name, Counts counts, TimeSpan elapsed)
    {
        Output.WriteLine(
            $"{name}: sent {counts.Sent}, 202 {counts.Accepted}, 200 {counts.Duplicates}, 503 {counts.Unavailable}, other {counts.Other}, "
            + $"stored {counts.Stored}, decided {counts.Decided}, lost {counts.Lost}; slowest response {counts.Slowest.TotalMilliseconds:F0} ms; "
            + $"PutEvents calls {Aws.EventBridge.PutEventsCalls}, SQS deleted {Aws.Sqs.Deleted.Count}, DLQ {Aws.Sqs.DeadLetters.Count}; {elapsed.TotalSeconds:F1} s");
        foreach (var group in App.Logs.Lines.Where(l => l.Level >= LogLevel.Warning).GroupBy(l => $"{l.Level} {l.Category}"))
        {
            var first = group.First();
            var cause = first.Exception?.Split('\n')[0].Trim() ?? "";
            Output.WriteLine($"  logged x{group.Count()}: {group.Key}, e.g. \"{first.Message.Split(" [")[0]}\" {cause}");
        }
    }
}

/// <summary>The app with its log lines captured only: the faults log hundreds of expected warnings.</summary>
public sealed class QuietFactory(IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection> services)
    : KyperianFactory(settings, services)
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureLogging(logging =>
        {
            logging.ClearProviders();
            logging.AddProvider(Logs);
        });
    }
}

public sealed record Outcome(int Status, string? SignalId, string Body, TimeSpan Elapsed);

/// <summary>What the webhook answered to each alert of a burst.</summary>
public sealed class Burst
{
    private readonly ConcurrentDictionary<int, (JsonObject Alert, Outcome Outcome)> _results = new();

    public TimeSpan Elapsed { get; set; }

    public void Add(int index, JsonObject alert, Outcome outcome) => _results[index] = (alert, outcome);

    public IEnumerable<(JsonObject Alert, Outcome Outcome)> All => _results.OrderBy(r => r.Key).Select(r => r.Value);

    public IEnumerable<(JsonObject Alert, Outcome Outcome)> With(int status) => All.Where(r => r.Outcome.Status == status);
}

/// <summary>The figures each fault test prints and asserts on.</summary>
public sealed class Counts
{
    public int Sent { get; set; }

    public int Accepted { get; set; }

    public int Duplicates { get; set; }

    public int Unavailable { get; set; }

    public int Other { get; set; }

    public int Stored { get; set; }

    public int Decided { get; set; }

    public int Lost { get; set; }

    public TimeSpan Slowest { get; set; }

    public void Count(IEnumerable<Outcome> outcomes)
    {
        foreach (var outcome in outcomes)
        {
            Sent++;
            switch (outcome.Status)
            {
                case 202:
                    Accepted++;
                    break;
                case 200:
                    Duplicates++;
                    break;
                case 503:
                    Unavailable++;
                    break;
                default:
                    Other++;
                    break;
            }

            Slowest = outcome.Elapsed > Slowest ? outcome.Elapsed : Slowest;
        }
    }
}
