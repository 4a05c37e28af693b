using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Kyperian.Api.Tests.Http.Infrastructure;
using Kyperian.Api.Tests.Servers;

namespace Kyperian.Api.Tests.Embedded;

/// <summary>
/// The app as a user runs it (a real child process, Development, the embedded default on a database file), killed
/// with SIGKILL part way through and started again on the same file: nothing it acknowledged is lost.
/// </summary>
public sealed class CrashSafetyTests : IAsyncLifetime
{
    private const string OperatorKey = "crash-test-operator-key-0123456789";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "kyperian-crash-" + Guid.NewGuid().ToString("N"));

    private string DatabasePath => Path.Combine(_folder, "kyperian.db");

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task After_kill_9_every_accepted_signal_is_there_and_decided_once_and_halt_pnl_state_positions_settings_and_dedupe_hold()
    {
        var now = DateTimeOffset.UtcNow;
        var accepted = new List<string>();
        JsonObject windowed;
        JsonObject identified;
        var first = new KyperianProcess(DatabasePath, OperatorKey, SweepSoon);
        try
        {
            await first.StartAsync();
            var client = first.Client();

            // Timeframe state before the crash: a 4h long on MTFCRASH.
            accepted.Add(await client.AcceptAsync(Alerts.Alert("MTFCRASH", "buy", "240", 50m, 90, now.AddMinutes(-1), "crash-4h")));
            identified = Alerts.Alert("IDCRASH", "buy", "15", 10m, 80, now, "crash-identified");
            accepted.Add(await client.AcceptAsync(identified));
            windowed = Alerts.Alert("WINCRASH", "sell", "5", 12.5m, 80);
            accepted.Add(await client.AcceptAsync(windowed));
            foreach (var id in accepted)
            {
                await first.Operator().DecisionAsync(id);
            }

            // A model position and a run-time setting before the crash: a 4h and a 15m buy open a long on POSCRASH.
            await first.Operator().DecisionAsync(await client.AcceptAsync(Alerts.Alert("POSCRASH", "buy", "240", 200m, 90, now.AddMinutes(-1), "pos-4h")));
            var opened = await first.Operator().DecisionAsync(await client.AcceptAsync(Alerts.Alert("POSCRASH", "buy", "15", 201m, 90, now, "pos-15m")));
            Assert.Equal("EXECUTE", (string?)opened["verdict"]);
            using (var settings = await first.Operator().PutAsJsonAsync("/settings/engine", new { cooldownSeconds = 30 }))
            {
                await settings.ExpectAsync(HttpStatusCode.OK);
            }

            using (var pnl = await first.Operator().PostAsJsonAsync("/risk/pnl", new { pnlPct = -1.5, note = "before the crash" }))
            {
                await pnl.ExpectAsync(HttpStatusCode.OK);
            }

            using (var halt = await first.Operator().PostAsJsonAsync("/risk/halt", new { reason = "crash test" }))
            {
                await halt.ExpectAsync(HttpStatusCode.OK);
            }

            // A burst, and SIGKILL the moment its last answer is in: some of it is not decided yet.
            var burst = await Task.WhenAll(Enumerable.Range(0, 300).Select(i =>
                client.AcceptAsync(Alerts.Alert("BURST" + (i % 12), i % 2 == 0 ? "buy" : "sell", "15", 100m + i, 80, now, "burst-" + i))));
            accepted.AddRange(burst);
        }
        finally
        {
            await first.StopAsync();
        }

        var second = new KyperianProcess(DatabasePath, OperatorKey, SweepSoon);
        try
        {
            await second.StartAsync();
            await CheckAfterRestartAsync(second, accepted, identified, windowed);
        }
        finally
        {
            await second.StopAsync();
        }
    }

    private static async Task CheckAfterRestartAsync(KyperianProcess second, List<string> accepted, JsonObject identified, JsonObject windowed)
    {
        var operatorClient = second.Operator();

        // Every accepted signal is stored, and is decided once (after the restart for those that were not yet).
        foreach (var id in accepted)
        {
            using var signal = await operatorClient.GetAsync($"/signals/{id}");
            await signal.ExpectAsync(HttpStatusCode.OK);
        }

        var decisions = new Dictionary<string, JsonNode>(StringComparer.Ordinal);
        foreach (var id in accepted)
        {
            decisions[id] = await HttpHelpers.EventuallyAsync(
                async () =>
                {
                    using var response = await operatorClient.GetAsync($"/decisions/{id}");
                    return response.StatusCode == HttpStatusCode.OK ? await response.JsonAsync() : null;
                },
                $"a decision for {id}",
                TimeSpan.FromSeconds(60));
            Assert.Equal(id, (string?)decisions[id]["signalId"]);
        }

        for (var symbol = 0; symbol < 12; symbol++)
        {
            using var listed = await operatorClient.GetAsync($"/decisions?symbol=BURST{symbol}&limit=200");
            var ids = (await listed.ExpectAsync(HttpStatusCode.OK))["decisions"]!.AsArray().Select(d => (string)d!["decisionId"]!).ToList();
            Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
            Assert.Equal(25, ids.Count);
        }

        // The halt and the P&L are as they were: a new entry is vetoed by the kill switch.
        using (var risk = await operatorClient.GetAsync("/risk"))
        {
            var view = await risk.ExpectAsync(HttpStatusCode.OK);
            Assert.True((bool)view["halted"]!);
            Assert.Equal("crash test", (string?)view["haltReason"]);
            Assert.Equal(-1.5, (double)view["realizedPnlTodayPct"]!, 9);
        }

        // The timeframe state too: a 15m long on MTFCRASH is weighed with the 4h long from before the crash.
        var client2 = second.Client();
        var entry = await client2.AcceptAsync(Alerts.Alert("MTFCRASH", "buy", "15", 51m, 90, DateTimeOffset.UtcNow, "crash-15m"));
        var decision = await operatorClient.DecisionAsync(entry);
        Assert.Contains("KILL_SWITCH", decision["reasons"].Strings());
        Assert.Contains(decision["inputs"]!.AsArray(), i => (string?)i!["signalId"] == accepted[0]);

        // The position and the run-time settings are as they were; an exit closes the long through the halt.
        using (var position = await operatorClient.GetAsync("/positions/POSCRASH"))
        {
            var view = await position.ExpectAsync(HttpStatusCode.OK);
            Assert.Equal("Long", (string?)view["position"]!["side"]);
            Assert.Equal(201m, (decimal)view["position"]!["entryPrice"]!);
        }

        using (var settings = await operatorClient.GetAsync("/settings"))
        {
            var view = await settings.ExpectAsync(HttpStatusCode.OK);
            Assert.Equal(1, (long)view["version"]!);
            Assert.Equal(30, (int)view["engine"]!["cooldownSeconds"]!);
        }

        var exit = await operatorClient.DecisionAsync(await client2.AcceptAsync(Alerts.Alert("POSCRASH", "close", "15", 205m, 90, DateTimeOffset.UtcNow, "pos-exit")));
        Assert.Equal("EXECUTE", (string?)exit["verdict"]);
        Assert.Equal(201m, (decimal)exit["closedTrade"]!["entryPrice"]!);
        using (var audit = await operatorClient.GetAsync("/audit"))
        {
            var kinds = (await audit.ExpectAsync(HttpStatusCode.OK)).AsArray().Select(a => (string)a!["kind"]!).ToList();
            Assert.Equal(["halt", "pnlReport", "settingsChange"], kinds);
        }

        // A resend of an alert accepted before the crash is still a duplicate, with or without its own id.
        foreach (var resend in new[] { identified, windowed })
        {
            using var duplicate = await client2.PostAlertAsync(resend);
            var body = await duplicate.ExpectAsync(HttpStatusCode.OK);
            Assert.Equal("duplicate", (string?)body["status"]);
        }
    }

    // Sweeps every second, so signals left undecided by the crash are taken up soon after the restart.
    private static readonly Dictionary<string, string> SweepSoon = new()
    {
        ["Kyperian__Worker__SweepIntervalSeconds"] = "1",
        ["Kyperian__Worker__RepublishAfterSeconds"] = "1",
    };
}
