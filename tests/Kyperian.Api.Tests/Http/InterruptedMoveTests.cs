using Kyperian.Api.Tests.Http.Infrastructure;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Positions;
using Kyperian.Domain.Risk;
using Kyperian.Domain.Signals;
using Microsoft.Extensions.DependencyInjection;

namespace Kyperian.Api.Tests.Http;

/// <summary>A crash between storing an executed decision and moving its position: the next decision of the symbol completes the move.</summary>
public sealed class InterruptedMoveTests
{
    [Fact]
    public async Task The_next_decision_completes_a_position_move_a_crash_cut_short()
    {
        await using var app = new KyperianFactory(KyperianFactory.LoneAlertsDecide);
        var symbol = Symbol.FromTrusted("HEALUSDT");
        var now = DateTimeOffset.UtcNow;
        var signal = new Signal
        {
            SignalId = "sig_healhealhealhealhealheal",
            Symbol = symbol,
            Action = SignalAction.Buy,
            Timeframe = Timeframe.Parse("15"),
            Price = 100m,
            Confidence = 80,
            Source = "tradingview",
            ReceivedAt = now.AddSeconds(-90),
        };
        var entry = new DecisionEngine(new EngineSettings { MinLiveTimeframes = 1, RequireHigherTimeframe = false }, TimeProvider.System)
            .Decide(new DecisionInput(signal, [TimeframeSignal.From(signal)], RiskState.Empty, null) { Position = Position.FlatOf(symbol) });
        Assert.Equal(Verdict.Execute, entry.Verdict);

        // Stored, but the process died before the position moved.
        Assert.True(await app.Services.GetRequiredService<IDecisionStore>().TryAddAsync(entry, default));
        Assert.True((await app.Services.GetRequiredService<IPositionBook>().GetAsync(symbol, default)).IsFlat);

        var exit = await app.CreateOperatorClient().DecisionAsync(await app.CreateClient().AcceptAsync(Alerts.Alert("HEALUSDT", "close", "15", 110m, 80)));

        Assert.Equal(("EXECUTE", "Exit"), (exit.Verdict(), exit.Action()));
        Assert.Equal(entry.DecisionId, (string?)exit["positionBefore"]!["openingDecisionId"]);
        Assert.Equal(10, exit["closedTrade"]!["returnPct"].Number(), 6);
    }
}
