using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Kyperian.Api.Application.Observability;
using Kyperian.Domain.Signals;

namespace Kyperian.Deploy.Tests;

/// <summary>A metric on a dashboard or alarm in namespace Kyperian, with its dimensions (name → value as written).</summary>
internal sealed record UsedMetric(string Where, string Namespace, string Name, IReadOnlyDictionary<string, string> Dimensions);

/// <summary>The dashboards and alarms use exactly the metrics the app emits (MetricNames, through the EMF exporter).</summary>
public partial class TemplateMetricsTests
{
    private static readonly CfnTemplate Template = CfnTemplate.Instance;

    private static readonly Lazy<IReadOnlyList<JsonObject>> Emitted = new(EmfExporterTests.EmittedLines);

    public static TheoryData<string> Dashboards() => ["MainDashboard", "TradingDashboard"];

    [Fact]
    public void Metric_names_are_read_from_the_code()
    {
        var names = MetricNameConstants();
        Assert.Contains("SignalsAccepted", names);
        Assert.Contains("EndToEndLatencyMs", names);
        Assert.DoesNotContain(MetricNames.Namespace, names);
        Assert.Equal(12, names.Count);
    }

    [Fact]
    public void Every_Kyperian_metric_on_a_dashboard_or_alarm_is_a_MetricNames_constant_with_known_dimensions()
    {
        var names = MetricNameConstants();
        var dimensions = DimensionConstants();
        var used = UsedMetrics().Where(m => m.Namespace == MetricNames.Namespace).ToList();
        Assert.True(used.Count >= 15, $"only {used.Count} Kyperian metrics found on dashboards and alarms");
        Assert.All(used, m =>
        {
            Assert.True(names.Contains(m.Name), $"{m.Where}: {m.Name} is not in MetricNames");
            Assert.All(m.Dimensions.Keys, d => Assert.True(dimensions.Contains(d), $"{m.Where}: dimension {d} is not in MetricNames.Dimensions"));
        });
    }

    [Fact]
    public void Every_Kyperian_metric_on_a_dashboard_or_alarm_is_one_the_exporter_writes_with_those_dimensions()
    {
        // (metric, dimension set) pairs the EMF exporter writes when every KyperianMetrics method runs.
        var emitted = Emitted.Value
            .SelectMany(line =>
            {
                var directive = line["_aws"]!["CloudWatchMetrics"]![0]!;
                var name = (string)directive["Metrics"]![0]!["Name"]!;
                return directive["Dimensions"]!.AsArray().Select(set => Key(name, set!.AsArray().Select(d => (string)d!)));
            })
            .ToHashSet(StringComparer.Ordinal);

        foreach (var metric in UsedMetrics().Where(m => m.Namespace == MetricNames.Namespace))
        {
            Assert.True(emitted.Contains(Key(metric.Name, metric.Dimensions.Keys)), $"{metric.Where}: {Key(metric.Name, metric.Dimensions.Keys)} is never written; written: {string.Join(", ", emitted.Order())}");
        }
    }

    [Fact]
    public void Dimension_values_are_the_environment_parameter_or_values_the_app_writes()
    {
        var values = Emitted.Value
            .SelectMany(l => l.Where(p => p.Value is JsonValue v && v.TryGetValue<string>(out _)).Select(p => (p.Key, Value: (string)p.Value!)))
            .ToLookup(p => p.Key, p => p.Value);
        foreach (var metric in UsedMetrics().Where(m => m.Namespace == MetricNames.Namespace))
        {
            foreach (var (dimension, value) in metric.Dimensions)
            {
                if (dimension == MetricNames.Dimensions.Environment)
                {
                    Assert.True(value is "${Environment}" or "{\"Ref\":\"Environment\"}", $"{metric.Where}: Environment = {value}");
                }
                else if (value != "*")
                {
                    Assert.True(values[dimension].Contains(value), $"{metric.Where}: {dimension}={value} is never written (written: {string.Join(", ", values[dimension])})");
                }
            }
        }

        Assert.Equal(Enum.GetNames<SignalAction>().Order(), values[MetricNames.Dimensions.Action].Distinct().Order());
    }

    [Fact]
    public void Every_metric_the_app_writes_is_on_a_dashboard()
    {
        var onDashboards = UsedMetrics().Where(m => m.Where.Contains("Dashboard", StringComparison.Ordinal)).Select(m => m.Name).ToHashSet();
        Assert.All(MetricNameConstants(), n => Assert.True(onDashboards.Contains(n), $"{n} is on no dashboard"));
    }

    [Theory]
    [MemberData(nameof(Dashboards))]
    public void Dashboard_bodies_are_valid_dashboard_JSON(string id)
    {
        var body = DashboardBody(id);
        var widgets = body["widgets"]!.AsArray();
        Assert.NotEmpty(widgets);
        foreach (var widget in widgets)
        {
            Assert.Contains((string?)widget!["type"], new[] { "metric", "text" });
            Assert.InRange((int)widget["width"]!, 1, 24);
            Assert.InRange((int)widget["x"]! + (int)widget["width"]!, 1, 24);
            if ((string?)widget["type"] == "metric")
            {
                Assert.Equal("${AWS::Region}", (string?)widget["properties"]!["region"]);
                Assert.NotEmpty(widget["properties"]!["metrics"]!.AsArray());
            }
        }
    }

    [Fact]
    public void The_main_dashboard_has_signal_rate_latency_with_a_10_ms_target_errors_engine_and_Redis()
    {
        var widgets = DashboardBody("MainDashboard")["widgets"]!.AsArray().Select(w => w!["properties"]!).ToList();
        var latency = widgets.Single(w => ((string?)w["title"])?.Contains("latency (ms), target 10 ms", StringComparison.Ordinal) == true);
        Assert.Contains(latency["annotations"]!["horizontal"]!.AsArray(), a => (double)a!["value"]! == 10);
        Assert.Contains(latency["metrics"]!.AsArray(), m => (string?)m![0] == "AWS/Lambda" && (string?)m[1] == "Duration");
        var text = DashboardText("MainDashboard");
        Assert.All(["SignalsAccepted", "5XXError", "RunningTaskCount", "DatabaseMemoryUsagePercentage"], n => Assert.Contains($"\"{n}\"", text, StringComparison.Ordinal));
    }

    [Fact]
    public void The_trading_dashboard_has_signals_by_action_and_timeframe_veto_rate_and_position_size()
    {
        var used = UsedMetrics().Where(m => m.Where.StartsWith("TradingDashboard", StringComparison.Ordinal)).ToList();
        Assert.Contains(used, m => m.Name == MetricNames.SignalsAccepted && m.Dimensions.ContainsKey(MetricNames.Dimensions.Action));
        Assert.Contains(used, m => m.Name == MetricNames.SignalsAccepted && m.Dimensions.ContainsKey(MetricNames.Dimensions.Timeframe));
        Assert.Contains(used, m => m.Name == MetricNames.Decisions && m.Dimensions.GetValueOrDefault(MetricNames.Dimensions.Verdict) == "VETO");
        Assert.Contains(used, m => m.Name == MetricNames.PositionSize);
        Assert.Contains("100 * vetoes / decisions", DashboardText("TradingDashboard"), StringComparison.Ordinal);
    }

    [Fact]
    public void The_five_required_alarms_exist_and_notify_the_alerts_topic()
    {
        var alarms = Template.ResourcesOfType("AWS::CloudWatch::Alarm").Select(a => a.Resource["Properties"]!.AsObject()).ToList();
        Assert.All(alarms, a => Assert.Equal("AlertsTopic", (string?)a["AlarmActions"]![0]!["Ref"]));

        JsonObject Single(string metricName) => alarms.Single(a =>
            (string?)a["MetricName"] == metricName || (a["Metrics"]?.AsArray().Any(m => (string?)m!["MetricStat"]?["Metric"]?["MetricName"] == metricName) ?? false));

        var p99 = Single("Duration");
        Assert.Equal(100, (double)p99["Threshold"]!);
        Assert.Equal("GreaterThanThreshold", (string?)p99["ComparisonOperator"]);

        var errors = Single("5XXError");
        Assert.Equal(5, (double)errors["Threshold"]!);
        Assert.Contains(errors["Metrics"]!.AsArray(), m => ((string?)m!["Expression"])?.Contains("100 * errors / requests", StringComparison.Ordinal) == true);

        var tasks = Single("RunningTaskCount");
        Assert.Equal(1, (double)tasks["Threshold"]!);
        Assert.Equal("LessThanThreshold", (string?)tasks["ComparisonOperator"]);

        var redis = Single("DatabaseMemoryUsagePercentage");
        Assert.Equal(90, (double)redis["Threshold"]!);

        var dlq = Single("ApproximateNumberOfMessagesVisible");
        Assert.Equal(0, (double)dlq["Threshold"]!);
        Assert.Equal("SignalDeadLetterQueue", (string?)dlq["Dimensions"]![0]!["Value"]!["Fn::GetAtt"]![0]);
    }

    [Fact]
    public void The_latency_alarm_counts_only_busy_minutes_and_wants_several_of_them()
    {
        // At low volume the p99 of a handful of invocations is the slowest one (a cold start, one slow write): the
        // alarm looks at minutes with enough invocations for a percentile to mean something, and wants 3 of 5.
        var alarm = Template.Properties("LambdaLatencyP99Alarm");
        Assert.Null(alarm["ExtendedStatistic"]);
        var queries = alarm["Metrics"]!.AsArray().Select(q => q!.AsObject()).ToList();
        var percentile = queries.Single(q => (string?)q["MetricStat"]?["Stat"] == "p99");
        var samples = queries.Single(q => (string?)q["MetricStat"]?["Stat"] == "SampleCount");
        Assert.Equal("Duration", (string?)percentile["MetricStat"]!["Metric"]!["MetricName"]);
        Assert.Equal(percentile["MetricStat"]!["Metric"]!.ToJsonString(), samples["MetricStat"]!["Metric"]!.ToJsonString());
        Assert.Equal((int)percentile["MetricStat"]!["Period"]!, (int)samples["MetricStat"]!["Period"]!);

        var returned = Assert.Single(queries, q => (bool?)q["ReturnData"] == true);
        var expression = MinimumSamples().Match((string?)returned["Expression"] ?? "");
        Assert.True(expression.Success, $"expression {(string?)returned["Expression"]}");
        Assert.Equal((string?)samples["Id"], expression.Groups["samples"].Value);
        Assert.Equal((string?)percentile["Id"], expression.Groups["value"].Value);
        Assert.InRange(int.Parse(expression.Groups["minimum"].Value, System.Globalization.CultureInfo.InvariantCulture), 20, 1000);

        var periods = (int)alarm["EvaluationPeriods"]!;
        var toAlarm = (int)alarm["DatapointsToAlarm"]!;
        Assert.True(toAlarm >= 2 && toAlarm <= periods, $"{toAlarm} of {periods}");
        Assert.Equal("notBreaching", (string?)alarm["TreatMissingData"]);
    }

    internal static IReadOnlyList<UsedMetric> UsedMetrics()
    {
        var used = new List<UsedMetric>();
        foreach (var (id, alarm) in Template.ResourcesOfType("AWS::CloudWatch::Alarm"))
        {
            var p = alarm["Properties"]!;
            if (p["MetricName"] is not null)
            {
                used.Add(new UsedMetric(id, (string)p["Namespace"]!, (string)p["MetricName"]!, AlarmDimensions(p["Dimensions"])));
            }

            foreach (var query in p["Metrics"]?.AsArray() ?? [])
            {
                if (query!["MetricStat"]?["Metric"] is { } metric)
                {
                    used.Add(new UsedMetric(id, (string)metric["Namespace"]!, (string)metric["MetricName"]!, AlarmDimensions(metric["Dimensions"])));
                }
            }
        }

        foreach (var id in new[] { "MainDashboard", "TradingDashboard" })
        {
            foreach (var widget in DashboardBody(id)["widgets"]!.AsArray())
            {
                var metrics = widget!["properties"]?["metrics"]?.AsArray() ?? [];
                string? previousNamespace = null, previousName = null;
                foreach (var row in metrics.Select(r => r!.AsArray()))
                {
                    if (row[0] is JsonObject expression)
                    {
                        used.AddRange(SearchMetrics(id, (string)expression["expression"]!));
                        continue;
                    }

                    var cells = row.TakeWhile(c => c is JsonValue).Select(c => (string)c!).ToList();
                    var ns = cells[0] == "." ? previousNamespace! : cells[0];
                    var name = cells[1] == "." ? previousName! : cells[1];
                    var dims = new Dictionary<string, string>(StringComparer.Ordinal);
                    for (var i = 2; i + 1 < cells.Count; i += 2)
                    {
                        dims[cells[i]] = cells[i + 1];
                    }

                    used.Add(new UsedMetric(id, ns, name, dims));
                    (previousNamespace, previousName) = (ns, name);
                }
            }
        }

        return used;
    }

    private static IEnumerable<UsedMetric> SearchMetrics(string where, string expression)
    {
        // SEARCH('{Namespace,Dim1,Dim2} MetricName="Name" Dim1="value"', 'Stat', period): one schema, one metric name.
        foreach (Match search in SearchExpression().Matches(expression))
        {
            var schema = search.Groups["schema"].Value.Split(',').Select(s => s.Trim()).ToList();
            var terms = search.Groups["terms"].Value;
            var name = MetricNameTerm().Match(terms);
            Assert.True(name.Success, $"{where}: SEARCH without MetricName=\"...\": {expression}");
            var dims = schema.Skip(1).ToDictionary(d => d, d => DimensionTerm(terms, d) ?? "*", StringComparer.Ordinal);
            yield return new UsedMetric(where, schema[0], name.Groups[1].Value, dims);
        }
    }

    private static string? DimensionTerm(string terms, string dimension)
    {
        var match = Regex.Match(terms, $"\\b{Regex.Escape(dimension)}=\"([^\"]*)\"");
        return match.Success ? match.Groups[1].Value : null;
    }

    private static Dictionary<string, string> AlarmDimensions(JsonNode? dimensions) =>
        (dimensions?.AsArray() ?? []).ToDictionary(
            d => (string)d!["Name"]!,
            d => d!["Value"] is JsonValue v ? (string)v! : d["Value"]!["Fn::Sub"] is JsonValue sub ? (string)sub! : d["Value"]!.ToJsonString(),
            StringComparer.Ordinal);

    internal static JsonObject DashboardBody(string id) => JsonNode.Parse(DashboardText(id))!.AsObject();

    private static string DashboardText(string id) => (string)Template.Properties(id)["DashboardBody"]!["Fn::Sub"]!;

    private static HashSet<string> MetricNameConstants() => Constants(typeof(MetricNames)).Where(n => n != MetricNames.Namespace).ToHashSet(StringComparer.Ordinal);

    private static HashSet<string> DimensionConstants() => Constants(typeof(MetricNames.Dimensions)).ToHashSet(StringComparer.Ordinal);

    private static IEnumerable<string> Constants(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!);

    private static string Key(string name, IEnumerable<string> dimensions) =>
        name + "[" + string.Join(",", dimensions.Order(StringComparer.Ordinal)) + "]";

    [GeneratedRegex(@"^IF\((?<samples>\w+) >= (?<minimum>\d+), (?<value>\w+), 0\)$")]
    private static partial Regex MinimumSamples();

    [GeneratedRegex(@"SEARCH\(\s*'\{(?<schema>[^}]*)\}(?<terms>[^']*)'")]
    private static partial Regex SearchExpression();

    [GeneratedRegex("MetricName=\"([^\"]+)\"")]
    private static partial Regex MetricNameTerm();
}
