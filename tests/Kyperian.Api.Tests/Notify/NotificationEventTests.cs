using System.Text.Json;
using Kyperian.Api.Application.Notifications;
using Kyperian.Api.Infrastructure.Notify;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;

namespace Kyperian.Api.Tests.Notify;

/// <summary>The events: stable ids, messages a trader reads on a phone, and their JSON.</summary>
public sealed class NotificationEventTests
{
    [Fact]
    public void An_events_id_depends_on_what_happened_only()
    {
        var first = NotifyData.ExecuteEvent();
        var again = NotifyData.ExecuteEvent();
        var other = NotifyData.ExecuteEvent(id: "sig_ffffffffffffffffffffffff");

        Assert.Equal(first.Id, again.Id);
        Assert.NotEqual(first.Id, other.Id);
        Assert.Matches("^evt_[0-9a-f]{24}$", first.Id);

        var signal = NotifyData.Signal();
        Assert.NotEqual(first.Id, NotificationEvents.ForDecision(NotifyData.Veto(signal, VetoReason.Cooldown), signal).Id);
    }

    [Fact]
    public void An_execution_reads_as_side_symbol_size_price_timeframe_score_and_why()
    {
        var message = NotifyData.ExecuteEvent().Message;

        Assert.Equal("🟢 BUY BTCUSDT 2.5% @ 64250.5 · 15m\nScore +0.82 · 3 of 4 timeframes agree (15m, 1h, 4h).", message);
    }

    [Fact]
    public void A_veto_gives_its_reasons_in_words_beside_the_codes()
    {
        var signal = NotifyData.Signal();
        var veto = NotificationEvents.ForDecision(NotifyData.Veto(signal, VetoReason.LowConfidence, VetoReason.HtfConflict), signal);

        Assert.Equal(NotificationEventType.DecisionVeto, veto.Type);
        Assert.Equal("⛔ VETO buy BTCUSDT @ 64250.5 · 15m\nScore +0.12 · Signal confidence is below the minimum; a higher timeframe points the other way.", veto.Message);
        Assert.Equal(["LOW_CONFIDENCE", "HTF_CONFLICT"], veto.Reasons);
        Assert.Equal(2, veto.Explanations!.Count);
    }

    [Fact]
    public void Risk_dead_letter_and_silence_events_say_what_happened()
    {
        var at = new DateTimeOffset(2025, 3, 3, 15, 0, 0, TimeSpan.Zero);
        var halt = NotificationEvents.ForRisk(
            NotificationEventType.RiskHalt,
            new RiskNotice { Subject = "daily loss limit", ObservedPct = 5.2, LimitPct = 5, Reason = "the daily loss reached its limit", Until = at.Date.AddDays(1) },
            "2025-03-03|daily",
            at);
        var silence = NotificationEvents.ForSilence(at.AddHours(-6), TimeSpan.FromHours(6), at);
        var delivery = new OutboxDelivery
        {
            DeliveryId = "evt_x.telegram",
            EventId = "evt_x",
            EventType = "decision.execute",
            Destination = "telegram",
            Payload = "{}",
            CreatedAt = at,
            NextAttemptAt = at,
        };
        var dead = NotificationEvents.ForDeadDelivery(delivery, 8, "HTTP 502", NotifyData.ExecuteEvent(), at);

        Assert.Equal("🛑 Trading halted: daily loss limit\nThe daily loss reached its limit. · Until 2025-03-04 00:00 UTC.", halt.Message);
        Assert.Equal("🔕 No alert for 6 h\nLast alert 2025-03-03 09:00 UTC. Check your TradingView alerts.", silence.Message);
        Assert.Equal("❗ Delivery to telegram gave up (decision.execute BTCUSDT)\nAfter 8 attempts: HTTP 502", dead.Message);
        Assert.Equal(NotificationEvent.IdFor(NotificationEventType.SystemDeadLetter, "evt_x.telegram"), dead.Id);
    }

    [Fact]
    public void The_event_JSON_names_its_type_by_code_and_leaves_out_what_does_not_apply()
    {
        var json = JsonSerializer.Serialize(NotifyData.ExecuteEvent(), NotificationJsonContext.Default.NotificationEvent);
        using var document = JsonDocument.Parse(json);

        Assert.Equal("decision.execute", document.RootElement.GetProperty("type").GetString());
        Assert.False(document.RootElement.TryGetProperty("risk", out _));
        Assert.False(document.RootElement.TryGetProperty("stopLoss", out _));
        Assert.Equal(JsonValueKind.Array, document.RootElement.GetProperty("reasons").ValueKind);
    }

    [Fact]
    public void An_SNS_publish_to_a_FIFO_topic_deduplicates_on_the_event_id()
    {
        Assert.True(SnsTopic.TryParse("arn:aws:sns:eu-west-1:123456789012:kyperian.fifo", out var fifo));
        var execute = NotifyData.ExecuteEvent();

        var form = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(SnsSender.PublishBody(fifo, execute, "{\"a\":1}"));

        Assert.Equal("eu-west-1", fifo.Region);
        Assert.Equal(execute.Id, form["MessageDeduplicationId"].ToString());
        Assert.Equal("BTCUSDT", form["MessageGroupId"].ToString());
        Assert.Equal("{\"a\":1}", form["Message"].ToString());
    }

    [Fact]
    public void A_signature_is_the_hex_HMAC_SHA256_of_the_exact_body()
    {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        var signature = SignedWebhookSender.Signature("Jefe", "what do ya want for nothing?"u8);

        Assert.Equal("sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", signature);
    }
}
