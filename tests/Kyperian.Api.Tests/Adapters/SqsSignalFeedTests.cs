using System.Text.Json;
using System.Text.Json.Nodes;
using Kyperian.Api.Endpoints.Contracts;
using Kyperian.Api.Infrastructure.Sqs;
using Kyperian.Api.Tests.Servers;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Signals;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;

namespace Kyperian.Api.Tests.Adapters;

/// <summary>The engine's SQS feed (AWSSDK.SQS, AWS JSON 1.0) against the loopback protocol server's queue.</summary>
public sealed class SqsSignalFeedTests : IAsyncLifetime
{
    private readonly AwsProtocolServer _aws = new();
    private readonly CancellationTokenSource _stop = new(TimeSpan.FromSeconds(30));
    private ServiceProvider _services = null!;
    private IAsyncEnumerator<SignalDelivery>? _reader;

    private string QueueUrl => _aws.Url + "/123456789012/kyperian-test-signals";

    public async Task InitializeAsync()
    {
        await _aws.InitializeAsync();
        Build(new Dictionary<string, string?>());
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_reader is not null)
        {
            await _reader.DisposeAsync();
        }

        await _services.DisposeAsync();
        await _aws.DisposeAsync();
    }

    private void Build(Dictionary<string, string?> extra, TimeProvider? time = null)
    {
        _services = AdapterTestHost.Build(
            new Dictionary<string, string?>
            {
                ["Kyperian:Sqs:ServiceUrl"] = _aws.Url,
                ["Kyperian:Sqs:Region"] = SigV4Verifier.Region,
                ["Kyperian:Sqs:QueueUrl"] = QueueUrl,
                ["Kyperian:Sqs:AbandonDelaySeconds"] = "0",
            }.With(extra),
            (s, c) =>
            {
                if (time is not null)
                {
                    s.AddSingleton(time);
                }

                s.AddSqsSignalFeed(c);
            });
    }

    /// <summary>The envelope an EventBridge rule delivers to SQS, as the EventBridge documentation shows it.</summary>
    private static string Envelope(Signal signal, string detailType = "Signal Validated", string source = "kyperian.webhook") =>
        new JsonObject
        {
            ["version"] = "0",
            ["id"] = Guid.NewGuid().ToString(),
            ["detail-type"] = detailType,
            ["source"] = source,
            ["account"] = "123456789012",
            ["time"] = "2025-03-01T12:15:01Z",
            ["region"] = "us-east-1",
            ["resources"] = new JsonArray(),
            ["detail"] = JsonNode.Parse(JsonSerializer.Serialize(signal, ApiJsonContext.Default.Signal)),
        }.ToJsonString();

    private async Task<SignalDelivery> NextAsync(TimeSpan? within = null)
    {
        _reader ??= _services.GetRequiredService<ISignalFeed>().ReadAllAsync(_stop.Token).GetAsyncEnumerator();
        var next = _reader.MoveNextAsync().AsTask();
        var done = await Task.WhenAny(next, Task.Delay(within ?? TimeSpan.FromSeconds(5)));
        Assert.True(done == next, "no delivery in time");
        Assert.True(await next);
        return _reader.Current;
    }

    private async Task<bool> DeliversWithinAsync(TimeSpan within, Task<bool> pending) =>
        await Task.WhenAny(pending, Task.Delay(within)) == pending;

    [Fact]
    public async Task An_unpriced_signal_crosses_the_bus_whole()
    {
        // Many bridges trade at market and send no price: the bus contract must carry "no price" both ways.
        var signal = TestData.Signal() with { Price = null, PriceSource = PriceSource.None };
        _aws.Sqs.Send(Envelope(signal));

        var delivery = await NextAsync();

        Assert.Equal(signal, delivery.Signal);
        await delivery.CompleteAsync(default);
    }

    [Fact]
    public async Task Long_polls_reads_the_envelope_and_deletes_only_on_complete()
    {
        var signal = TestData.Signal(alertTime: DateTimeOffset.Parse("2025-03-01T12:15:00Z"));
        var messageId = _aws.Sqs.Send(Envelope(signal));

        var delivery = await NextAsync();
        Assert.Equal(signal, delivery.Signal);
        Assert.Equal(1, delivery.Attempt);
        Assert.Empty(_aws.Sqs.Deleted);

        await delivery.CompleteAsync(default);
        Assert.Equal(messageId, Assert.Single(_aws.Sqs.Deleted));
        Assert.Equal(0, _aws.Sqs.Count);

        var receive = _aws.Sqs.ReceiveRequests.First();
        Assert.Equal(20, receive["WaitTimeSeconds"]!.GetValue<int>());
        Assert.Equal(10, receive["MaxNumberOfMessages"]!.GetValue<int>());
        Assert.Equal(QueueUrl, receive["QueueUrl"]!.GetValue<string>());
        Assert.Contains("AmazonSQS.ReceiveMessage", _aws.Calls);
        Assert.Contains("AmazonSQS.DeleteMessage", _aws.Calls);
        Assert.Empty(_aws.SignatureFailures);
    }

    [Fact]
    public async Task An_abandoned_message_comes_back_with_its_attempt_counted()
    {
        var signal = TestData.Signal();
        _aws.Sqs.Send(Envelope(signal));

        var first = await NextAsync();
        await first.AbandonAsync(default);
        Assert.Contains(_aws.Sqs.VisibilityChanges, c => c.Seconds == 0);

        var second = await NextAsync();
        Assert.Equal(signal.SignalId, second.Signal.SignalId);
        Assert.Equal(2, second.Attempt);
        await second.CompleteAsync(default);
        await second.CompleteAsync(default);
        Assert.Single(_aws.Sqs.Deleted);
    }

    [Fact]
    public async Task Poison_messages_are_never_deleted_and_reach_the_dead_letter_queue()
    {
        await DisposeServicesAsync();
        Build(new Dictionary<string, string?> { ["Kyperian:Sqs:VisibilityTimeoutSeconds"] = "1" });
        _aws.Sqs.MaxReceiveCount = 2;
        var poison = new[]
        {
            _aws.Sqs.Send("not json at all"),
            _aws.Sqs.Send("""{"version":"0","detail-type":"Signal Validated","source":"kyperian.webhook","detail":{"signalId":"sig_x"}}"""),
            _aws.Sqs.Send(Envelope(TestData.Signal(), detailType: "Decision Made", source: "kyperian.engine")),
        };
        var good = TestData.Signal();
        _aws.Sqs.Send(Envelope(good));

        var delivery = await NextAsync();
        Assert.Equal(good.SignalId, delivery.Signal.SignalId);
        await delivery.CompleteAsync(default);

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (_aws.Sqs.DeadLetters.Count < poison.Length && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Equal(poison.Order(), _aws.Sqs.DeadLetters.Order());
        Assert.DoesNotContain(_aws.Sqs.Deleted, poison.Contains);
    }

    [Fact]
    public async Task Slow_work_keeps_its_message_invisible_by_extending_visibility()
    {
        await DisposeServicesAsync();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        Build(new Dictionary<string, string?> { ["Kyperian:Sqs:VisibilityTimeoutSeconds"] = "4" }, clock);
        var signal = TestData.Signal();
        _aws.Sqs.Send(Envelope(signal));

        var delivery = await NextAsync();
        Assert.Empty(_aws.Sqs.VisibilityChanges);

        // Five seconds of work on the feed's clock: the renewal runs before the 4 s visibility lapses.
        bool Renewed() => _aws.Sqs.VisibilityChanges.Any(c => c.Seconds == 4);
        for (var second = 0; second < 5 && !Renewed(); second++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (!Renewed() && waited.Elapsed < TimeSpan.FromMilliseconds(500))
            {
                await Task.Delay(10);
            }
        }

        Assert.Contains(_aws.Sqs.VisibilityChanges, c => c.Seconds == 4);

        // Not redelivered meanwhile: nothing else arrives.
        var next = _reader!.MoveNextAsync().AsTask();
        Assert.False(await DeliversWithinAsync(TimeSpan.FromMilliseconds(300), next));
        await delivery.CompleteAsync(default);
        Assert.Single(_aws.Sqs.Deleted);
        _aws.Sqs.Send(Envelope(TestData.Signal()));
        Assert.True(await DeliversWithinAsync(TimeSpan.FromSeconds(5), next));
        Assert.NotEqual(signal.SignalId, _reader.Current.Signal.SignalId);
    }

    [Fact]
    public async Task At_most_MaxInFlight_messages_are_in_hand()
    {
        await DisposeServicesAsync();
        Build(new Dictionary<string, string?> { ["Kyperian:Sqs:MaxInFlight"] = "3" });
        for (var i = 0; i < 10; i++)
        {
            _aws.Sqs.Send(Envelope(TestData.Signal()));
        }

        var held = new List<SignalDelivery> { await NextAsync(), await NextAsync(), await NextAsync() };
        var fourth = _reader!.MoveNextAsync().AsTask();
        Assert.False(await DeliversWithinAsync(TimeSpan.FromMilliseconds(800), fourth));
        Assert.All(_aws.Sqs.ReceiveRequests, r => Assert.True(r["MaxNumberOfMessages"]!.GetValue<int>() <= 3));

        await held[0].CompleteAsync(default);
        Assert.True(await DeliversWithinAsync(TimeSpan.FromSeconds(5), fourth));

        // Three in hand again (two held, the fourth): no fifth until one more completes.
        var fifth = _reader.MoveNextAsync().AsTask();
        Assert.False(await DeliversWithinAsync(TimeSpan.FromMilliseconds(500), fifth));
        await held[1].CompleteAsync(default);
        Assert.True(await DeliversWithinAsync(TimeSpan.FromSeconds(5), fifth));
    }

    [Fact]
    public async Task Health_check_reports_backlog_and_latency()
    {
        _aws.Sqs.Send(Envelope(TestData.Signal()));
        var check = ActivatorUtilities.CreateInstance<SqsHealthCheck>(_services);
        var result = await check.CheckHealthAsync(new HealthCheckContext
        {
            Registration = new HealthCheckRegistration("queue", check, HealthStatus.Unhealthy, null),
        });
        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Matches(@"^backlog 1, \d+\.\d ms$", result.Description);
    }

    private async Task DisposeServicesAsync()
    {
        if (_reader is not null)
        {
            await _reader.DisposeAsync();
            _reader = null;
        }

        await _services.DisposeAsync();
    }
}
