using System.Text.Json;
using Kyperian.Api.Application.Notifications;
using Kyperian.Api.Infrastructure.Notify;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Positions;
using Kyperian.Domain.Risk;
using Kyperian.Domain.Signals;

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
    public void An_execution_reads_as_side_symbol_size_price_timeframe_the_move_the_score_and_why()
    {
        var notification = NotifyData.ExecuteEvent();

        Assert.Equal("🟢 BUY BTCUSDT 2.5% @ 64250.5 · 15m\nEnter long · Score +0.82 · 3 of 4 timeframes agree (15m, 1h, 4h).", notification.Message);
        Assert.Equal("Enter long", notification.Move);
        Assert.Equal(("buy", "buy", "long", "flat"), (notification.Side, notification.OrderAction, notification.Position, notification.PreviousPosition));
    }

    [Fact]
    public void A_reversal_says_the_side_it_turns_to_and_what_the_closed_position_made()
    {
        var signal = NotifyData.Signal("ETHUSDT", 98m, action: SignalAction.Sell);
        var held = Position.Open(signal.Symbol, 1, 2, 100m, signal.ReceivedAt.AddHours(-3), "dec_opened");
        var decision = NotifyData.Decide(signal, held, (60, SignalAction.Sell, 80), (240, SignalAction.Sell, 80));

        var notification = NotificationEvents.ForDecision(decision, signal);

        Assert.Equal((Verdict.Execute, TradeAction.Reverse), (decision.Verdict, decision.Action));
        Assert.Equal($"🔁 REVERSE ETHUSDT {decision.PositionSizePct:0.##}% @ 98 · 15m", notification.Message.Split('\n')[0]);
        Assert.Equal("Reverse to short (long -2 %) · Score -0.80 · 3 of 3 timeframes agree (15m, 1h, 4h).", notification.Message.Split('\n')[1]);
        Assert.Equal(("sell", "reverse", "short", "long"), (notification.Side, notification.OrderAction, notification.Position, notification.PreviousPosition));
        Assert.Equal(-2, notification.ReturnPct);
    }

    [Fact]
    public void An_exit_says_which_position_it_closed_and_its_return()
    {
        var signal = NotifyData.Signal("SOLUSDT", 101.8m, action: SignalAction.Close);
        var held = Position.Open(signal.Symbol, 1, 2, 100m, signal.ReceivedAt.AddHours(-3), "dec_opened");

        var notification = NotificationEvents.ForDecision(NotifyData.Decide(signal, held), signal);

        Assert.Equal("⚪ EXIT SOLUSDT @ 101.8 · 15m\nExit long, +1.8 % · Score +0.00", notification.Message);
        Assert.Equal(("sell", "exit", "flat", "long"), (notification.Side, notification.OrderAction, notification.Position, notification.PreviousPosition));
        Assert.Equal(0, notification.SizePct);
    }

    [Fact]
    public void A_veto_gives_the_engines_explanations_in_words_beside_the_codes()
    {
        var signal = NotifyData.Signal();
        var decision = NotifyData.Decide(signal, null, (240, SignalAction.Sell, 90));

        var veto = NotificationEvents.ForDecision(decision, signal);

        Assert.Equal(NotificationEventType.DecisionVeto, veto.Type);
        Assert.Contains(VetoReason.HtfConflict, decision.Reasons);
        Assert.Equal([.. decision.Reasons.Select(r => r.Code())], veto.Reasons);
        Assert.Equal([.. decision.Explanations.Select(e => e.Text)], veto.Explanations);
        Assert.Equal(
            $"⛔ VETO buy BTCUSDT @ 64250.5 · 15m\nScore {decision.Score:+0.00;-0.00} · {string.Join(" ", decision.Explanations.Select(e => e.Text))}",
            veto.Message);
        Assert.Contains("4h is a live SELL at 90 %", veto.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_veto_stored_before_explanations_existed_still_reads_in_words()
    {
        var signal = NotifyData.Signal();
        var veto = NotificationEvents.ForDecision(NotifyData.Veto(signal, VetoReason.LowConfidence, VetoReason.HtfConflict), signal);

        Assert.Equal("⛔ VETO buy BTCUSDT @ 64250.5 · 15m\nScore +0.12 · Signal confidence is below the minimum. A higher timeframe points the other way.", veto.Message);
        Assert.Equal(["LOW_CONFIDENCE", "HTF_CONFLICT"], veto.Reasons);
        Assert.Null(veto.Move);
    }

    [Fact]
    public void A_burst_is_one_event_that_names_its_members()
    {
        var fifteen = NotifyData.Signal(id: "sig_15m000000000000000000000");
        var hour = NotifyData.Signal(id: "sig_1h0000000000000000000000", minutes: 60) with { ReceivedAt = fifteen.ReceivedAt.AddMilliseconds(400) };
        var state = new[] { TimeframeSignal.From(fifteen), TimeframeSignal.From(hour) };
        var engine = new DecisionEngine(new EngineSettings(), new Microsoft.Extensions.Time.Testing.FakeTimeProvider(hour.ReceivedAt.AddMilliseconds(3)));
        var decision = engine.Decide(DecisionInput.ForBurst([hour, fifteen], state, RiskState.Empty.On(RiskState.DayOf(fifteen.ReceivedAt)), null, Position.FlatOf(fifteen.Symbol)));

        var notification = NotificationEvents.ForDecision(decision, fifteen);

        Assert.Equal(NotificationEvent.IdFor(NotificationEventType.DecisionExecute, decision.DecisionId), notification.Id);
        Assert.Equal([fifteen.SignalId, hour.SignalId], notification.MemberSignalIds);
        Assert.Equal(fifteen.SignalId, notification.SignalId);
    }

    [Fact]
    public void Risk_events_read_as_the_engine_recorded_them()
    {
        var at = new DateTimeOffset(2025, 3, 3, 15, 0, 0, TimeSpan.Zero);
        var day = RiskState.DayOf(at);
        var limits = new RiskLimits(5, 10, 4, 8, TotalLossBasis.Initial);
        var today = RiskState.Empty.On(day);

        var warning = Assert.Single(RiskEvents.Between(today, today.WithPnl(-4.2, day), limits, at));
        var breach = Assert.Single(RiskEvents.Between(today.WithPnl(-4.2, day), today.WithPnl(-5.5, day), limits, at));
        var halt = Assert.Single(RiskEvents.Between(today, today.WithHalt(true, "news at 15:30", day), limits, at));
        var resume = Assert.Single(RiskEvents.Between(today.WithPnl(-5.5, day), today.WithPnl(-5.5, day).On(day.AddDays(1)), limits, at.AddDays(1)));

        Assert.Equal(
            "⚠️ Risk warning: daily loss 4.2% of 4%\nDaily loss is 4.2 % from the day's starting equity, past the 4 % warning; the limit is 5 %.",
            NotificationEvents.ForRisk(warning).Message);
        Assert.StartsWith("🚨 Risk limit breached: daily loss 5.5% of 5%\nDaily loss is 5.5 %", NotificationEvents.ForRisk(breach).Message, StringComparison.Ordinal);
        Assert.Equal("🛑 Trading halted\nAn operator halted entries: news at 15:30.", NotificationEvents.ForRisk(halt).Message);
        Assert.StartsWith("▶️ Trading resumed: daily loss limit lifted\nA new trading day began", NotificationEvents.ForRisk(resume).Message, StringComparison.Ordinal);

        var types = new[] { warning, breach, halt, resume }.Select(e => NotificationEvents.ForRisk(e).Type);
        Assert.Equal([NotificationEventType.RiskWarning, NotificationEventType.RiskBreach, NotificationEventType.RiskHalt, NotificationEventType.RiskResume], types);

        // Told once per risk event: the id is the risk event's.
        Assert.Equal(NotificationEvents.ForRisk(warning).Id, NotificationEvents.ForRisk(warning with { At = at.AddMinutes(5) }).Id);
        var notice = NotificationEvents.ForRisk(breach).Risk!;
        Assert.Equal((RiskLimit.DailyLoss, 5.5, 5.0, breach.EventId), (notice.Limit, notice.ObservedPct, notice.ThresholdPct, notice.EventId));
    }

    [Fact]
    public void Dead_letter_and_silence_events_say_what_happened()
    {
        var at = new DateTimeOffset(2025, 3, 3, 15, 0, 0, TimeSpan.Zero);
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
