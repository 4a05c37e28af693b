using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Xunit.Sdk;

namespace Kyperian.Api.Tests.Http.Infrastructure;

/// <summary>
/// The app as a trader runs it, with the default engine settings unless told otherwise, on a test clock set to a known
/// instant, so bar closes, settle windows, cooldowns and trading days happen when the test says. One per test: the
/// risk ledger and the positions are process-wide.
/// </summary>
public sealed class TradingApp : IAsyncDisposable
{
    /// <summary>Thursday 15 January 2026, 00:00 UTC.</summary>
    public static readonly DateTimeOffset Thursday = new(2026, 1, 15, 0, 0, 0, TimeSpan.Zero);

    /// <param name="start">Where the test clock starts.</param>
    /// <param name="settings">Configuration on top of the defaults.</param>
    /// <param name="services">Test services besides the clock (a recording bus).</param>
    public TradingApp(DateTimeOffset start, IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        Clock = new FakeTimeProvider(start);
        Factory = new KyperianFactory(settings, collection =>
        {
            collection.RemoveAll<TimeProvider>();
            collection.AddSingleton<TimeProvider>(Clock);
            services?.Invoke(collection);
        });
        Trader = Factory.CreateClient();
        Operator = Factory.CreateOperatorClient();
    }

    public FakeTimeProvider Clock { get; }

    public KyperianFactory Factory { get; }

    public HttpClient Trader { get; }

    public HttpClient Operator { get; }

    public DateTimeOffset Now => Clock.GetUtcNow();

    /// <summary>An instant of Thursday 15 January 2026 (hours past 24 run into Friday).</summary>
    public static DateTimeOffset At(int hour, int minute = 0, double second = 0) =>
        Thursday.AddHours(hour).AddMinutes(minute).AddSeconds(second);

    /// <summary>Moves the clock forward to <paramref name="at"/>.</summary>
    public void MoveTo(DateTimeOffset at) => Clock.SetUtcNow(at);

    /// <summary>
    /// TradingView's alert arrives now, stamped <c>{{timenow}}</c> = <paramref name="sentAt"/> (now, to the second, by
    /// default). Returns its signal id.
    /// </summary>
    public Task<string> AlertAsync(string symbol, string action, string timeframe, int? confidence = 80, decimal price = 100m, DateTimeOffset? sentAt = null) =>
        Trader.AcceptAsync(Alerts.Alert(symbol, action, timeframe, price, confidence, sentAt ?? Truncated(Now)));

    /// <summary>
    /// The decision answering for a signal. While it waits in a bar-close burst, the clock runs on in 100 ms steps
    /// (at most 3 s), so the settle window can lapse; a decided burst needs none of it.
    /// </summary>
    public async Task<JsonNode> DecisionAsync(string signalId)
    {
        for (var step = 0; step < 30; step++)
        {
            for (var poll = 0; poll < 5; poll++)
            {
                using var response = await Operator.GetAsync($"/decisions/{signalId}");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return await response.JsonAsync();
                }

                await Task.Delay(10);
            }

            Clock.Advance(TimeSpan.FromMilliseconds(100));
        }

        return await Operator.DecisionAsync(signalId);
    }

    /// <summary>Sends the alert and waits for the decision that answers for it.</summary>
    public async Task<JsonNode> DecideAsync(string symbol, string action, string timeframe, int? confidence = 80, decimal price = 100m, DateTimeOffset? sentAt = null) =>
        await DecisionAsync(await AlertAsync(symbol, action, timeframe, confidence, price, sentAt));

    /// <summary>The trader's alerts have run for weeks: the symbol's state knows these timeframes (with week-old, stale closes).</summary>
    public async Task KnowsAsync(string symbol, params string[] timeframes)
    {
        var weekAgo = Now;
        foreach (var timeframe in timeframes)
        {
            // Sent inside a bar a week ago: decided at once (NO_POSITION), stale by now.
            await DecisionAsync(await AlertAsync(symbol, "close", timeframe, 50, 100m, weekAgo.AddDays(-7).AddMinutes(7).AddSeconds(13)));
        }
    }

    public async Task<JsonNode> GetAsync(string path)
    {
        using var response = await Operator.GetAsync(path);
        return await response.ExpectAsync(HttpStatusCode.OK);
    }

    /// <summary>
    /// Reads <paramref name="path"/> until it shows what <paramref name="until"/> expects: a decision's position move
    /// and ledger entry follow it by a moment.
    /// </summary>
    public Task<JsonNode> GetWhenAsync(string path, Func<JsonNode, bool> until) =>
        HttpHelpers.EventuallyAsync(async () => await GetAsync(path) is var node && until(node) ? node : null, $"GET {path} as expected");

    public async Task<JsonNode> PostAsync(string path, JsonObject? body, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await Operator.PostAsync(path, body is null ? null : JsonContent.Create(body));
        return await response.ExpectAsync(expected);
    }

    public async Task<JsonNode> PutSettingsAsync(JsonObject body, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await Operator.PutAsync("/settings/engine", JsonContent.Create(body));
        return await response.ExpectAsync(expected);
    }

    /// <summary><c>POST /risk/pnl</c>.</summary>
    public Task<JsonNode> ReportPnlAsync(double pnlPct) => PostAsync("/risk/pnl", new JsonObject { ["pnlPct"] = pnlPct });

    public async ValueTask DisposeAsync() => await Factory.DisposeAsync();

    private static DateTimeOffset Truncated(DateTimeOffset at) => DateTimeOffset.FromUnixTimeSeconds(at.ToUnixTimeSeconds());
}

public static class DecisionJson
{
    public static string Verdict(this JsonNode decision) => (string)decision["verdict"]!;

    public static string Action(this JsonNode decision) => (string)decision["action"]!;

    public static string[] Reasons(this JsonNode decision) => decision["reasons"].Strings();

    /// <summary>The explanation of one reason code.</summary>
    public static JsonNode Explanation(this JsonNode decision, string code) =>
        decision["explanations"]!.AsArray().SingleOrDefault(e => (string?)e!["code"] == code)
        ?? throw new XunitException($"The decision has no explanation for {code}: {decision.ToJsonString()}");

    public static string Side(this JsonNode? position) => (string)position!["side"]!;

    public static double Number(this JsonNode? node) => double.Parse(node!.ToJsonString(), CultureInfo.InvariantCulture);
}
