using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Kyperian.Api.Infrastructure.DynamoDb;
using Kyperian.Api.Tests.Servers;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Risk;
using Kyperian.Domain.Signals;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Tests.Adapters;

/// <summary>The DynamoDB stores against a real dynalite, each test on tables of its own.</summary>
[Collection(DynaliteCollection.Name)]
public sealed class DynamoDbStoreTests(DynaliteServer dynalite) : IAsyncLifetime
{
    private readonly string _prefix = "t" + Guid.NewGuid().ToString("N")[..10];
    private ServiceProvider _services = null!;

    private ISignalStore Signals => _services.GetRequiredService<ISignalStore>();

    private IDecisionStore Decisions => _services.GetRequiredService<IDecisionStore>();

    private IRiskLedger Risk => _services.GetRequiredService<IRiskLedger>();

    private IAmazonDynamoDB Client => _services.GetRequiredService<IAmazonDynamoDB>();

    public async Task InitializeAsync()
    {
        _services = AdapterTestHost.Build(
            new Dictionary<string, string?>
            {
                ["Kyperian:DynamoDb:ServiceUrl"] = dynalite.ServiceUrl,
                ["Kyperian:DynamoDb:Region"] = "us-east-1",
                ["Kyperian:DynamoDb:SignalsTable"] = _prefix + "-signals",
                ["Kyperian:DynamoDb:DecisionsTable"] = _prefix + "-decisions",
            },
            (s, c) => s.AddDynamoDbStores(c));
        await DynamoDbTables.EnsureAsync(Client, _services.GetRequiredService<IOptions<DynamoDbOptions>>().Value, CancellationToken.None);
    }

    public async Task DisposeAsync() => await _services.DisposeAsync();

    [Fact]
    public async Task Conditional_put_reports_a_replay_and_never_overwrites()
    {
        var signal = TestData.Signal(alertTime: DateTimeOffset.Parse("2025-03-01T12:15:00Z"));
        Assert.True(await Signals.TryAddAsync(signal, PublishState.Pending, default));

        var replay = signal with { Price = 1m, Comment = "changed", ReceivedAt = signal.ReceivedAt.AddSeconds(5) };
        Assert.False(await Signals.TryAddAsync(replay, PublishState.Published, default));

        var stored = await Signals.GetAsync(signal.SignalId, default);
        Assert.Equal(signal, stored);
        Assert.Null(await Signals.GetAsync("sig_missing", default));
    }

    [Fact]
    public async Task Signal_round_trips_with_only_required_fields()
    {
        var bare = TestData.Signal() with
        {
            Exchange = null, AlertId = null, AlertTime = null, Quantity = null, StopLoss = null, TakeProfit = null, Comment = null,
            Timeframe = Timeframe.FromSeconds(90), Price = 0.00001234m,
        };
        Assert.True(await Signals.TryAddAsync(bare, PublishState.Published, default));
        Assert.Equal(bare, await Signals.GetAsync(bare.SignalId, default));
    }

    [Fact]
    public async Task An_unpriced_signal_and_its_price_source_round_trip()
    {
        var unpriced = TestData.Signal("UNPRICEDUSDT") with { Price = null, PriceSource = PriceSource.None };
        var lastSeen = TestData.Signal("LASTSEENUSDT") with { Price = 12.5m, PriceSource = PriceSource.LastSeen };
        Assert.True(await Signals.TryAddAsync(unpriced, PublishState.Published, default));
        Assert.True(await Signals.TryAddAsync(lastSeen, PublishState.Published, default));

        Assert.Equal(unpriced, await Signals.GetAsync(unpriced.SignalId, default));
        Assert.Equal(lastSeen, await Signals.GetAsync(lastSeen.SignalId, default));
    }

    [Fact]
    public async Task The_raw_alert_is_an_attribute_no_signal_read_returns_and_is_dropped_once_delivered()
    {
        const string raw = "60123456789,buy,EURUSD,risk=1,secret=theirs";
        var signal = TestData.Signal("RAWUSDT");
        Assert.True(await Signals.TryAddAsync(signal, PublishState.Pending, raw, default));

        var item = (await Client.GetItemAsync(_prefix + "-signals", new Dictionary<string, AttributeValue> { ["signalId"] = new(signal.SignalId) })).Item;
        Assert.Equal(raw, item["rawAlert"].S);
        Assert.Equal(signal, await Signals.GetAsync(signal.SignalId, default));
        Assert.Equal(raw, await Signals.GetRawAlertAsync(signal.SignalId, default));

        await Signals.DropRawAlertAsync(signal.SignalId, default);
        Assert.Null(await Signals.GetRawAlertAsync(signal.SignalId, default));
        Assert.Equal(signal, await Signals.GetAsync(signal.SignalId, default));
        await Signals.DropRawAlertAsync("sig_missing", default);
    }

    [Fact]
    public async Task Symbol_index_lists_newest_first_up_to_the_limit()
    {
        var start = DateTimeOffset.UtcNow.AddMinutes(-30);
        var eth = Enumerable.Range(0, 7).Select(i => TestData.Signal("ETHUSDT", receivedAt: start.AddSeconds(i * 10))).ToList();
        foreach (var signal in eth.OrderBy(_ => Random.Shared.Next()))
        {
            Assert.True(await Signals.TryAddAsync(signal, PublishState.Published, default));
        }

        await Signals.TryAddAsync(TestData.Signal("SOLUSDT", receivedAt: start.AddSeconds(500)), PublishState.Published, default);

        var newest = await Signals.ListBySymbolAsync(Symbol.FromTrusted("ETHUSDT"), 5, default);
        Assert.Equal(eth.OrderByDescending(s => s.ReceivedAt).Take(5).Select(s => s.SignalId), newest.Select(s => s.SignalId));

        var all = await Signals.ListBySymbolAsync(Symbol.FromTrusted("ETHUSDT"), 100, default);
        Assert.Equal(7, all.Count);
        Assert.Empty(await Signals.ListBySymbolAsync(Symbol.FromTrusted("XRPUSDT"), 10, default));
    }

    [Fact]
    public async Task Pending_signals_are_listed_oldest_first_until_marked_published()
    {
        var now = DateTimeOffset.UtcNow;
        var pending = Enumerable.Range(0, 6).Select(i => TestData.Signal(receivedAt: now.AddSeconds(-60 + i))).ToList();
        foreach (var signal in pending)
        {
            await Signals.TryAddAsync(signal, PublishState.Pending, default);
        }

        await Signals.TryAddAsync(TestData.Signal(receivedAt: now.AddSeconds(-70)), PublishState.Published, default);

        var listed = await Signals.ListPendingAsync(now, 100, default);
        Assert.Equal(pending.Select(s => s.SignalId), listed.Select(s => s.SignalId));

        Assert.Equal(pending.Take(2).Select(s => s.SignalId), (await Signals.ListPendingAsync(now, 2, default)).Select(s => s.SignalId));
        Assert.Equal(3, (await Signals.ListPendingAsync(now.AddSeconds(-57), 100, default)).Count);

        await Signals.MarkPublishedAsync(pending[0].SignalId, default);
        await Signals.MarkPublishedAsync(pending[3].SignalId, default);
        listed = await Signals.ListPendingAsync(now, 100, default);
        Assert.Equal(new[] { 1, 2, 4, 5 }.Select(i => pending[i].SignalId), listed.Select(s => s.SignalId));

        // Marking a signal that was never stored creates nothing.
        await Signals.MarkPublishedAsync("sig_never_stored", default);
        Assert.Null(await Signals.GetAsync("sig_never_stored", default));
    }

    [Fact]
    public async Task Items_carry_ttl_and_leave_the_sparse_pending_index_when_published()
    {
        var signal = TestData.Signal(receivedAt: DateTimeOffset.UtcNow);
        await Signals.TryAddAsync(signal, PublishState.Pending, default);

        var item = await RawAsync(signal.SignalId);
        var expiresAt = long.Parse(item["expiresAt"].N, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expiresAt - signal.ReceivedAt.ToUnixTimeSeconds(), (30 * 86400) - 2, (30 * 86400) + 2);
        Assert.Equal("Pending", item["publishState"].S);
        Assert.StartsWith("pending#", item["pendingShard"].S, StringComparison.Ordinal);
        Assert.Equal(signal.Symbol.Value, item["symbol"].S);

        await Signals.MarkPublishedAsync(signal.SignalId, default);
        item = await RawAsync(signal.SignalId);
        Assert.Equal("Published", item["publishState"].S);
        Assert.False(item.ContainsKey("pendingShard"));
    }

    [Fact]
    public async Task Decisions_are_added_once_and_listed_newest_first()
    {
        var start = DateTimeOffset.UtcNow.AddMinutes(-5);
        var decisions = Enumerable.Range(0, 4)
            .Select(i => TestData.Decision(TestData.Signal("ADAUSDT"), start.AddSeconds(i), i % 2 == 0 ? Verdict.Execute : Verdict.Veto))
            .ToList();
        foreach (var decision in decisions)
        {
            Assert.True(await Decisions.TryAddAsync(decision, default));
        }

        Assert.False(await Decisions.TryAddAsync(decisions[1] with { Score = -1 }, default));
        var stored = await Decisions.GetAsync(decisions[1].DecisionId, default);
        Assert.NotNull(stored);
        Assert.Equal(TestData.Json(decisions[1]), TestData.Json(stored));
        Assert.Equal(TestData.Json(decisions[2]), TestData.Json((await Decisions.GetAsync(decisions[2].DecisionId, default))!));

        var listed = await Decisions.ListBySymbolAsync(Symbol.FromTrusted("ADAUSDT"), 3, default);
        Assert.Equal(decisions.AsEnumerable().Reverse().Take(3).Select(d => d.DecisionId), listed.Select(d => d.DecisionId));
    }

    [Fact]
    public async Task Risk_ledger_accumulates_rolls_the_day_and_loses_no_concurrent_entry()
    {
        var day = new DateOnly(2025, 3, 1);
        Assert.Equal(RiskState.Empty.On(day), await Risk.GetAsync(day, default));

        await Risk.RecordPnlAsync(2.0, day, default);
        var state = await Risk.RecordPnlAsync(-3.5, day, default);
        Assert.Equal(-1.5, state.RealizedPnlTodayPct, 10);
        Assert.Equal(2.0, state.PeakPnlPct, 10);
        Assert.Equal(3.5, state.DrawdownPct, 10);

        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Risk.RecordEntryAsync(day, default)));
        Assert.Equal(20, (await Risk.GetAsync(day, default)).EntriesToday);

        var halted = await Risk.SetHaltedAsync(true, "manual", day, default);
        Assert.True(halted.Halted);
        Assert.Equal("manual", (await Risk.GetAsync(day, default)).HaltReason);

        var tomorrow = await Risk.GetAsync(day.AddDays(1), default);
        Assert.Equal(0, tomorrow.EntriesToday);
        Assert.Equal(0, tomorrow.RealizedPnlTodayPct);
        Assert.Equal(-1.5, tomorrow.CumulativePnlPct, 10);
        Assert.True(tomorrow.Halted);

        // The ledger shares the decisions table: it is no decision, and in no symbol's list.
        Assert.Null(await Decisions.GetAsync(DynamoDbRiskLedger.LedgerKey, default));
    }

    [Fact]
    public async Task Health_check_reports_the_table_its_status_and_the_round_trip()
    {
        var check = ActivatorUtilities.CreateInstance<DynamoDbHealthCheck>(_services);
        var result = await check.CheckHealthAsync(new HealthCheckContext
        {
            Registration = new HealthCheckRegistration("store", check, HealthStatus.Unhealthy, null),
        });
        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Matches(@"^.+-signals ACTIVE, \d+\.\d ms$", result.Description);
    }

    private async Task<Dictionary<string, AttributeValue>> RawAsync(string signalId) =>
        (await Client.GetItemAsync(new GetItemRequest
        {
            TableName = _prefix + "-signals",
            Key = new Dictionary<string, AttributeValue> { ["signalId"] = new() { S = signalId } },
            ConsistentRead = true,
        })).Item;
}
