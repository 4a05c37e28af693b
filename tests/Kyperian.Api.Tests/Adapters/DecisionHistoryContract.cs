using System.Text;
using System.Text.Json;
using Kyperian.Api.Endpoints.Contracts;
using Kyperian.Api.Infrastructure.DynamoDb;
using Kyperian.Api.Tests.Embedded;
using Kyperian.Api.Tests.Servers;
using Kyperian.Domain.Audit;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Risk;
using Kyperian.Domain.Signals;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Tests.Adapters;

/// <summary>
/// What every decision history promises, whichever store: pages in list order (newest first, ties by id), each matching
/// decision exactly once, filters applied, and a cursor that new decisions never shift. Engine v2's records beside
/// the decisions (a burst's other members, audit entries, risk events) are never listed.
/// </summary>
public abstract class DecisionHistoryContract : IAsyncLifetime
{
    /// <summary>Across a month's end, with bursts that share an instant, so that both partitions and ties are crossed.</summary>
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2025-01-31T23:59:30Z", System.Globalization.CultureInfo.InvariantCulture);

    private static readonly string[] Symbols = ["BTCUSDT", "ETHUSDT", "ES1!"];

    protected IDecisionStore Store { get; set; } = null!;

    protected IDecisionHistory History { get; set; } = null!;

    protected IServiceProvider Services { get; set; } = null!;

    public abstract Task InitializeAsync();

    public abstract Task DisposeAsync();

    public static TheoryData<string> Filters => ["none", "symbol", "verdict", "reason", "range", "symbol+reason+range"];

    [Theory]
    [MemberData(nameof(Filters))]
    public async Task Pages_hold_every_matching_decision_once_in_order_while_new_ones_arrive(string filter)
    {
        var stored = await StoreManyAsync(90);
        var query = QueryFor(filter);
        var expected = stored.Where(query.Matches).OrderBy(d => d, ListOrder).Select(d => d.DecisionId).ToList();
        Assert.NotEmpty(expected);

        var seen = new List<string>();
        var cursor = (DecisionPosition?)null;
        var pages = 0;
        do
        {
            var page = await History.QueryAsync(query with { After = cursor, Limit = 7 }, default);
            Assert.True(page.Decisions.Count <= 7);
            seen.AddRange(page.Decisions.Select(d => d.DecisionId));
            cursor = page.Next;

            // Decisions keep arriving between pages (newer than any listed): they must not shift what follows.
            await StoreAsync(Decision(Symbols[pages % Symbols.Length], DateTimeOffset.UtcNow, pages));
            pages++;
            Assert.True(pages < 100, "paging did not end");
        }
        while (cursor is not null);

        Assert.Equal(expected, seen);
    }

    [Theory]
    [MemberData(nameof(Filters))]
    public async Task Json_pages_are_the_same_pages_each_decision_exactly_as_the_api_writes_it(string filter)
    {
        await StoreManyAsync(60);
        var query = QueryFor(filter) with { Limit = 3 };
        var pages = 0;
        do
        {
            var typed = await History.QueryAsync(query, default);
            var json = await History.QueryJsonAsync(query, default);

            Assert.Equal(typed.Next, json.Next);
            Assert.Equal(
                typed.Decisions.Select(d => JsonSerializer.Serialize(d, ApiJsonContext.Default.Decision)),
                json.Decisions.Select(d => Encoding.UTF8.GetString(d.Span)));
            query = query with { After = typed.Next };
            pages++;
        }
        while (query.After is not null);

        Assert.True(pages > 1, "one page only: the cursor was not crossed");
    }

    [Fact]
    public async Task A_page_is_newest_first_and_the_last_page_has_no_cursor()
    {
        var stored = await StoreManyAsync(12);
        var page = await History.QueryAsync(new DecisionQuery { Limit = 500 }, default);

        Assert.Equal(stored.OrderBy(d => d, ListOrder).Select(d => d.DecisionId), page.Decisions.Select(d => d.DecisionId));
        Assert.Null(page.Next);
        var read = page.Decisions[3];
        var original = stored.Single(d => d.DecisionId == read.DecisionId);
        Assert.Equal(TestData.Json(original), TestData.Json(read));
    }

    [Fact]
    public async Task The_latest_decision_of_each_symbol_is_found_and_a_symbol_without_one_is_absent()
    {
        var stored = await StoreManyAsync(30);
        var latest = await History.LatestBySymbolAsync([.. Symbols.Select(Symbol.FromTrusted), Symbol.FromTrusted("NONE")], default);

        Assert.Equal(Symbols.Length, latest.Count);
        foreach (var symbol in Symbols)
        {
            var newest = stored.Where(d => d.Symbol.Value == symbol).Max(d => d.DecidedAt);
            Assert.Equal(newest, latest[Symbol.FromTrusted(symbol)].DecidedAt);
        }
    }

    [Fact]
    public async Task The_latest_decisions_read_again_include_every_decision_made_since()
    {
        await StoreManyAsync(12);
        var all = Symbols.Select(Symbol.FromTrusted).ToArray();
        var before = await History.LatestBySymbolAsync(all, default);
        var newer = Decision("ETHUSDT", before[Symbol.FromTrusted("ETHUSDT")].DecidedAt.AddSeconds(1), 1);
        await StoreAsync(newer);

        var after = await History.LatestBySymbolAsync(all, default);
        var one = await History.LatestBySymbolAsync([Symbol.FromTrusted("ETHUSDT")], default);

        Assert.Equal(newer.DecisionId, after[Symbol.FromTrusted("ETHUSDT")].DecisionId);
        Assert.Equal(newer.DecisionId, one[Symbol.FromTrusted("ETHUSDT")].DecisionId);
        Assert.Equal(TestData.Json(newer), TestData.Json(after[Symbol.FromTrusted("ETHUSDT")]));
        foreach (var symbol in new[] { "BTCUSDT", "ES1!" })
        {
            Assert.Equal(before[Symbol.FromTrusted(symbol)].DecisionId, after[Symbol.FromTrusted(symbol)].DecisionId);
            Assert.Equal(TestData.Json(before[Symbol.FromTrusted(symbol)]), TestData.Json(after[Symbol.FromTrusted(symbol)]));
        }
    }

    private static DecisionQuery QueryFor(string filter) => filter switch
    {
        "symbol" => new DecisionQuery { Symbol = Symbol.FromTrusted("ETHUSDT") },
        "verdict" => new DecisionQuery { Verdict = Verdict.Execute },
        "reason" => new DecisionQuery { Reason = VetoReason.Cooldown },
        "range" => new DecisionQuery { From = Start.AddSeconds(20), To = Start.AddSeconds(50) },
        "symbol+reason+range" => new DecisionQuery { Symbol = Symbol.FromTrusted("ETHUSDT"), Reason = VetoReason.KillSwitch, From = Start.AddSeconds(5), To = Start.AddSeconds(60) },
        _ => new DecisionQuery(),
    };

    private static readonly Comparer<Decision> ListOrder = Comparer<Decision>.Create((a, b) =>
        DecisionPosition.Of(a).IsBefore(DecisionPosition.Of(b)) ? -1 : DecisionPosition.Of(b).IsBefore(DecisionPosition.Of(a)) ? 1 : 0);

    private async Task<List<Decision>> StoreManyAsync(int count)
    {
        var decisions = new List<Decision>(count);
        for (var i = 0; i < count; i++)
        {
            // Six decisions share each instant, two per symbol: ties that the list orders by id.
            var at = Start.AddSeconds(5 * (i / 6));
            decisions.Add(Decision(Symbols[i % Symbols.Length], at, i));
        }

        foreach (var decision in decisions.OrderBy(_ => Random.Shared.Next()))
        {
            await StoreAsync(decision);
        }

        // Operator actions and risk events of the same moments, kept beside the decisions by some stores.
        var last = decisions[^1].DecidedAt;
        await Services.GetRequiredService<IAuditLog>().AppendAsync(
            new AuditEntry { EntryId = AuditEntry.NewId(last), Kind = AuditKind.Halt, At = last, Text = "Entries halted." }, default);
        await Services.GetRequiredService<IRiskEventLog>().TryAddAsync(
            new RiskEvent { EventId = "risk_test_" + Guid.NewGuid().ToString("N"), Kind = RiskEventKind.Halt, Limit = RiskLimit.KillSwitch, At = last, Day = DateOnly.FromDateTime(last.UtcDateTime), Text = "An operator halted entries." },
            default);
        return decisions;
    }

    private async Task StoreAsync(Decision decision) => Assert.True(await Store.TryAddAsync(decision, default));

    private static Decision Decision(string symbol, DateTimeOffset at, int n)
    {
        var signal = TestData.Signal(symbol);
        var execute = n % 3 == 0;

        // Every fourth decided a bar-close burst: its other members find it by their own decision ids.
        IReadOnlyList<string>? members = n % 4 == 0 ? [TestData.Signal(symbol).SignalId, signal.SignalId, TestData.Signal(symbol).SignalId] : null;
        return TestData.Decision(signal, at, execute ? Verdict.Execute : Verdict.Veto, members) with
        {
            Reasons = execute ? [] : n % 2 == 0 ? [VetoReason.Cooldown] : [VetoReason.WeakConfluence, VetoReason.KillSwitch],
        };
    }
}

public sealed class EmbeddedDecisionHistoryTests : DecisionHistoryContract
{
    private readonly EmbeddedTestDatabase _database = new();

    public override Task InitializeAsync()
    {
        (Store, History, Services) = (_database.Get<IDecisionStore>(), _database.Get<IDecisionHistory>(), _database.Services);
        return Task.CompletedTask;
    }

    public override async Task DisposeAsync() => await _database.DisposeAsync();
}

[Collection(DynaliteCollection.Name)]
public sealed class DynamoDbDecisionHistoryTests(DynaliteServer dynalite) : DecisionHistoryContract
{
    private ServiceProvider _services = null!;

    public override async Task InitializeAsync()
    {
        var prefix = "h" + Guid.NewGuid().ToString("N")[..10];
        _services = AdapterTestHost.Build(
            new Dictionary<string, string?>
            {
                ["Kyperian:DynamoDb:ServiceUrl"] = dynalite.ServiceUrl,
                ["Kyperian:DynamoDb:Region"] = "us-east-1",
                ["Kyperian:DynamoDb:SignalsTable"] = prefix + "-signals",
                ["Kyperian:DynamoDb:DecisionsTable"] = prefix + "-decisions",
                ["Kyperian:DynamoDb:StatsTable"] = prefix + "-stats",
            },
            (s, c) => s.AddDynamoDbStores(c));
        await DynamoDbTables.EnsureAsync(
            _services.GetRequiredService<Amazon.DynamoDBv2.IAmazonDynamoDB>(), _services.GetRequiredService<IOptions<DynamoDbOptions>>().Value, default);
        Store = _services.GetRequiredService<IDecisionStore>();
        History = _services.GetRequiredService<IDecisionHistory>();
        Services = _services;
    }

    public override async Task DisposeAsync() => await _services.DisposeAsync();
}
