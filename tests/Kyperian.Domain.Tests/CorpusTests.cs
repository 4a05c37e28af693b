using System.Globalization;
using System.Text;
using System.Text.Json;
using Kyperian.Domain.Alerts;
using Kyperian.Domain.Signals;

namespace Kyperian.Domain.Tests;

/// <summary>
/// Real alert messages from the public documentation and example repositories of the tools traders come from
/// (Corpus/*.jsonl: one message a line, its source beside it), filled in as TradingView fills the placeholders,
/// each with the signal it must become or "rejected".
/// </summary>
public class CorpusTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Corpus");

    public static TheoryData<string, int> Messages()
    {
        var data = new TheoryData<string, int>();
        foreach (var entry in CorpusEntry.LoadAll(Folder))
        {
            data.Add(entry.File, entry.Line);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void Each_message_becomes_its_signal_or_is_rejected(string file, int line)
    {
        var entry = CorpusEntry.Load(Folder, file, line);
        var check = entry.Check();
        if (entry.ExpectsRejection)
        {
            Assert.False(check.IsValid, $"{entry.Source} should be rejected");
            Assert.NotEmpty(check.Errors);
            return;
        }

        Assert.True(check.IsValid, $"{entry.Source}: {string.Join("; ", check.Errors)}");
        Assert.Equal(entry.Expected!, CorpusEntry.Describe(entry.Normalize(check.Alert!)));
    }

    [Fact]
    public void At_least_40_messages_and_90_percent_of_the_trading_ones_read_right()
    {
        var entries = CorpusEntry.LoadAll(Folder).ToList();
        var trading = entries.Where(e => !e.ExpectsRejection).ToList();
        var readRight = trading.Count(e => e.Check() is { Alert: { } alert } && CorpusEntry.Describe(e.Normalize(alert)) == e.Expected);

        Assert.True(entries.Count >= 40, $"{entries.Count} messages");
        Assert.True(readRight >= 0.9 * trading.Count, $"{readRight} of {trading.Count} trading messages read right");
        Assert.All(entries.Where(e => e.ExpectsRejection), e => Assert.False(e.Check().IsValid, e.Source));
    }

    [Fact]
    public void Every_message_notes_its_source_and_every_product_is_there()
    {
        var entries = CorpusEntry.LoadAll(Folder).ToList();
        Assert.All(entries, e => Assert.False(string.IsNullOrWhiteSpace(e.Source)));
        Assert.Equal(
            ["3commas.jsonl", "notifications.jsonl", "okx.jsonl", "open-source-bots.jsonl", "pineconnector.jsonl", "traderspost.jsonl", "tradingview-default.jsonl"],
            entries.Select(e => e.File).Distinct().Order(StringComparer.Ordinal));
    }
}

/// <summary>One corpus line: the message as TradingView sends it, the URL's query defaults, and what it must become.</summary>
internal sealed record CorpusEntry(string File, int Line, string Source, string Body, AlertDefaults Defaults, string? Expected)
{
    public bool ExpectsRejection => Expected is null;

    public static IEnumerable<CorpusEntry> LoadAll(string folder)
    {
        foreach (var path in Directory.EnumerateFiles(folder, "*.jsonl").Order(StringComparer.Ordinal))
        {
            var lines = System.IO.File.ReadAllLines(path);
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i].Length > 0)
                {
                    yield return Parse(Path.GetFileName(path), i + 1, lines[i]);
                }
            }
        }
    }

    public static CorpusEntry Load(string folder, string file, int line) =>
        Parse(file, line, System.IO.File.ReadAllLines(Path.Combine(folder, file))[line - 1]);

    public AlertCheck Check() =>
        new AlertValidator(Clocks.Fixed()).Validate(AlertReader.Read(Encoding.UTF8.GetBytes(Body), Defaults, AlertReaderOptions.Default));

    public Signal Normalize(ValidAlert alert) => AlertNormalizer.ToSignal(alert, Clocks.Now, Alerts.DedupeWindow).Signal;

    /// <summary>The signal as the corpus writes it: only what each line names, so a line says exactly what it checks.</summary>
    public static string Describe(Signal signal) => string.Join(
        " ",
        new[]
        {
            signal.Symbol.Value, signal.Action.ToString(), signal.Timeframe.Label,
            signal.Price is { } price ? "price=" + price.ToString("0.############", CultureInfo.InvariantCulture) : "unpriced",
            signal.Exchange is { } exchange ? "exchange=" + exchange : null,
            signal.Quantity is { } quantity ? "quantity=" + quantity.ToString("0.############", CultureInfo.InvariantCulture) : null,
            signal.StopLoss is { } stopLoss ? "stopLoss=" + stopLoss.ToString("0.############", CultureInfo.InvariantCulture) : null,
            signal.TakeProfit is { } takeProfit ? "takeProfit=" + takeProfit.ToString("0.############", CultureInfo.InvariantCulture) : null,
        }.Where(part => part is not null));

    private static CorpusEntry Parse(string file, int line, string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var query = root.GetProperty("query");
        string? Query(string name) => query.TryGetProperty(name, out var value) ? value.GetString() : null;
        var defaults = new AlertDefaults
        {
            Timeframe = Query("interval") ?? Query("timeframe"),
            Symbol = Query("symbol"),
            Confidence = Query("confidence"),
            Source = Query("source"),
            Format = Query("format"),
        };

        var expect = root.GetProperty("expect");
        return new CorpusEntry(
            file, line, root.GetProperty("source").GetString()!, root.GetProperty("body").GetString()!, defaults,
            expect.ValueKind == JsonValueKind.String ? null : Expectation(expect));
    }

    private static string Expectation(JsonElement expect)
    {
        string? Number(string name) => expect.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number
            ? value.GetDecimal().ToString("0.############", CultureInfo.InvariantCulture)
            : null;
        string? Text(string name) => expect.TryGetProperty(name, out var value) ? value.GetString() : null;

        return string.Join(
            " ",
            new[]
            {
                Text("symbol"), Text("action"), Text("timeframe"),
                Number("price") is { } price ? "price=" + price : "unpriced",
                Text("exchange") is { } exchange ? "exchange=" + exchange : null,
                Number("quantity") is { } quantity ? "quantity=" + quantity : null,
                Number("stopLoss") is { } stopLoss ? "stopLoss=" + stopLoss : null,
                Number("takeProfit") is { } takeProfit ? "takeProfit=" + takeProfit : null,
            }.Where(part => part is not null));
    }
}
