using System.Text;
using BenchmarkDotNet.Attributes;
using Kyperian.Domain.Alerts;
using Kyperian.Domain.Signals;

namespace Kyperian.Bench;

/// <summary>
/// Parse + validate + normalize one alert: the bar is ≤ 20 µs mean and ≤ 4 KiB allocated.
/// <see cref="ParseValidateNormalize"/> is the bar; the others split it up to show where the time goes.
/// </summary>
[MemoryDiagnoser]
public class AlertPipelineBenchmarks
{
    /// <summary>What a strategy alert template typically produces: every common field, {{timenow}} and an id.</summary>
    public const string RealisticAlert = """
        {
          "symbol": "BINANCE:BTCUSDT",
          "action": "buy",
          "timeframe": "15",
          "price": 64250.5,
          "confidence": 80,
          "passphrase": "correct-horse-battery-staple",
          "time": "2026-11-28T14:30:00Z",
          "id": "btc-15m-long-1",
          "quantity": 0.25,
          "stopLoss": 63500,
          "takeProfit": 66000,
          "comment": "EMA 21/55 cross, RSI 58"
        }
        """;

    /// <summary>The smallest alert a trader might paste: the four required fields, interval as a bare number.</summary>
    public const string MinimalAlert = """{"symbol":"ES1!","action":"sell","timeframe":240,"price":"5321.25"}""";

    /// <summary>One message per recognised format, filled in as TradingView fills it (see the test corpus for sources).</summary>
    public static readonly IReadOnlyDictionary<string, string> OtherFormats = new Dictionary<string, string>
    {
        ["traderspost"] = """{"ticker":"AMD","action":"buy","sentiment":"long","signalPrice":143.12,"quantity":1,"takeProfit":{"percent":10},"stopLoss":{"type":"stop","percent":5}}""",
        ["3commas"] = """{"secret":"eyJhbGciOiJIUzI1NiJ9","max_lag":"300","timestamp":"2026-11-28T14:30:00Z","trigger_price":"64250.5","tv_exchange":"BINANCE","tv_instrument":"BTCUSDT","action":"sell","bot_uuid":"0b1f7c9e-3c1a-4d7e-9f59-2f5a8d7c4e11","strategy_info":{"market_position":"flat","market_position_size":"0","prev_market_position":"long","prev_market_position_size":"0.5"},"order":{"amount":"0.5","currency_type":"base"}}""",
        ["okx"] = """{"id":"Long","action":"buy","marketPosition":"long","prevMarketPosition":"flat","instrument":"BTC-USDT-SWAP","signalToken":"token","timestamp":"2026-11-28T14:30:00Z","maxLag":"60","investmentType":"base","amount":"1"}""",
        ["strategy-json"] = """{"passphrase":"abcdefgh","time":"2026-11-28T14:30:00Z","exchange":"BINANCE","ticker":"BTCUSDT","bar":{"time":"2026-11-28T14:15:00Z","open":64100.5,"high":64300,"low":64050.25,"close":64250.5,"volume":152.3},"strategy":{"position_size":0.5,"order_action":"buy","order_contracts":0.5,"order_price":64250.5,"order_id":"Long","market_position":"long","market_position_size":0.5,"prev_market_position":"flat","prev_market_position_size":0}}""",
        ["pineconnector"] = "60123456789,buy,EURUSD,sl=10,tp=20,risk=1",
        ["tradingview-default"] = "EMA Cross (9, 21): order sell @ 2 filled on BINANCE:ETHUSDT. New strategy position is -1",
        ["key-value"] = "signal=long,symbol=EURUSD,qty=100000,entry_price=1.0850,sl_price=1.0800,tp_price=1.0950,secret=YOUR_SECRET",
    };

    private static readonly DateTimeOffset Now = new(2026, 11, 28, 14, 30, 5, TimeSpan.Zero);
    private static readonly TimeSpan DedupeWindow = TimeSpan.FromSeconds(300);

    private readonly AlertValidator _validator = new(new FixedTimeProvider(Now));
    private byte[] _realistic = [];
    private byte[] _minimal = [];
    private AlertInput _parsed = new();
    private ValidAlert _valid = null!;


    [GlobalSetup]
    public void Setup()
    {
        _realistic = Encoding.UTF8.GetBytes(RealisticAlert);
        _minimal = Encoding.UTF8.GetBytes(MinimalAlert);
        _parsed = AlertReader.Read(_realistic);

        // Fail loudly rather than benchmark the error path.
        _valid = _validator.Validate(_parsed).Alert ?? throw new InvalidOperationException("The benchmark alerts must be valid.");
        if (!_validator.Validate(AlertReader.Read(_minimal)).IsValid)
        {
            throw new InvalidOperationException("The benchmark alerts must be valid.");
        }
    }

    [Benchmark(Baseline = true, Description = "parse+validate+normalize (realistic alert)")]
    public Signal ParseValidateNormalize() => Pipeline(_realistic);

    [Benchmark(Description = "parse+validate+normalize (minimal alert)")]
    public Signal ParseValidateNormalizeMinimal() => Pipeline(_minimal);

    [Benchmark(Description = "AlertReader.Read only")]
    public AlertInput ReadOnly() => AlertReader.Read(_realistic);

    [Benchmark(Description = "AlertValidator.Validate only")]
    public ValidAlert? ValidateOnly() => _validator.Validate(_parsed).Alert;

    [Benchmark(Description = "AlertNormalizer.ToSignal only")]
    public Signal NormalizeOnly() => AlertNormalizer.ToSignal(_valid, Now, DedupeWindow).Signal;

    private Signal Pipeline(byte[] body)
    {
        var check = _validator.Validate(AlertReader.Read(body));
        if (check.Alert is not { } alert)
        {
            throw new InvalidOperationException(check.Errors[0].ToString());
        }

        return AlertNormalizer.ToSignal(alert, Now, DedupeWindow).Signal;
    }
}

/// <summary>
/// Parse + validate + normalize one message of each other tool's format, with the timeframe from <c>?interval=15</c>:
/// the bar is ≤ 50 µs mean.
/// </summary>
[MemoryDiagnoser]
public class AlertPipelineFormatBenchmarks
{
    private static readonly AlertDefaults UrlDefaults = new() { Timeframe = "15" };
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 14, 30, 5, TimeSpan.Zero);

    private readonly AlertValidator _validator = new(new FixedTimeProvider(Now));
    private byte[] _body = [];

    [ParamsSource(nameof(FormatNames))]
    public string Format { get; set; } = "traderspost";

    public static IEnumerable<string> FormatNames => AlertPipelineBenchmarks.OtherFormats.Keys;

    [GlobalSetup]
    public void Setup()
    {
        _body = Encoding.UTF8.GetBytes(AlertPipelineBenchmarks.OtherFormats[Format]);
        var check = _validator.Validate(AlertReader.Read(_body, UrlDefaults, AlertReaderOptions.Default));
        if (!check.IsValid || AlertReader.Read(_body, UrlDefaults, AlertReaderOptions.Default).Format.Name != Format)
        {
            throw new InvalidOperationException($"The {Format} benchmark message must be valid and recognised as {Format}.");
        }
    }

    [Benchmark(Description = "parse+validate+normalize (another tool's format, ?interval=15)")]
    public Signal ParseValidateNormalize()
    {
        var check = _validator.Validate(AlertReader.Read(_body, UrlDefaults, AlertReaderOptions.Default));
        return AlertNormalizer.ToSignal(check.Alert!, Now, TimeSpan.FromSeconds(300)).Signal;
    }
}
