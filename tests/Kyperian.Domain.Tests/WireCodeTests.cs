using System.Text.Json;
using Kyperian.Domain.Decisions;

namespace Kyperian.Domain.Tests;

/// <summary>A verdict or veto reason is spelled one way everywhere: its code is what JSON writes and what parses back.</summary>
public sealed class WireCodeTests
{
    [Fact]
    public void Every_verdict_and_reason_code_is_its_json_and_parses_back()
    {
        foreach (var verdict in Enum.GetValues<Verdict>())
        {
            Assert.Equal(JsonSerializer.Serialize(verdict), $"\"{verdict.Code()}\"");
            Assert.True(DecisionCodes.TryParseVerdict(verdict.Code(), out var parsed));
            Assert.Equal(verdict, parsed);
        }

        foreach (var reason in Enum.GetValues<VetoReason>())
        {
            Assert.Equal(JsonSerializer.Serialize(reason), $"\"{reason.Code()}\"");
            Assert.True(DecisionCodes.TryParseReason(reason.Code(), out var parsed));
            Assert.Equal(reason, parsed);
        }

        Assert.Equal("EXECUTE", Verdict.Execute.Code());
        Assert.Equal("HTF_CONFLICT", VetoReason.HtfConflict.Code());
        Assert.False(DecisionCodes.TryParseVerdict("execute", out _));
        Assert.Equal(Verdict.Veto, JsonSerializer.Deserialize<Verdict>("\"VETO\""));
    }
}
