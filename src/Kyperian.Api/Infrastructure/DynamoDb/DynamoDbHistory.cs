using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Kyperian.Api.Infrastructure.Resilience;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Signals;
using Microsoft.Extensions.Options;
using static Kyperian.Api.Infrastructure.DynamoDb.DynamoDbFormats;

namespace Kyperian.Api.Infrastructure.DynamoDb;

/// <summary>
/// The symbols the engine has decided on, so that a read across every symbol needs no table scan: one item per symbol
/// in the decisions table, <c>symbol#{symbol}</c>, listed through its <c>bySymbol</c> index under the reserved
/// pseudo-symbol <c>#symbols</c> (real symbols cannot hold <c>#</c>). Put by the engine (which writes that table) the
/// first time this process stores a decision of the symbol; putting it again changes nothing.
/// </summary>
public sealed partial class DynamoDbSymbolRegistry(
    IAmazonDynamoDB client,
    IOptions<DynamoDbOptions> options,
    ResiliencePipelines resilience,
    ILogger<DynamoDbSymbolRegistry> logger)
{
    public const string AllSymbols = "#symbols";

    private readonly DynamoDbOptions _options = options.Value;
    private readonly ConcurrentDictionary<Symbol, bool> _registered = new();

    public static string SymbolKey(Symbol symbol) => "symbol#" + symbol.Value;

    /// <summary>Registers the symbol once per process; a failure is logged and tried again with its next decision.</summary>
    public async Task RegisterAsync(Symbol symbol, CancellationToken cancellationToken)
    {
        if (_registered.ContainsKey(symbol))
        {
            return;
        }

        try
        {
            await resilience.ExecuteAsync(
                Backend.DynamoDb,
                (r, ct) => new ValueTask<PutItemResponse>(client.PutItemAsync(r, ct)),
                new PutItemRequest
                {
                    TableName = _options.DecisionsTable,
                    Item = new Dictionary<string, AttributeValue>
                    {
                        ["decisionId"] = S(SymbolKey(symbol)),
                        ["kind"] = S("symbol"),
                        ["symbol"] = S(AllSymbols),
                        ["decidedAt"] = S(symbol.Value),
                    },
                },
                cancellationToken);
            _registered[symbol] = true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The decision is stored, which is what counts: the symbol is listed once a later decision of it registers it.
            LogRegisterFailed(logger, ex, symbol.Value);
        }
    }

    /// <summary>Every registered symbol, in ordinal order.</summary>
    public async Task<IReadOnlyList<Symbol>> ListAsync(CancellationToken cancellationToken)
    {
        var items = await DynamoDbQueries.QueryBySymbolAsync(client, resilience, _options.DecisionsTable, AllSymbols, int.MaxValue, cancellationToken);
        return [.. items.Select(item => Symbol.FromTrusted(GetS(item, "decidedAt"))).OrderBy(s => s.Value, StringComparer.Ordinal)];
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Registering symbol {Symbol} for history reads failed; its next decision tries again")]
    private static partial void LogRegisterFailed(ILogger logger, Exception exception, string symbol);
}

/// <summary>
/// The history of one symbol in a time range, oldest first: a query of the table's <c>bySymbol</c> index on the
/// symbol and the time range, page after page (never a scan); every symbol from <see cref="DynamoDbSymbolRegistry"/>.
/// </summary>
public sealed class DynamoDbHistory(
    IAmazonDynamoDB client,
    IOptions<DynamoDbOptions> options,
    ResiliencePipelines resilience,
    DynamoDbSymbolRegistry symbols) : IStoredHistory
{
    /// <summary>Items asked for per page (a page also ends at 1 MB).</summary>
    internal int PageSize { get; set; } = 500;

    private readonly DynamoDbOptions _options = options.Value;

    public Task<IReadOnlyList<Symbol>> ListSymbolsAsync(CancellationToken cancellationToken) => symbols.ListAsync(cancellationToken);

    public IAsyncEnumerable<Signal> ReadSignalsAsync(Symbol symbol, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        ReadAsync(_options.SignalsTable, "receivedAt", DynamoDbSignalStore.FromItem, symbol, from, to, cancellationToken);

    public IAsyncEnumerable<Decision> ReadDecisionsAsync(Symbol symbol, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        ReadAsync(_options.DecisionsTable, "decidedAt", DynamoDbDecisionStore.FromItem, symbol, from, to, cancellationToken);

    private async IAsyncEnumerable<T> ReadAsync<T>(
        string table,
        string timeAttribute,
        Func<Dictionary<string, AttributeValue>, T> parse,
        Symbol symbol,
        DateTimeOffset from,
        DateTimeOffset to,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (to <= from)
        {
            yield break;
        }

        // BETWEEN is inclusive: the range ends a tick before `to`.
        var request = new QueryRequest
        {
            TableName = table,
            IndexName = DynamoDbQueries.BySymbolIndex,
            KeyConditionExpression = "symbol = :symbol AND #time BETWEEN :from AND :last",
            ExpressionAttributeNames = new Dictionary<string, string> { ["#time"] = timeAttribute },
            ExpressionAttributeValues = new Dictionary<string, AttributeValue>
            {
                [":symbol"] = S(symbol.Value),
                [":from"] = S(Time(from)),
                [":last"] = S(Time(to.AddTicks(-1))),
            },
            ScanIndexForward = true,
            Limit = PageSize,
        };
        do
        {
            var page = await resilience.ExecuteAsync(
                Backend.DynamoDb,
                (r, ct) => new ValueTask<QueryResponse>(client.QueryAsync(r, ct)),
                request,
                cancellationToken);
            foreach (var item in page.Items ?? [])
            {
                yield return parse(item);
            }

            request.ExclusiveStartKey = page.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (request.ExclusiveStartKey is not null);
    }
}
