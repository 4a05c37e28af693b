using Kyperian.Domain.Signals;

namespace Kyperian.Domain.Tests;

public class TimeframeTests
{
    [Theory]
    [InlineData("15", 900)]
    [InlineData("1D", 86400)]
    [InlineData("30S", 30)]
    public void Parses_tradingview_intervals(string raw, int seconds) =>
        Assert.Equal(seconds, Timeframe.Parse(raw).Seconds);
}
