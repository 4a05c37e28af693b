using Kyperian.Api.Infrastructure.DynamoDb;
using Kyperian.Api.Infrastructure.Embedded;
using Kyperian.Api.Tests.Embedded;
using Kyperian.Api.Tests.Servers;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Signals;
using Microsoft.Extensions.DependencyInjection;

namespace Kyperian.Api.Tests.Adapters;

/// <summary>
/// Reading the history back for replays, the same on every store: a symbol's signals and decisions in a time range,
/// oldest first, across pages; every symbol that sent a signal.
/// </summary>
public abstract class StoredHistoryContract : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    protected abstract ISignalStore Signals { get; }

    protected abstract IDecisionStore Decisions { get; }

    protected abstract IStoredHistory History { get; }

    /// <summary>Small pages, so a few records span several.</summary>
    protected abstract void UsePages(int size);

    public abstract Task InitializeAsync();

    public abstract Task DisposeAsync();

    [Fact]
    public async Task A_symbols_signals_in_a_range_come_oldest_first_across_pages_and_without_its_ends_or_other_symbols()
    {
        UsePages(3);
        var btc = Enumerable.Range(0, 10).Select(i => TestData.Signal("BTCUSDT", receivedAt: Start.AddMinutes(i))).ToArray();

        // Two of one instant, so a page may end between them.
        var twin = TestData.Signal("BTCUSDT", "60", receivedAt: Start.AddMinutes(4));
        var eth = TestData.Signal("ETHUSDT", receivedAt: Start.AddMinutes(5));
        foreach (var signal in btc.Reverse().Append(twin).Append(eth))
        {
            Assert.True(await Signals.TryAddAsync(signal, PublishState.Published, default));
        }

        var read = await ToListAsync(History.ReadSignalsAsync(Symbol.FromTrusted("BTCUSDT"), Start.AddMinutes(2), Start.AddMinutes(8), default));

        // From is in the range, to is not; of one instant, either may come first.
        Assert.Equal(
            new[] { btc[2], btc[3], btc[4], twin, btc[5], btc[6], btc[7] }.Select(s => s.SignalId).Order(StringComparer.Ordinal),
            read.Select(s => s.SignalId).Order(StringComparer.Ordinal));
        Assert.Equal(read.OrderBy(s => s.ReceivedAt).Select(s => s.SignalId), read.Select(s => s.SignalId));
        Assert.Equal(btc[2], read[0]);
        Assert.Empty(await ToListAsync(History.ReadSignalsAsync(Symbol.FromTrusted("BTCUSDT"), Start.AddMinutes(30), Start.AddMinutes(40), default)));
    }

    [Fact]
    public async Task A_symbols_decisions_in_a_range_come_oldest_first_by_when_they_were_made()
    {
        UsePages(2);
        var signals = Enumerable.Range(0, 5).Select(i => TestData.Signal("SOLUSDT", receivedAt: Start.AddMinutes(i))).ToArray();
        foreach (var signal in signals)
        {
            await Signals.TryAddAsync(signal, PublishState.Published, default);
        }

        var decisions = signals.Select((s, i) => TestData.Decision(s, Start.AddMinutes(i).AddSeconds(2), i % 2 == 0 ? Verdict.Execute : Verdict.Veto)).ToArray();
        foreach (var decision in decisions.Reverse())
        {
            Assert.True(await Decisions.TryAddAsync(decision, default));
        }

        var read = await ToListAsync(History.ReadDecisionsAsync(Symbol.FromTrusted("SOLUSDT"), Start, Start.AddMinutes(4), default));

        Assert.Equal(decisions[..4].Select(TestData.Json), read.Select(TestData.Json));
    }

    [Fact]
    public async Task Every_symbol_the_engine_decided_on_is_listed_once()
    {
        foreach (var symbol in new[] { "XRPUSDT", "ADAUSDT", "XRPUSDT" })
        {
            Assert.True(await Decisions.TryAddAsync(TestData.Decision(TestData.Signal(symbol, receivedAt: Start), Start), default));
        }

        var symbols = await History.ListSymbolsAsync(default);

        Assert.Equal(["ADAUSDT", "XRPUSDT"], symbols.Select(s => s.Value).Where(s => s is "ADAUSDT" or "XRPUSDT"));
        Assert.Equal(symbols.Select(s => s.Value).Order(StringComparer.Ordinal), symbols.Select(s => s.Value));
        Assert.Equal(symbols.Count, symbols.Distinct().Count());
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}

public sealed class EmbeddedHistoryTests : StoredHistoryContract
{
    private readonly EmbeddedTestDatabase _db = new();

    protected override ISignalStore Signals => _db.Get<ISignalStore>();

    protected override IDecisionStore Decisions => _db.Get<IDecisionStore>();

    protected override IStoredHistory History => _db.Get<IStoredHistory>();

    protected override void UsePages(int size) => ((SqliteHistory)History).PageSize = size;

    public override Task InitializeAsync() => Task.FromResult(_db.Get<EmbeddedDatabase>());

    public override async Task DisposeAsync() => await _db.DisposeAsync();
}

[Collection(DynaliteCollection.Name)]
public sealed class DynamoDbHistoryTests(DynaliteServer dynalite) : StoredHistoryContract
{
    private readonly string _prefix = "h" + Guid.NewGuid().ToString("N")[..10];
    private ServiceProvider _services = null!;

    protected override ISignalStore Signals => _services.GetRequiredService<ISignalStore>();

    protected override IDecisionStore Decisions => _services.GetRequiredService<IDecisionStore>();

    protected override IStoredHistory History => _services.GetRequiredService<IStoredHistory>();

    protected override void UsePages(int size) => ((DynamoDbHistory)History).PageSize = size;

    public override async Task InitializeAsync() => _services = await AdapterTestHost.DynamoDbStoresAsync(dynalite.ServiceUrl, _prefix);

    public override async Task DisposeAsync() => await _services.DisposeAsync();
}
