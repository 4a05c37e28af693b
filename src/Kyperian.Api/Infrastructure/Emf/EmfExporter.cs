using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Kyperian.Api.Application;
using Kyperian.Api.Application.Observability;
using Kyperian.Lambda;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Infrastructure.Emf;

/// <summary><c>Kyperian:Metrics</c>: CloudWatch Embedded Metric Format on stdout.</summary>
public sealed class EmfOptions
{
    public const string Section = "Kyperian:Metrics";

    /// <summary>Write EMF lines to stdout (the template turns it on; off by default so local runs stay quiet).</summary>
    public bool Emf { get; set; }

    /// <summary>Aggregation window: one line per series every this many seconds, and one at shutdown.</summary>
    public int FlushSeconds { get; set; } = 10;

    /// <summary>
    /// Also write after every HTTP request. Empty: on under AWS Lambda (<c>AWS_LAMBDA_RUNTIME_API</c> set), where a
    /// frozen sandbox runs no timer and may be reclaimed without a shutdown, so a window would arrive late or never.
    /// </summary>
    public bool? FlushEachRequest { get; set; }

    /// <summary>Histogram values kept per series and window; beyond it a uniform sample of this size (percentiles stay unbiased).</summary>
    public int MaxValuesPerFlush { get; set; } = 1000;
}

/// <summary>
/// Listens to the <c>Kyperian</c> meter (<see cref="KyperianMetrics"/>) and writes CloudWatch Embedded Metric Format:
/// one JSON line per series and window, counters summed, histograms as value arrays (at most 100 a line, so CloudWatch
/// computes percentiles). Every series carries the <c>Environment</c> dimension (<c>Kyperian:Environment</c>) and is
/// published under the dimension sets [Environment] and [Environment, tag] for each of its own tags (Action, Timeframe,
/// Verdict, Reason, Status): the rollup and each breakdown the dashboards draw, without the cost of every combination.
/// </summary>
public sealed class EmfExporter : BackgroundService
{
    /// <summary>EMF allows at most 100 values for one metric in one document.</summary>
    public const int MaxValuesPerLine = 100;

    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false, SkipValidation = true };

    private readonly IMeterFactory _meterFactory;
    private readonly EmfOptions _options;
    private readonly string _environment;
    private readonly TimeProvider _time;
    private readonly TextWriter _output;
    private readonly MeterListener _listener;
    private readonly ConcurrentDictionary<Instrument, InstrumentState> _instruments = new();
    private readonly Lock _flushGate = new();

    public EmfExporter(
        IMeterFactory meterFactory,
        IOptions<EmfOptions> options,
        IOptions<KyperianOptions> kyperian,
        TimeProvider time,
        TextWriter? output = null)
    {
        _meterFactory = meterFactory;
        _options = options.Value;
        _environment = kyperian.Value.Environment;
        _time = time;
        _output = output ?? Console.Out;
        _listener = new MeterListener { InstrumentPublished = OnInstrumentPublished };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, state) => Record(state, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, state) => Record(state, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, state) => Record(state, value, tags));
        _listener.SetMeasurementEventCallback<float>((instrument, value, tags, state) => Record(state, value, tags));

        // Started here rather than in StartAsync: instruments created before the host starts are published on Start too.
        _listener.Start();
    }

    /// <summary>Writes every series touched since the last flush and resets it. Safe to call from any thread.</summary>
    public void Flush()
    {
        lock (_flushGate)
        {
            var timestamp = _time.GetUtcNow().ToUnixTimeMilliseconds();
            var buffer = new ArrayBufferWriter<byte>(4096);
            using (var json = new Utf8JsonWriter(buffer, WriterOptions))
            {
                foreach (var instrument in _instruments.Values)
                {
                    foreach (var series in instrument.Series.Values)
                    {
                        WriteSeries(json, buffer, instrument, series, timestamp);
                    }
                }
            }

            if (buffer.WrittenCount > 0)
            {
                _output.Write(Encoding.UTF8.GetString(buffer.WrittenSpan));
                _output.Flush();
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        Flush();
    }

    public override void Dispose()
    {
        _listener.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(1, _options.FlushSeconds)), _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                Flush();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: StopAsync writes the last window.
        }
    }

    /// <summary>CloudWatch's unit for an instrument's UCUM unit: annotations such as <c>{signal}</c> are counts.</summary>
    public static string UnitOf(Instrument instrument) => instrument.Unit switch
    {
        "us" or "μs" => "Microseconds",
        "ms" => "Milliseconds",
        "s" => "Seconds",
        "%" => "Percent",
        "By" => "Bytes",
        null or "" => IsHistogram(instrument) ? "None" : "Count",
        var unit when unit.StartsWith('{') => "Count",
        _ => "None",
    };

    private static bool IsHistogram(Instrument instrument)
    {
        var type = instrument.GetType();
        return type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Histogram<>);
    }

    private static bool IsCounter(Instrument instrument)
    {
        var type = instrument.GetType();
        return type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Counter<>);
    }

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        // Only this container's Kyperian meter: tests run several hosts in one process.
        if (instrument.Meter.Name != MetricNames.Namespace || !ReferenceEquals(instrument.Meter.Scope, _meterFactory))
        {
            return;
        }

        var histogram = IsHistogram(instrument);
        if (!histogram && !IsCounter(instrument))
        {
            return;
        }

        var state = _instruments.GetOrAdd(instrument, i => new InstrumentState(i.Name, UnitOf(i), histogram));
        listener.EnableMeasurementEvents(instrument, state);
    }

    private void Record(object? state, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (state is not InstrumentState instrument || double.IsNaN(value) || double.IsInfinity(value))
        {
            return;
        }

        var key = KeyOf(tags);
        if (!instrument.Series.TryGetValue(key, out var series))
        {
            series = instrument.Series.GetOrAdd(key, new Series(DimensionsOf(tags.ToArray())));
        }

        if (instrument.IsHistogram)
        {
            series.Observe(value, _options.MaxValuesPerFlush);
        }
        else
        {
            series.Add(value);
        }
    }

    /// <summary>The series key: the tags as given (call sites pass them in a fixed order).</summary>
    private static string KeyOf(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.IsEmpty)
        {
            return string.Empty;
        }

        var builder = new StringBuilder(48);
        foreach (var tag in tags)
        {
            builder.Append(tag.Key).Append('\u001f').Append(TagValue(tag.Value)).Append('\u001e');
        }

        return builder.ToString();
    }

    private static KeyValuePair<string, string>[] DimensionsOf(KeyValuePair<string, object?>[] tags)
    {
        var dimensions = new List<KeyValuePair<string, string>>(tags.Length);
        foreach (var tag in tags)
        {
            var value = TagValue(tag.Value);
            if (value.Length == 0 || tag.Key == MetricNames.Dimensions.Environment || dimensions.Exists(d => d.Key == tag.Key))
            {
                continue;
            }

            dimensions.Add(new(tag.Key, value));
        }

        return [.. dimensions];
    }

    private static string TagValue(object? value) => value switch
    {
        null => string.Empty,
        string s => s,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    private void WriteSeries(Utf8JsonWriter json, ArrayBufferWriter<byte> buffer, InstrumentState instrument, Series series, long timestamp)
    {
        if (instrument.IsHistogram)
        {
            var values = series.TakeValues();
            for (var start = 0; start < values.Count; start += MaxValuesPerLine)
            {
                var count = Math.Min(MaxValuesPerLine, values.Count - start);
                WriteDocument(json, buffer, instrument, series, timestamp, w =>
                {
                    w.WriteStartArray(instrument.Name);
                    for (var i = start; i < start + count; i++)
                    {
                        w.WriteNumberValue(values[i]);
                    }

                    w.WriteEndArray();
                });
            }
        }
        else if (series.TakeSum() is { } sum)
        {
            WriteDocument(json, buffer, instrument, series, timestamp, w => w.WriteNumber(instrument.Name, sum));
        }
    }

    private void WriteDocument(
        Utf8JsonWriter json,
        ArrayBufferWriter<byte> buffer,
        InstrumentState instrument,
        Series series,
        long timestamp,
        Action<Utf8JsonWriter> writeValue)
    {
        json.Reset(buffer);
        json.WriteStartObject();
        json.WriteStartObject("_aws");
        json.WriteNumber("Timestamp", timestamp);
        json.WriteStartArray("CloudWatchMetrics");
        json.WriteStartObject();
        json.WriteString("Namespace", MetricNames.Namespace);
        json.WriteStartArray("Dimensions");
        json.WriteStartArray();
        json.WriteStringValue(MetricNames.Dimensions.Environment);
        json.WriteEndArray();
        foreach (var dimension in series.Dimensions)
        {
            json.WriteStartArray();
            json.WriteStringValue(MetricNames.Dimensions.Environment);
            json.WriteStringValue(dimension.Key);
            json.WriteEndArray();
        }

        json.WriteEndArray();
        json.WriteStartArray("Metrics");
        json.WriteStartObject();
        json.WriteString("Name", instrument.Name);
        json.WriteString("Unit", instrument.Unit);
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteString(MetricNames.Dimensions.Environment, _environment);
        foreach (var dimension in series.Dimensions)
        {
            json.WriteString(dimension.Key, dimension.Value);
        }

        writeValue(json);
        json.WriteEndObject();
        json.Flush();
        buffer.Write("\n"u8);
    }

    private sealed class InstrumentState(string name, string unit, bool isHistogram)
    {
        public string Name { get; } = name;

        public string Unit { get; } = unit;

        public bool IsHistogram { get; } = isHistogram;

        public ConcurrentDictionary<string, Series> Series { get; } = new(StringComparer.Ordinal);
    }

    private sealed class Series(KeyValuePair<string, string>[] dimensions)
    {
        private readonly Lock _gate = new();
        private double _sum;
        private bool _touched;
        private List<double> _values = [];
        private long _seen;

        public KeyValuePair<string, string>[] Dimensions { get; } = dimensions;

        public void Add(double value)
        {
            lock (_gate)
            {
                _sum += value;
                _touched = true;
            }
        }

        public void Observe(double value, int capacity)
        {
            lock (_gate)
            {
                _seen++;
                if (_values.Count < capacity)
                {
                    _values.Add(value);
                    return;
                }

                // Reservoir sampling (algorithm R): every value of the window is kept with the same probability.
                var slot = Random.Shared.NextInt64(_seen);
                if (slot < capacity)
                {
                    _values[(int)slot] = value;
                }
            }
        }

        public double? TakeSum()
        {
            lock (_gate)
            {
                if (!_touched)
                {
                    return null;
                }

                var sum = _sum;
                _sum = 0;
                _touched = false;
                return sum;
            }
        }

        public List<double> TakeValues()
        {
            lock (_gate)
            {
                var values = _values;
                _values = new List<double>(Math.Min(values.Count, 16));
                _seen = 0;
                return values;
            }
        }
    }
}

/// <summary>Registers the EMF exporter when <c>Kyperian:Metrics:Emf</c> is true.</summary>
public static class EmfRegistration
{
    public static IServiceCollection AddKyperianEmf(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(EmfOptions.Section);
        var options = section.Get<EmfOptions>() ?? new EmfOptions();
        if (!options.Emf)
        {
            return services;
        }

        services.AddOptions<EmfOptions>().Bind(section)
            .Validate(o => o.FlushSeconds > 0 && o.MaxValuesPerFlush > 0, "Kyperian:Metrics:FlushSeconds and MaxValuesPerFlush must be positive.")
            .ValidateOnStart();
        services.AddSingleton<EmfExporter>();
        services.AddHostedService(sp => sp.GetRequiredService<EmfExporter>());

        if (options.FlushEachRequest ?? services.IsLambda())
        {
            services.AddSingleton<IStartupFilter, EmfFlushEachRequest>();
        }

        return services;
    }

    /// <summary>Writes the metrics of each request once it is answered (Lambda: before the sandbox is frozen).</summary>
    private sealed class EmfFlushEachRequest(EmfExporter exporter) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                try
                {
                    await nextMiddleware(context);
                }
                finally
                {
                    exporter.Flush();
                }
            });
            next(app);
        };
    }
}
