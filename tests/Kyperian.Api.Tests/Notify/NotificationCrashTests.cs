using System.Net;
using Kyperian.Api.Tests.Http.Infrastructure;
using Kyperian.Api.Tests.Servers;

namespace Kyperian.Api.Tests.Notify;

/// <summary>
/// The app as a user runs it (a real child process on a database file), killed with SIGKILL between deciding and
/// delivering, started again on the same file: the delivery goes out after the restart, with the same delivery id.
/// </summary>
public sealed class NotificationCrashTests : IAsyncLifetime
{
    private const string OperatorKey = "notify-crash-operator-key-0123456789";
    private const string Secret = "whsec-crash-test-0123456789abcdef";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "kyperian-notify-crash-" + Guid.NewGuid().ToString("N"));
    private readonly WebhookReceiver _receiver = new(Secret);

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        await _receiver.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Killed_between_decision_and_delivery_the_app_delivers_after_its_restart()
    {
        // The receiver takes the first attempt and never answers: the app dies with the delivery in flight.
        _receiver.Hang = true;
        var first = new KyperianProcess(Path.Combine(_folder, "kyperian.db"), OperatorKey, OneWebhook(_receiver.Url));
        string signalId;
        try
        {
            await first.StartAsync();
            using var client = first.Client();
            signalId = await client.AcceptAsync(Alerts.Alert("CRASHNOTIFY", "buy", "15", 7m, 80, DateTimeOffset.UtcNow, "notify-crash-1"));
            using var operatorClient = first.Operator();
            await operatorClient.DecisionAsync(signalId);
            await HttpHelpers.EventuallyAsync(() => Task.FromResult(_receiver.Requests.IsEmpty ? null : "in flight"), "the first attempt", TimeSpan.FromSeconds(30));
        }
        finally
        {
            await first.StopAsync();
        }

        _receiver.Hang = false;
        var second = new KyperianProcess(Path.Combine(_folder, "kyperian.db"), OperatorKey, OneWebhook(_receiver.Url));
        try
        {
            await second.StartAsync();
            await HttpHelpers.EventuallyAsync(() => Task.FromResult(_receiver.Accepted.IsEmpty ? null : "delivered"), "the delivery after the restart", TimeSpan.FromSeconds(60));

            var delivered = Assert.Single(_receiver.Accepted);
            Assert.Equal(_receiver.Requests.First().Header("X-Kyperian-Delivery"), delivered.Header("X-Kyperian-Delivery"));
            Assert.Contains(signalId.Replace("sig_", "dec_", StringComparison.Ordinal), delivered.Text, StringComparison.Ordinal);

            using var operatorClient = second.Operator();
            var sent = await HttpHelpers.EventuallyAsync(
                async () =>
                {
                    using var response = await operatorClient.GetAsync("/notifications?status=sent");
                    return (await response.ExpectAsync(HttpStatusCode.OK)).AsArray().SingleOrDefault();
                },
                "the delivery recorded as sent",
                TimeSpan.FromSeconds(30));
            Assert.Equal(delivered.Header("X-Kyperian-Delivery") + ".webhook-0", (string?)sent["id"]);
        }
        finally
        {
            await second.StopAsync();
        }
    }

    /// <summary>Role all, one signed webhook destination.</summary>
    private static Dictionary<string, string> OneWebhook(string receiverUrl) => new()
    {
        ["Kyperian__Notify__Events"] = "decision.execute,decision.veto",
        ["Kyperian__Notify__Webhooks__0__Url"] = receiverUrl + "/kyperian",
        ["Kyperian__Notify__Webhooks__0__Secret"] = Secret,

        // A claim that outlives its process by little: the restarted app takes the delivery over soon.
        ["Kyperian__Notify__AttemptTimeoutMs"] = "3000",
        ["Kyperian__Notify__LeaseSeconds"] = "4",
    };
}
