using System.Text.Json;
using Kyperian.Api.Application.Notifications;
using Kyperian.Domain.Decisions;

namespace Kyperian.Api.Tests.Notify;

/// <summary>Templates: placeholders, JSON escaping, sections, the bridge presets against their documented shapes.</summary>
public sealed class TemplateTests
{
    private static readonly Dictionary<string, string> NoValues = [];

    [Fact]
    public void Placeholders_inside_JSON_strings_are_escaped_and_outside_become_JSON_values()
    {
        var notification = NotifyData.ExecuteEvent() with { Message = "He said \"go\"\nnow \\ then" };
        var template = NotificationTemplate.Parse("""{"text":"{{message}}","price":{{price}},"stop":{{stopLoss}},"symbol":{{symbol}},"size":{{sizePct}}}""");

        var body = template.Render(notification, null, NoValues);

        Assert.True(template.IsJson);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("He said \"go\"\nnow \\ then", json.RootElement.GetProperty("text").GetString());
        Assert.Equal(64250.5m, json.RootElement.GetProperty("price").GetDecimal());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("stop").ValueKind);
        Assert.Equal("BTCUSDT", json.RootElement.GetProperty("symbol").GetString());
        Assert.Equal(2.5, json.RootElement.GetProperty("size").GetDouble());
    }

    [Fact]
    public void Raw_is_embedded_as_JSON_when_it_is_JSON_and_quoted_when_it_is_not()
    {
        var template = NotificationTemplate.Parse("""{"alert":{{raw}},"id":"{{decisionId}}"}""");
        var notification = NotifyData.ExecuteEvent();

        using var embedded = JsonDocument.Parse(template.Render(notification, """{"ticker":"BTCUSDT","qty":2}""", NoValues));
        Assert.Equal(2, embedded.RootElement.GetProperty("alert").GetProperty("qty").GetInt32());

        using var quoted = JsonDocument.Parse(template.Render(notification, "buy BTCUSDT \"now\"", NoValues));
        Assert.Equal("buy BTCUSDT \"now\"", quoted.RootElement.GetProperty("alert").GetString());
        Assert.True(template.UsesRaw);
    }

    [Fact]
    public void A_text_template_is_filled_in_as_it_is_and_sections_follow_the_action()
    {
        var template = NotificationTemplate.Parse("{{symbol}} {{#entry}}in {{side}} {{sizePct}}%{{/entry}}{{^entry}}out{{/entry}} \"{{timeframe}}\"");
        var signal = NotifyData.Signal();

        var entry = NotificationEvents.ForDecision(NotifyData.Execute(signal), signal);
        var exit = NotificationEvents.ForDecision(NotifyData.Execute(signal, TradeAction.Exit), signal);

        Assert.False(template.IsJson);
        Assert.Equal("text/plain; charset=utf-8", template.ContentType);
        Assert.Equal("BTCUSDT in buy 2.5% \"15m\"", template.Render(entry, null, NoValues));
        Assert.Equal("BTCUSDT out \"15m\"", template.Render(exit, null, NoValues));
    }

    [Theory]
    [InlineData("{{nope}}", "unknown placeholder {{nope}}")]
    [InlineData("{{#entry}}open", "never closes {{#entry}}")]
    [InlineData("{{symbol}}{{/entry}}", "closes a section it never opened")]
    [InlineData("{{symbol", "never closed")]
    [InlineData("""{"a":{{symbol}}""", "not valid JSON")]
    public void A_broken_template_is_refused_with_the_reason(string text, string reason)
    {
        Assert.False(NotificationTemplate.TryParse(text, [], out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_move_and_the_closed_trades_return_are_placeholders()
    {
        var template = NotificationTemplate.Parse("""{"move":"{{move}}","return":{{returnPct}}}""");
        var signal = NotifyData.Signal(price: 64260m);

        using var exit = JsonDocument.Parse(template.Render(NotificationEvents.ForDecision(NotifyData.Execute(signal, TradeAction.Exit), signal), null, NoValues));
        using var entry = JsonDocument.Parse(template.Render(NotificationEvents.ForDecision(NotifyData.Execute(signal), signal), null, NoValues));

        Assert.Equal("Exit long, +2 %", exit.RootElement.GetProperty("move").GetString());
        Assert.Equal(2, exit.RootElement.GetProperty("return").GetDouble());
        Assert.Equal("Enter long", entry.RootElement.GetProperty("move").GetString());
        Assert.Equal(JsonValueKind.Null, entry.RootElement.GetProperty("return").ValueKind);
    }

    [Fact]
    public void A_destinations_own_values_are_placeholders()
    {
        var template = NotificationTemplate.Parse("{{licenseId}},{{side}},{{symbol}}", ["licenseId"]);

        Assert.Equal("60123456789,buy,BTCUSDT", template.Render(NotifyData.ExecuteEvent(), null, new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["licenseid"] = "60123456789" }));
    }

    [Fact]
    public void The_TradersPost_preset_sends_ticker_action_and_signal_price()
    {
        var template = NotificationTemplate.Parse(BridgePresets.All["traderspost"].Template);
        var signal = NotifyData.Signal();

        using var buy = JsonDocument.Parse(template.Render(NotificationEvents.ForDecision(NotifyData.Execute(signal), signal), null, NoValues));
        using var exit = JsonDocument.Parse(template.Render(NotificationEvents.ForDecision(NotifyData.Execute(signal, TradeAction.Exit), signal), null, NoValues));

        Assert.Equal("BTCUSDT", buy.RootElement.GetProperty("ticker").GetString());
        Assert.Equal("buy", buy.RootElement.GetProperty("action").GetString());
        Assert.Equal(64250.5m, buy.RootElement.GetProperty("signalPrice").GetDecimal());
        Assert.Equal("exit", exit.RootElement.GetProperty("action").GetString());
    }

    [Fact]
    public void The_3Commas_preset_fills_the_strategy_signal_fields()
    {
        var preset = BridgePresets.All["3commas"];
        var template = NotificationTemplate.Parse(preset.Template, preset.RequiredValues.ToList());
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["botSecret"] = "eyJhbGciOi-secret", ["botUuid"] = "0b2f5d3c-uuid" };
        var signal = NotifyData.Signal();

        using var json = JsonDocument.Parse(template.Render(NotificationEvents.ForDecision(NotifyData.Execute(signal, TradeAction.EnterShort), signal), null, values));

        var root = json.RootElement;
        Assert.Equal("eyJhbGciOi-secret", root.GetProperty("secret").GetString());
        Assert.Equal("0b2f5d3c-uuid", root.GetProperty("bot_uuid").GetString());
        Assert.Equal("sell", root.GetProperty("action").GetString());
        Assert.Equal("BINANCE", root.GetProperty("tv_exchange").GetString());
        Assert.Equal("BTCUSDT", root.GetProperty("tv_instrument").GetString());
        Assert.Equal("64250.5", root.GetProperty("trigger_price").GetString());
        Assert.Equal("2025-03-03T14:30:00Z", root.GetProperty("timestamp").GetString());
        Assert.Equal("short", root.GetProperty("strategy_info").GetProperty("market_position").GetString());
        Assert.Equal("flat", root.GetProperty("strategy_info").GetProperty("prev_market_position").GetString());

        // An exit of a long is a sell to flat, as TradingView's strategy alerts say it.
        using var exit = JsonDocument.Parse(template.Render(NotificationEvents.ForDecision(NotifyData.Execute(signal, TradeAction.Exit), signal), null, values));
        Assert.Equal("sell", exit.RootElement.GetProperty("action").GetString());
        Assert.Equal("flat", exit.RootElement.GetProperty("strategy_info").GetProperty("market_position").GetString());
        Assert.Equal("long", exit.RootElement.GetProperty("strategy_info").GetProperty("prev_market_position").GetString());
    }

    [Fact]
    public void The_PineConnector_preset_writes_license_command_symbol_and_risk()
    {
        var preset = BridgePresets.All["pineconnector"];
        var template = NotificationTemplate.Parse(preset.Template, preset.RequiredValues.ToList());
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["licenseId"] = "60123456789" };
        var signal = NotifyData.Signal("EURUSD", 1.0842m);

        var buy = template.Render(NotificationEvents.ForDecision(NotifyData.Execute(signal), signal), null, values);
        var sell = template.Render(NotificationEvents.ForDecision(NotifyData.Execute(signal, TradeAction.EnterShort, 1), signal), null, values);

        Assert.Equal("60123456789,buy,EURUSD,risk=2.5", buy);
        Assert.Equal("60123456789,sell,EURUSD,risk=1", sell);
        Assert.Equal("60123456789,closelong,EURUSD", template.Render(NotificationEvents.ForDecision(NotifyData.Execute(signal, TradeAction.Exit), signal), null, values));
        Assert.False(template.IsJson);
    }
}
