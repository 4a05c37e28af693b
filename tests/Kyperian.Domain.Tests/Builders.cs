using System.Text;
using System.Text.Json;
using Kyperian.Domain.Alerts;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Positions;
using Kyperian.Domain.Risk;
using Kyperian.Domain.Signals;
using Microsoft.Extensions.Time.Testing;

namespace Kyperian.Domain.Tests;

/// <summary>Fixed instants the tests are written against. 2026-01-15 is a Thursday.</summary>
internal static class Clocks
{
    public static readonly DateTimeOffset Now = new(2026, 1, 15, 14, 30, 0, TimeSpan.Zero);

    public static DateOnly Today => RiskState.DayOf(Now);

    public static FakeTimeProvider At(DateTimeOffset now) => new(now);

    public static FakeTimeProvider Fixed() => new(Now);
}

/// <summary>Reads, validates and normalizes alert bodies the way the webhook does.</summary>
internal static class Alerts
{
    public static readonly TimeSpan DedupeWindow = TimeSpan.FromSeconds(300);

    /// <summary>A complete, valid alert as a TradingView template would produce it.</summary>
    public const string ValidBody =
        """{"symbol":"BINANCE:BTCUSDT","action":"buy","timeframe":"15","price":43250.5,"confidence":80,"passphrase":"hunter2"}""";

    public static AlertInput Read(string body) => AlertReader.Read(Encoding.UTF8.GetBytes(body));

    public static IReadOnlyList<FieldError> Errors(string body, TimeProvider? clock = null) =>
        new AlertValidator(clock ?? Clocks.Fixed()).Check(Read(body));

    /// <summary>Asserts that the body fails with exactly this one field error.</summary>
    public static void AssertSingleError(string body, string field, string reason, TimeProvider? clock = null)
    {
        var errors = Errors(body, clock);
        var error = Assert.Single(errors);
        Assert.Equal(field, error.Field);
        Assert.Equal(reason, error.Reason);
    }

    /// <summary>The parsed alert of a body that must be valid.</summary>
    public static ValidAlert Valid(string body)
    {
        var check = new AlertValidator(Clocks.Fixed()).Validate(Read(body));
        Assert.Empty(check.Errors);
        return Assert.IsType<ValidAlert>(check.Alert);
    }

    public static Signal Normalize(string body, DateTimeOffset? receivedAt = null) =>
        AlertNormalizer.ToSignal(Valid(body), receivedAt ?? Clocks.Now, DedupeWindow).Signal;

    public static SignalIdentity Identity(string body, DateTimeOffset? receivedAt = null) =>
        AlertNormalizer.ToSignal(Valid(body), receivedAt ?? Clocks.Now, DedupeWindow).Identity;

    /// <summary>The valid body with one field replaced (or removed when <paramref name="json"/> is null).</summary>
    public static string With(string field, string? json, string body = ValidBody)
    {
        using var doc = JsonDocument.Parse(body);
        var parts = new List<string>();
        var replaced = false;
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            if (p.Name == field)
            {
                replaced = true;
                if (json is not null)
                {
                    parts.Add($"{JsonSerializer.Serialize(field)}:{json}");
                }
            }
            else
            {
                parts.Add($"{JsonSerializer.Serialize(p.Name)}:{p.Value.GetRawText()}");
            }
        }

        if (!replaced && json is not null)
        {
            parts.Add($"{JsonSerializer.Serialize(field)}:{json}");
        }

        return "{" + string.Join(",", parts) + "}";
    }

    public static string Without(string field, string body = ValidBody) => With(field, null, body);
}

/// <summary>Builds signals for the engine with sensible defaults: a confident 15m buy received now.</summary>
internal sealed record SignalBuilder
{
    public string Timeframe { get; init; } = "15";

    public SignalAction Action { get; init; } = SignalAction.Buy;

    public int? Confidence { get; init; } = 80;

    public decimal? Price { get; init; } = 100m;

    public DateTimeOffset ReceivedAt { get; init; } = Clocks.Now;

    public DateTimeOffset? AlertTime { get; init; }

    public string Symbol { get; init; } = "BTCUSDT";

    public string Id { get; init; } = "sig_0123456789abcdef01234567";

    public Signal Build() => new()
    {
        SignalId = Id,
        Symbol = Signals.Symbol.FromTrusted(Symbol),
        Action = Action,
        Timeframe = Signals.Timeframe.Parse(Timeframe),
        Price = Price,
        Confidence = Confidence,
        Source = "tradingview",
        AlertTime = AlertTime,
        ReceivedAt = ReceivedAt,
    };
}

/// <summary>Decision scenarios: the new signal, the other timeframes' latest signals, risk and the clock.</summary>
internal sealed class Scenario
{
    public Scenario(DateTimeOffset? now = null)
    {
        Clock = Clocks.At(now ?? Clocks.Now);
        Signal = new SignalBuilder { ReceivedAt = Clock.GetUtcNow() };
        Risk = RiskState.Empty with { Day = RiskState.DayOf(Clock.GetUtcNow()) };
    }

    public FakeTimeProvider Clock { get; }

    public EngineSettings Settings { get; } = new();

    public SignalBuilder Signal { get; set; }

    public List<TimeframeSignal> Others { get; } = [];

    public RiskState Risk { get; set; }

    public DateTimeOffset? LastExecuteAt { get; set; }

    /// <summary>The symbol's model position before the decision; flat unless set.</summary>
    public Position? Position { get; set; }

    /// <summary>Puts the symbol in a position opened an hour ago at <paramref name="price"/>.</summary>
    public Scenario Holding(PositionSide side, decimal price = 90m, double sizePct = 0.5)
    {
        Position = Domain.Positions.Position.Open(
            Domain.Signals.Symbol.FromTrusted(Signal.Symbol), side == PositionSide.Long ? 1 : -1, sizePct, price, Clock.GetUtcNow().AddHours(-1), "dec_opening");
        return this;
    }

    /// <summary>Adds the latest signal of another timeframe, observed <paramref name="age"/> before the clock's now.</summary>
    public Scenario With(string timeframe, SignalAction action, int confidence = 80, TimeSpan? age = null)
    {
        Others.Add(new TimeframeSignal(
            Timeframe.Parse(timeframe), action, confidence, Clock.GetUtcNow() - (age ?? TimeSpan.Zero), $"sig_{timeframe}_{Others.Count}"));
        return this;
    }

    /// <summary>Three timeframes agreeing with a confident 15m buy: executes with no veto.</summary>
    public static Scenario Aligned(DateTimeOffset? now = null) =>
        new Scenario(now).With("60", SignalAction.Buy).With("240", SignalAction.Buy);

    public DecisionInput Input()
    {
        var signal = Signal.Build();
        var state = new List<TimeframeSignal> { TimeframeSignal.From(signal) };
        state.AddRange(Others);
        return new DecisionInput(signal, state, Risk, LastExecuteAt) { Position = Position };
    }

    public Decision Decide() => new DecisionEngine(Settings, Clock).Decide(Input());
}
