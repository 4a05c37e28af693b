using System.Text.Json;
using Kyperian.Domain.Signals;

namespace Kyperian.Domain.Tests;

public class SymbolTests
{
    [Theory]
    [InlineData("BTCUSDT", "BTCUSDT", null)]
    [InlineData("btcusdt", "BTCUSDT", null)]
    [InlineData("BINANCE:BTCUSDT", "BTCUSDT", "BINANCE")]
    [InlineData("binance:btcUsdt", "BTCUSDT", "BINANCE")]
    [InlineData("ES1!", "ES1!", null)]
    [InlineData("CME_MINI:es1!", "ES1!", "CME_MINI")]
    [InlineData("EUR/USD", "EUR/USD", null)]
    [InlineData("brk.b", "BRK.B", null)]
    [InlineData("BTC-PERP", "BTC-PERP", null)]
    public void Parses_and_upper_cases(string raw, string value, string? exchange)
    {
        Assert.True(Symbol.TryParse(raw, out var symbol, out var parsedExchange, out var error));
        Assert.Null(error);
        Assert.Equal(value, symbol.Value);
        Assert.Equal(value, symbol.ToString());
        Assert.Equal(exchange, parsedExchange);
    }

    [Fact]
    public void The_exchange_prefix_does_not_change_the_symbol()
    {
        Symbol.TryParse("BINANCE:BTCUSDT", out var prefixed, out _, out _);
        Symbol.TryParse("btcusdt", out var bare, out _, out _);
        Assert.Equal(bare, prefixed);
    }

    [Fact]
    public void Accepts_40_characters_and_rejects_41()
    {
        Assert.True(Symbol.TryParse(new string('A', 40), out var symbol, out _, out _));
        Assert.Equal(40, symbol.Value.Length);

        Assert.False(Symbol.TryParse(new string('A', 41), out _, out _, out var error));
        Assert.Equal("must be 1 to 40 characters", error);
    }

    [Fact]
    public void The_length_limit_counts_the_exchange_prefix() =>
        Assert.False(Symbol.TryParse("BINANCE:" + new string('A', 33), out _, out _, out _));

    [Theory]
    [InlineData("BTC USDT")]
    [InlineData("BTC#")]
    [InlineData("BTC$")]
    [InlineData("<script>")]
    [InlineData("ÄPFEL")]
    [InlineData("BTC\n")]
    [InlineData(" BTCUSDT")]
    [InlineData("BTC,ETH")]
    public void Rejects_characters_outside_the_allowed_set(string raw)
    {
        Assert.False(Symbol.TryParse(raw, out _, out _, out var error));
        Assert.Equal("may contain only letters, digits and . : _ / ! -", error);
    }

    [Theory]
    [InlineData(":X")]
    [InlineData("X:")]
    [InlineData("A:B:C")]
    [InlineData(":")]
    [InlineData("::")]
    public void Rejects_a_malformed_exchange_prefix(string raw)
    {
        Assert.False(Symbol.TryParse(raw, out var symbol, out var exchange, out var error));
        Assert.Equal("must be TICKER or EXCHANGE:TICKER", error);
        Assert.Equal(default, symbol);
        Assert.Null(exchange);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void A_missing_symbol_is_required(string? raw)
    {
        Assert.False(Symbol.TryParse(raw, out _, out _, out var error));
        Assert.Equal("is required", error);
    }

    [Fact]
    public void Json_is_the_plain_value()
    {
        Symbol.TryParse("binance:ethusdt", out var symbol, out _, out _);
        var json = JsonSerializer.Serialize(symbol);
        Assert.Equal("\"ETHUSDT\"", json);
        Assert.Equal(symbol, JsonSerializer.Deserialize<Symbol>(json));
    }
}

public class SignalActionsTests
{
    [Theory]
    [InlineData("buy", SignalAction.Buy)]
    [InlineData("BUY", SignalAction.Buy)]
    [InlineData("Buy", SignalAction.Buy)]
    [InlineData("long", SignalAction.Buy)]
    [InlineData("LONG", SignalAction.Buy)]
    [InlineData("sell", SignalAction.Sell)]
    [InlineData("SeLL", SignalAction.Sell)]
    [InlineData("short", SignalAction.Sell)]
    [InlineData("SHORT", SignalAction.Sell)]
    [InlineData("close", SignalAction.Close)]
    [InlineData("CLOSE", SignalAction.Close)]
    [InlineData("exit", SignalAction.Close)]
    [InlineData("Exit", SignalAction.Close)]
    [InlineData("flat", SignalAction.Close)]
    [InlineData("FLAT", SignalAction.Close)]
    [InlineData(" buy\n", SignalAction.Buy)]
    public void Accepts_every_alias_in_any_case(string raw, SignalAction expected)
    {
        Assert.True(SignalActions.TryParse(raw, out var action));
        Assert.Equal(expected, action);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("hold")]
    [InlineData("buyy")]
    [InlineData("b")]
    [InlineData("buy sell")]
    [InlineData("1")]
    public void Rejects_anything_else(string? raw)
    {
        Assert.False(SignalActions.TryParse(raw, out var action));
        Assert.Null(action);
    }

    [Theory]
    [InlineData(SignalAction.Buy, 1)]
    [InlineData(SignalAction.Sell, -1)]
    [InlineData(SignalAction.Close, 0)]
    public void Direction_is_the_sign_the_engine_multiplies_by(SignalAction action, int direction) =>
        Assert.Equal(direction, action.Direction());
}
