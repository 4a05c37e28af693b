using System.Text.Json;
using Kyperian.Api.Infrastructure.Aws;
using Kyperian.Api.Infrastructure.Bus;
using Kyperian.Api.Infrastructure.EventBridge;
using Kyperian.Api.Tests.Servers;
using Kyperian.Domain.Ports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Kyperian.Api.Tests.Adapters;

/// <summary>The signed PutEvents client and the bus over it, against the loopback protocol server.</summary>
public sealed class EventBridgeBusTests : IAsyncLifetime
{
    private readonly AwsProtocolServer _aws = new();
    private ServiceProvider _services = null!;

    private EventBridgeEventBus Bus => _services.GetRequiredService<EventBridgeEventBus>();

    public async Task InitializeAsync()
    {
        await _aws.InitializeAsync();
        _services = AdapterTestHost.Build(
            new Dictionary<string, string?>
            {
                ["Kyperian:EventBridge:ServiceUrl"] = _aws.Url,
                ["Kyperian:EventBridge:Region"] = SigV4Verifier.Region,
                ["Kyperian:EventBridge:BusName"] = "kyperian-test",
                ["Kyperian:EventBridge:EntryRetryDelayMs"] = "5",
            },
            (s, c) => s.AddEventBridgeBus(c));
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _aws.DisposeAsync();
    }

    [Fact]
    public async Task A_signal_goes_out_signed_as_Signal_Validated_with_camelCase_detail()
    {
        var signal = TestData.Signal(alertTime: DateTimeOffset.Parse("2025-03-01T12:15:00Z"));
        await _services.GetRequiredService<IEventBus>().PublishSignalAsync(signal, default);

        Assert.Empty(_aws.SignatureFailures);
        var entry = Assert.Single(_aws.EventBridge.Entries);
        Assert.Equal("kyperian.webhook", entry["Source"]!.GetValue<string>());
        Assert.Equal("Signal Validated", entry["DetailType"]!.GetValue<string>());
        Assert.Equal("kyperian-test", entry["EventBusName"]!.GetValue<string>());

        var detail = entry["Detail"]!.GetValue<string>();
        using var json = JsonDocument.Parse(detail);
        Assert.Equal(signal.SignalId, json.RootElement.GetProperty("signalId").GetString());
        Assert.Equal("15m", json.RootElement.GetProperty("timeframe").GetString());
        Assert.Equal("Buy", json.RootElement.GetProperty("action").GetString());
        Assert.Equal(signal, JsonSerializer.Deserialize(detail, BusJsonContext.Default.Signal));
    }

    [Fact]
    public async Task A_decision_goes_out_as_Decision_Made()
    {
        var decision = TestData.Decision(TestData.Signal());
        await _services.GetRequiredService<IEventBus>().PublishDecisionAsync(decision, default);

        var entry = Assert.Single(_aws.EventBridge.Entries);
        Assert.Equal("kyperian.engine", entry["Source"]!.GetValue<string>());
        Assert.Equal("Decision Made", entry["DetailType"]!.GetValue<string>());
        using var json = JsonDocument.Parse(entry["Detail"]!.GetValue<string>());
        Assert.Equal("VETO", json.RootElement.GetProperty("verdict").GetString());
        Assert.Equal("LOW_CONFIDENCE", json.RootElement.GetProperty("reasons")[0].GetString());
        Assert.Empty(_aws.SignatureFailures);
    }

    [Fact]
    public async Task Batches_hold_at_most_ten_entries_and_256_KiB()
    {
        var signals = Enumerable.Range(0, 25).Select(_ => TestData.Signal()).ToList();
        await Bus.PublishAsync([.. signals.Select(Bus.SignalEntry)], default);
        Assert.Equal(3, _aws.EventBridge.PutEventsCalls);
        Assert.Equal(25, _aws.EventBridge.Entries.Count);

        var big = Enumerable.Range(0, 5).Select(_ => TestData.Signal() with { Comment = new string('x', 100 * 1024) }).ToList();
        var batches = EventBridgeEventBus.Batches([.. big.Select(Bus.SignalEntry)]).ToList();
        Assert.Equal([2, 2, 1], batches.Select(b => b.Count));
        Assert.All(batches, b => Assert.True(b.Sum(e => e.Size) <= 256 * 1024));

        await Bus.PublishAsync([.. big.Select(Bus.SignalEntry)], default);
        Assert.Equal(6, _aws.EventBridge.PutEventsCalls);
        Assert.Empty(_aws.SignatureFailures);
    }

    [Fact]
    public async Task Half_the_entries_failing_retryably_are_the_only_ones_resent()
    {
        // Every other entry fails on its first arrival, alternately InternalFailure and ThrottlingException.
        var signals = Enumerable.Range(0, 40).Select(_ => TestData.Signal()).ToList();
        var failing = signals.Where((_, i) => i % 2 == 1).Select(s => s.SignalId).ToHashSet();
        var throttled = 0;
        _aws.EventBridge.FailEntry = (detail, attempt) =>
        {
            var id = JsonDocument.Parse(detail).RootElement.GetProperty("signalId").GetString()!;
            return attempt == 1 && failing.Contains(id)
                ? Interlocked.Increment(ref throttled) % 2 == 0 ? "ThrottlingException" : "InternalFailure"
                : null;
        };

        await Bus.PublishAsync([.. signals.Select(Bus.SignalEntry)], default);

        Assert.Equal(60, _aws.EventBridge.Entries.Count);
        foreach (var signal in signals)
        {
            var detail = JsonSerializer.Serialize(signal, BusJsonContext.Default.Signal);
            Assert.Equal(failing.Contains(signal.SignalId) ? 2 : 1, _aws.EventBridge.AttemptsOf(detail));
        }

        Assert.Empty(_aws.SignatureFailures);
    }

    [Fact]
    public async Task Entries_failing_for_good_are_not_resent_and_are_reported()
    {
        var signals = Enumerable.Range(0, 4).Select(_ => TestData.Signal()).ToList();
        var bad = JsonSerializer.Serialize(signals[2], BusJsonContext.Default.Signal);
        _aws.EventBridge.FailEntry = (detail, _) => detail == bad ? "MalformedDetail" : null;

        var error = await Assert.ThrowsAsync<EventBridgePublishException>(() => Bus.PublishAsync([.. signals.Select(Bus.SignalEntry)], default));
        var failed = Assert.Single(error.Failed);
        Assert.Equal("MalformedDetail", failed.ErrorCode);
        Assert.Equal(bad, failed.Entry.Detail);
        Assert.Equal(4, _aws.EventBridge.Entries.Count);
    }

    [Fact]
    public async Task A_throttled_entry_that_keeps_failing_gives_up_after_the_configured_rounds()
    {
        _aws.EventBridge.FailEntry = (_, _) => "ThrottlingException";
        var error = await Assert.ThrowsAsync<EventBridgePublishException>(() => Bus.PublishSignalAsync(TestData.Signal(), default));
        Assert.Equal("ThrottlingException", Assert.Single(error.Failed).ErrorCode);
        Assert.Equal(4, _aws.EventBridge.Entries.Count);
    }

    [Fact]
    public async Task A_call_failing_as_a_whole_is_retried_by_the_pipeline()
    {
        _aws.EventBridge.FailNextCalls(2);
        await Bus.PublishSignalAsync(TestData.Signal(), default);
        Assert.Equal(3, _aws.EventBridge.PutEventsCalls);
        Assert.Single(_aws.EventBridge.Entries);
    }

    [Fact]
    public async Task A_request_signed_with_the_wrong_secret_is_refused()
    {
        var wrong = new SignedEventBridgeClient(
            Microsoft.Extensions.Options.Options.Create(new EventBridgeOptions { ServiceUrl = _aws.Url, Region = SigV4Verifier.Region }),
            new AwsCredentialsSource(new Amazon.Runtime.BasicAWSCredentials(SigV4Verifier.AccessKey, "not-the-secret")));
        var error = await Assert.ThrowsAsync<Kyperian.Api.Infrastructure.Resilience.AwsHttpException>(
            () => wrong.PutEventsAsync([Bus.SignalEntry(TestData.Signal())], default));
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, error.StatusCode);
        Assert.Equal("SignatureDoesNotMatch", error.ErrorCode);
        Assert.False(error.IsTransient);
        Assert.Contains("signature does not match", Assert.Single(_aws.SignatureFailures), StringComparison.Ordinal);
        Assert.Empty(_aws.EventBridge.Entries);
    }

    [Fact]
    public async Task Health_check_describes_the_bus_with_latency()
    {
        var check = ActivatorUtilities.CreateInstance<EventBridgeHealthCheck>(_services);
        var result = await check.CheckHealthAsync(new HealthCheckContext
        {
            Registration = new HealthCheckRegistration("bus", check, HealthStatus.Unhealthy, null),
        });
        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Matches(@", \d+\.\d ms$", result.Description);
        Assert.Contains("AWSEvents.DescribeEventBus", _aws.Calls);
        Assert.Empty(_aws.SignatureFailures);
    }
}
