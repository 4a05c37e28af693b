using System.Text;
using BenchmarkDotNet.Attributes;
using Kyperian.Domain.Alerts;
using Kyperian.Domain.Signals;

namespace Kyperian.Bench;

/// <summary>
/// parse + validate + normalize one alert, ≤ 20 µs mean and ≤ 4 KiB allocated.
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

    private static readonly DateTimeOffset Now = new(2026, 11, 28, 14, 30, 5, TimeSpan.Zero);
    private static readonly TimeSpan DedupeWindow = TimeSpan.FromSeconds(300);

    private readonly AlertValidator _validator = new(new FixedTimeProvider(Now));
    private byte[] _realistic = [];
    private byte[] _minimal = [];
    private AlertInput _parsed = new();

    [GlobalSetup]
    public void Setup()
    {
        _realistic = Encoding.UTF8.GetBytes(RealisticAlert);
        _minimal = Encoding.UTF8.GetBytes(MinimalAlert);
        _parsed = AlertReader.Read(_realistic);

        // Fail loudly rather than benchmark the error path.
        if (_validator.Check(_parsed).Count != 0 || _validator.Check(AlertReader.Read(_minimal)).Count != 0)
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

    [Benchmark(Description = "AlertValidator.Check only")]
    public int CheckOnly() => _validator.Check(_parsed).Count;

    [Benchmark(Description = "AlertNormalizer.ToSignal only")]
    public Signal NormalizeOnly() => AlertNormalizer.ToSignal(_parsed, Now, DedupeWindow).Signal;

    private Signal Pipeline(byte[] body)
    {
        var input = AlertReader.Read(body);
        var errors = _validator.Check(input);
        if (errors.Count != 0)
        {
            throw new InvalidOperationException(errors[0].ToString());
        }

        return AlertNormalizer.ToSignal(input, Now, DedupeWindow).Signal;
    }
}
