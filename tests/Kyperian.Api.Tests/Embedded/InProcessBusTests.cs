using System.Net;
using Kyperian.Api.Tests.Http.Infrastructure;

namespace Kyperian.Api.Tests.Embedded;

/// <summary>The in-process bus keeps deciding after a backend outage that filled it.</summary>
public sealed class InProcessBusTests
{
    /// <summary>
    /// The reproduction of a liveness bug: a consumer that gave a signal back waited for room on the full channel it is
    /// the only reader of, so with the store down and the channel full every consumer blocked for good and nothing was
    /// decided after the store came back.
    /// </summary>
    [Fact]
    public async Task A_full_bus_with_the_store_down_decides_everything_once_the_store_is_back()
    {
        var switches = new BackendSwitches { StoreDown = true };
        await using var app = new KyperianFactory(
            new Dictionary<string, string?>
            {
                ["Kyperian:Embedded:Bus:ChannelCapacity"] = "8",
                ["Kyperian:Embedded:Bus:PublishTimeoutMs"] = "50",
                ["Kyperian:Embedded:Bus:MaxDeliveryAttempts"] = "2",
                ["Kyperian:Worker:Concurrency"] = "2",
            },
            switches.AddTo);
        var client = app.CreateClient();
        var operatorClient = app.CreateOperatorClient();

        // With the store down the bus is the only taker. A burst fills it while the consumers fail: the old bus's
        // consumers then waited, inside their delivery, for room on the full channel, and never read it again.
        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
        {
            using var response = await client.PostAlertAsync(Alerts.Alert("FULLBUS" + (i % 3), id: "full-bus-" + i, time: DateTimeOffset.UtcNow));
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                return (string?)(await response.ExpectAsync(HttpStatusCode.Accepted))["signalId"];
            }

            // Full, and the store down: refused, so TradingView resends it.
            await response.ExpectProblemAsync(HttpStatusCode.ServiceUnavailable);
            return null;
        }));
        var accepted = answers.OfType<string>().ToList();
        Assert.True(accepted.Count >= 8, $"only {accepted.Count} alerts were accepted");

        await HttpHelpers.EventuallyAsync(
            async () => await BusStatusAsync(operatorClient) == "Degraded" ? "degraded" : null,
            "the bus reporting signals that keep failing",
            TimeSpan.FromSeconds(30));

        switches.StoreDown = false;
        foreach (var signalId in accepted)
        {
            await HttpHelpers.EventuallyAsync(
                async () =>
                {
                    using var response = await operatorClient.GetAsync($"/decisions/{signalId}");
                    return response.StatusCode == HttpStatusCode.OK ? await response.JsonAsync() : null;
                },
                $"a decision for {signalId}",
                TimeSpan.FromSeconds(30));
        }

        // Each struggling signal stops counting once it is decided: the bus is healthy again.
        await HttpHelpers.EventuallyAsync(
            async () => await BusStatusAsync(operatorClient) == "Healthy" ? "healthy" : null,
            "the bus healthy again",
            TimeSpan.FromSeconds(30));

        // And it goes on deciding new signals.
        var after = await client.AcceptAsync(Alerts.Alert("FULLBUS0", id: "full-bus-after", time: DateTimeOffset.UtcNow));
        await operatorClient.DecisionAsync(after);
    }

    private static async Task<string?> BusStatusAsync(HttpClient operatorClient)
    {
        using var response = await operatorClient.GetAsync("/health");
        var health = await response.JsonAsync();
        return (string?)health["checks"]?["bus"]?["status"];
    }
}
