using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using Kyperian.Api.Application;
using Kyperian.Api.Application.Notifications;
using Kyperian.Api.Application.Observability;
using Kyperian.Api.Hosting;
using Kyperian.Api.Infrastructure.Emf;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Signals;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Kyperian.Deploy.Tests;

public sealed class EmfExporterTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 14, 30, 0, TimeSpan.Zero);

    private readonly ServiceProvider _services;
    private readonly StringWriter _output = new();
    private readonly EmfExporter _exporter;
    private readonly KyperianMetrics _metrics;

    public EmfExporterTests()
    {
        (_services, _exporter, _metrics) = Create(_output, "staging");
    }

    public void Dispose()
    {
        _exporter.Dispose();
        _services.Dispose();
    }

    [Fact]
    public void Counters_are_summed_per_series_in_one_EMF_line_each()
    {
        _metrics.SignalRejected(401);
        _metrics.SignalRejected(401);
        _metrics.SignalRejected(400);
        _metrics.SignalDuplicate();

        _exporter.Flush();

        var lines = Lines();
        Assert.Equal(3, lines.Count);
        var unauthorized = lines.Single(l => (string?)l["Status"] == "401");
        Assert.Equal(2, (double)unauthorized[MetricNames.SignalsRejected]!);
        Assert.Equal("staging", (string?)unauthorized["Environment"]);
        var directive = unauthorized["_aws"]!["CloudWatchMetrics"]![0]!;
        Assert.Equal("Kyperian", (string?)directive["Namespace"]);
        Assert.Equal("""[["Environment"],["Environment","Status"]]""", directive["Dimensions"]!.ToJsonString());
        Assert.Equal("""[{"Name":"SignalsRejected","Unit":"Count"}]""", directive["Metrics"]!.ToJsonString());
        Assert.Equal(Now.ToUnixTimeMilliseconds(), (long)unauthorized["_aws"]!["Timestamp"]!);

        var duplicate = lines.Single(l => l[MetricNames.SignalsDuplicate] is not null);
        Assert.Equal(1, (double)duplicate[MetricNames.SignalsDuplicate]!);
        Assert.Equal("""[["Environment"]]""", duplicate["_aws"]!["CloudWatchMetrics"]![0]!["Dimensions"]!.ToJsonString());
    }

    [Fact]
    public void Histograms_are_value_arrays_of_at_most_100_so_CloudWatch_computes_percentiles()
    {
        for (var i = 1; i <= 250; i++)
        {
            _metrics.ValidationTime(i);
        }

        _exporter.Flush();

        var lines = Lines();
        Assert.Equal(3, lines.Count);
        Assert.All(lines, l => Assert.True(l[MetricNames.ValidationTime]!.AsArray().Count <= EmfExporter.MaxValuesPerLine));
        var values = lines.SelectMany(l => l[MetricNames.ValidationTime]!.AsArray().Select(v => (double)v!)).Order().ToList();
        Assert.Equal(Enumerable.Range(1, 250).Select(i => (double)i), values);
        Assert.All(lines, l => Assert.Equal("Microseconds", (string?)l["_aws"]!["CloudWatchMetrics"]![0]!["Metrics"]![0]!["Unit"]));
    }

    [Fact]
    public void A_window_holds_at_most_MaxValuesPerFlush_values_sampled_from_all()
    {
        var output = new StringWriter();
        var (services, exporter, metrics) = Create(output, "dev", new EmfOptions { Emf = true, MaxValuesPerFlush = 50 });
        using (services)
        using (exporter)
        {
            for (var i = 0; i < 10_000; i++)
            {
                metrics.ValidationTime(i);
            }

            exporter.Flush();
        }

        var values = ParseLines(output.ToString()).SelectMany(l => l[MetricNames.ValidationTime]!.AsArray()).Select(v => (double)v!).ToList();
        Assert.Equal(50, values.Count);
        Assert.Equal(values.Count, values.Distinct().Count());
        Assert.Contains(values, v => v >= 5_000); // a uniform sample, not the first 50
    }

    [Fact]
    public void A_flush_resets_the_window_and_writes_nothing_when_nothing_happened()
    {
        _exporter.Flush();
        Assert.Empty(_output.ToString());

        _metrics.SignalDuplicate();
        _exporter.Flush();
        var first = Lines().Count;
        _exporter.Flush();

        Assert.Equal(1, first);
        Assert.Single(Lines());
    }

    [Fact]
    public void Every_line_is_one_JSON_object_of_the_EMF_specification()
    {
        DriveEveryInstrument(_metrics);

        _exporter.Flush();

        var raw = _output.ToString();
        Assert.EndsWith("\n", raw, StringComparison.Ordinal);
        foreach (var line in ParseLines(raw))
        {
            var aws = line["_aws"]!.AsObject();
            Assert.Equal(["Timestamp", "CloudWatchMetrics"], aws.Select(p => p.Key));
            var directive = Assert.Single(aws["CloudWatchMetrics"]!.AsArray())!.AsObject();
            Assert.Equal(MetricNames.Namespace, (string?)directive["Namespace"]);
            foreach (var set in directive["Dimensions"]!.AsArray())
            {
                Assert.InRange(set!.AsArray().Count, 1, 30);
                Assert.All(set.AsArray(), d => Assert.IsType<string>((string?)line[(string)d!]));
            }

            foreach (var metric in directive["Metrics"]!.AsArray())
            {
                var name = (string)metric!["Name"]!;
                Assert.NotNull(line[name]);
                Assert.Contains((string?)metric["Unit"], new[] { "Count", "Microseconds", "Milliseconds", "Percent", "None" });
            }
        }
    }

    [Fact]
    public void Only_this_containers_Kyperian_meter_is_exported()
    {
        using var other = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var foreign = new KyperianMetrics(other.GetRequiredService<IMeterFactory>());
        using var unrelated = _services.GetRequiredService<IMeterFactory>().Create("Something.Else");
        unrelated.CreateCounter<long>("Noise").Add(5);
        foreign.SignalDuplicate();

        _exporter.Flush();

        Assert.Empty(_output.ToString());
    }

    [Fact]
    public async Task Stopping_writes_the_last_window()
    {
        await _exporter.StartAsync(CancellationToken.None);
        _metrics.SignalDuplicate();

        await _exporter.StopAsync(CancellationToken.None);

        Assert.Single(Lines());
    }

    [Fact]
    public async Task The_timer_flushes_every_FlushSeconds()
    {
        var output = new StringWriter();
        var time = new FakeTimeProvider(Now);
        var (services, exporter, metrics) = Create(output, "dev", new EmfOptions { Emf = true, FlushSeconds = 10 }, time);
        using (services)
        using (exporter)
        {
            await exporter.StartAsync(CancellationToken.None);
            metrics.SignalDuplicate();
            await Task.Delay(50);
            Assert.Empty(output.ToString());

            // ExecuteAsync starts on the thread pool (.NET 10): advance window by window until its timer has fired.
            for (var i = 0; i < 200 && output.ToString().Length == 0; i++)
            {
                time.Advance(TimeSpan.FromSeconds(10));
                await Task.Delay(10);
            }

            Assert.Single(ParseLines(output.ToString()));
            await exporter.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public void AddKyperian_registers_the_exporter_only_when_Kyperian_Metrics_Emf_is_true()
    {
        static bool Registered(Dictionary<string, string?> settings)
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
            var services = new ServiceCollection();
            services.AddKyperian(configuration, new TestEnvironment());
            return services.Any(d => d.ServiceType == typeof(EmfExporter));
        }

        Assert.False(Registered([]));
        Assert.False(Registered(new() { ["Kyperian:Metrics:Emf"] = "false" }));
        Assert.True(Registered(new() { ["Kyperian:Metrics:Emf"] = "true" }));
    }

    [Fact]
    public async Task The_running_app_writes_EMF_with_its_environment_when_enabled()
    {
        var output = new StringWriter();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kyperian:Metrics:Emf"] = "true",
            ["Kyperian:Environment"] = "production",
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddKyperian(builder.Configuration, builder.Environment);
        builder.Services.AddSingleton(sp => new EmfExporter(
            sp.GetRequiredService<IMeterFactory>(),
            sp.GetRequiredService<IOptions<EmfOptions>>(),
            sp.GetRequiredService<IOptions<KyperianOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            output));
        await using var app = builder.Build();
        await app.StartAsync();
        app.Services.GetRequiredService<KyperianMetrics>().SignalRejected(415);
        await app.StopAsync();

        var line = Assert.Single(ParseLines(output.ToString()), l => l[MetricNames.SignalsRejected] is not null);
        Assert.Equal("production", (string?)line["Environment"]);
        Assert.Equal("415", (string?)line["Status"]);
    }

    /// <summary>
    /// Every (metric, dimension set) and dimension value the app can emit: each KyperianMetrics method driven once, both
    /// verdicts, every action, through the exporter. The template's dashboards and alarms are held to this.
    /// </summary>
    internal static IReadOnlyList<JsonObject> EmittedLines()
    {
        var output = new StringWriter();
        var (services, exporter, metrics) = Create(output, "dev");
        using (services)
        using (exporter)
        {
            DriveEveryInstrument(metrics);
            var notifications = new NotificationMetrics(services.GetRequiredService<IMeterFactory>());
            notifications.Sent("telegram", TimeSpan.FromMilliseconds(42));
            notifications.DeadLettered("telegram");
            exporter.Flush();
        }

        return ParseLines(output.ToString());
    }

    private static void DriveEveryInstrument(KyperianMetrics metrics)
    {
        Assert.True(Symbol.TryParse("BINANCE:BTCUSDT", out var symbol, out _, out _));
        var timeframe = Timeframe.FromMinutes(15);
        foreach (var action in Enum.GetValues<SignalAction>())
        {
            metrics.SignalAccepted(new Signal
            {
                SignalId = "sig_" + action,
                Symbol = symbol,
                Action = action,
                Timeframe = timeframe,
                Price = 100m,
                Confidence = 70,
                Source = "tradingview",
                ReceivedAt = Now,
            });
        }

        metrics.SignalRejected(400);
        metrics.SignalDuplicate();
        metrics.SignalUnavailable();
        metrics.ValidationTime(12.5);
        foreach (var verdict in Enum.GetValues<Verdict>())
        {
            metrics.DecisionMade(new Decision
            {
                DecisionId = "dec_" + verdict,
                SignalId = "sig_Buy",
                Symbol = symbol,
                Timeframe = timeframe,
                Action = TradeAction.EnterLong,
                Verdict = verdict,
                Score = 0.6,
                Alignment = 1,
                PositionSizePct = verdict == Verdict.Execute ? 1.5 : 0,
                Reasons = verdict == Verdict.Veto ? [VetoReason.LowConfidence] : [],
                Inputs = [],
                DecidedAt = Now,
                LatencyMs = 3.2,
            });
        }
    }

    private static (ServiceProvider Services, EmfExporter Exporter, KyperianMetrics Metrics) Create(
        TextWriter output, string environment, EmfOptions? options = null, TimeProvider? time = null)
    {
        var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        var exporter = new EmfExporter(
            factory,
            Options.Create(options ?? new EmfOptions { Emf = true }),
            Options.Create(new KyperianOptions { Environment = environment }),
            time ?? new FakeTimeProvider(Now),
            output);
        return (services, exporter, new KyperianMetrics(factory));
    }

    private List<JsonObject> Lines() => ParseLines(_output.ToString());

    private static List<JsonObject> ParseLines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();

    private sealed class TestEnvironment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = Environments.Development;

        public string ApplicationName { get; set; } = "Kyperian.Api";

        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } =
            new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}
