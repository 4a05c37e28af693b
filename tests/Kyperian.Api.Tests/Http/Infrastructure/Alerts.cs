using System.Globalization;
using System.Text.Json.Nodes;

namespace Kyperian.Api.Tests.Http.Infrastructure;

/// <summary>Alert bodies as TradingView sends them.</summary>
public static class Alerts
{
    /// <summary>A strategy alert: symbol, action, interval, price, confidence and the passphrase; time and id when given.</summary>
    public static JsonObject Alert(
        string symbol,
        string action = "buy",
        string timeframe = "15",
        decimal price = 101.25m,
        int? confidence = 80,
        DateTimeOffset? time = null,
        string? id = null,
        bool withPassphrase = true)
    {
        var alert = new JsonObject
        {
            ["symbol"] = symbol,
            ["action"] = action,
            ["timeframe"] = timeframe,
            ["price"] = price,
        };
        if (confidence is { } c)
        {
            alert["confidence"] = c;
        }

        if (time is { } t)
        {
            alert["time"] = TimeNow(t);
        }

        if (id is not null)
        {
            alert["id"] = id;
        }

        if (withPassphrase)
        {
            alert["passphrase"] = KyperianFactory.Passphrase;
        }

        return alert;
    }

    /// <summary>TradingView's <c>{{timenow}}</c>: yyyy-MM-ddTHH:mm:ssZ.</summary>
    public static string TimeNow(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
