using System.Net;
using Kyperian.Api.Infrastructure.Embedded;
using Kyperian.Api.Tests.Http.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Kyperian.Api.Tests.Http;

/// <summary>
/// The fault rules over HTTP with the backends failing underneath (fault injection behind the real embedded store and
/// bus, not a stand-in for the webhook): 503 only when nothing took the signal, and nothing lost when one did.
/// </summary>
public sealed class BackendFaultTests
{
    [Fact]
    public async Task When_neither_store_nor_bus_takes_it_the_answer_is_503_nothing_is_kept_and_the_resend_is_welcome()
    {
        var switches = new BackendSwitches { StoreDown = true, BusDown = true };
        await using var app = new KyperianFactory(KyperianFactory.LoneAlertsDecide, services: switches.AddTo);
        var client = app.CreateClient();
        var alert = Alerts.Alert("DOWNUSDT", time: DateTimeOffset.UtcNow.AddSeconds(-1), id: "down-1");

        using (var unavailable = await client.PostAlertAsync(alert))
        {
            var problem = await unavailable.ExpectProblemAsync(HttpStatusCode.ServiceUnavailable);
            Assert.Null(problem["errors"]);
            var retryAfter = Assert.Single(unavailable.Headers.GetValues("Retry-After"));
            Assert.True(int.Parse(retryAfter, System.Globalization.CultureInfo.InvariantCulture) >= 1);
            Assert.DoesNotContain(KyperianFactory.Passphrase, problem.ToJsonString(), StringComparison.Ordinal);
        }

        // TradingView resends while the backends are still down: 503 again, not "duplicate".
        using (var stillDown = await client.PostAlertAsync(alert))
        {
            await stillDown.ExpectProblemAsync(HttpStatusCode.ServiceUnavailable);
        }

        switches.StoreDown = false;
        switches.BusDown = false;
        Assert.Equal(0, await app.Services.GetRequiredService<SqliteSignalStore>().CountAsync());
        Assert.Equal(0, await app.Services.GetRequiredService<SqliteDecisionStore>().CountAsync());
        using (var listed = await app.CreateOperatorClient().GetAsync("/signals?symbol=DOWNUSDT"))
        {
            Assert.Empty((await listed.ExpectAsync(HttpStatusCode.OK)).AsArray());
        }

        // The backends are back: the resend is accepted (the replay claim was released), stored and decided, once.
        var signalId = await client.AcceptAsync(alert);
        using (var duplicate = await client.PostAlertAsync(alert))
        {
            Assert.Equal(signalId, (string?)(await duplicate.ExpectAsync(HttpStatusCode.OK))["signalId"]);
        }

        var operatorClient = app.CreateOperatorClient();
        await operatorClient.DecisionAsync(signalId);
        Assert.Equal(1, await app.Services.GetRequiredService<SqliteSignalStore>().CountAsync());

        Assert.Contains(app.Logs.Lines, l => l.Message.Contains("Storing signal", StringComparison.Ordinal) && l.Exception is not null);
        Assert.All(app.Logs.Lines, l => Assert.DoesNotContain(KyperianFactory.Passphrase, l.Text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Operator_reads_while_the_store_is_down_are_503_with_retry_after_not_500()
    {
        var switches = new BackendSwitches();
        await using var app = new KyperianFactory(KyperianFactory.LoneAlertsDecide, services: switches.AddTo);
        var operatorClient = app.CreateOperatorClient();
        var signalId = await app.CreateClient().AcceptAsync(Alerts.Alert("READDOWNUSDT", id: "read-down-1"));

        switches.StoreDown = true;
        foreach (var path in new[] { $"/signals/{signalId}", "/signals?symbol=READDOWNUSDT" })
        {
            using var response = await operatorClient.GetAsync(path);
            await response.ExpectProblemAsync(HttpStatusCode.ServiceUnavailable);
            Assert.Single(response.Headers.GetValues("Retry-After"));
        }

        switches.StoreDown = false;
        using var back = await operatorClient.GetAsync($"/signals/{signalId}");
        await back.ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task When_the_store_is_down_but_the_bus_takes_it_the_answer_is_202_and_the_engine_stores_it_later()
    {
        var switches = new BackendSwitches { StoreDown = true };
        await using var app = new KyperianFactory(
            KyperianFactory.LoneAlertsDecideWith(new Dictionary<string, string?> { ["Kyperian:Worker:MaxDeliveryAttempts"] = "100" }),
            switches.AddTo);
        var client = app.CreateClient();
        var operatorClient = app.CreateOperatorClient();

        var signalId = await client.AcceptAsync(Alerts.Alert("STOREDOWNUSDT", id: "store-down-1"));
        Assert.Equal(0, await app.Services.GetRequiredService<SqliteSignalStore>().CountAsync());

        // The store recovers; the engine, redelivering the signal, writes it and decides it.
        switches.StoreDown = false;
        var stored = await HttpHelpers.EventuallyAsync(
            async () =>
            {
                using var response = await operatorClient.GetAsync($"/signals/{signalId}");
                return response.StatusCode == HttpStatusCode.OK ? await response.JsonAsync() : null;
            },
            $"signal {signalId} stored by the engine");
        Assert.Equal("STOREDOWNUSDT", (string?)stored["symbol"]);
        Assert.Equal("store-down-1", (string?)stored["alertId"]);

        var decision = await operatorClient.DecisionAsync(signalId);
        Assert.Equal("EXECUTE", (string?)decision["verdict"]);
        Assert.Equal(1, await app.Services.GetRequiredService<SqliteSignalStore>().CountAsync());
    }

    [Fact]
    public async Task When_the_bus_is_down_but_the_store_takes_it_the_answer_is_202_and_the_sweeper_republishes_it()
    {
        var switches = new BackendSwitches { BusDown = true };
        await using var app = new KyperianFactory(
            KyperianFactory.LoneAlertsDecideWith(new Dictionary<string, string?>
            {
                ["Kyperian:Worker:SweepIntervalSeconds"] = "1",
                ["Kyperian:Worker:RepublishAfterSeconds"] = "0",
            }),
            switches.AddTo);
        var client = app.CreateClient();
        var operatorClient = app.CreateOperatorClient();

        var signalId = await client.AcceptAsync(Alerts.Alert("BUSDOWNUSDT", id: "bus-down-1"));
        using (var stored = await operatorClient.GetAsync($"/signals/{signalId}"))
        {
            await stored.ExpectAsync(HttpStatusCode.OK);
        }

        // Stored Pending, undecided while the bus is down; decided once the sweeper can republish it.
        using (var none = await operatorClient.GetAsync($"/decisions/{signalId}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
        }

        switches.BusDown = false;
        var decision = await operatorClient.DecisionAsync(signalId);
        Assert.Equal(signalId, (string?)decision["signalId"]);
    }
}
