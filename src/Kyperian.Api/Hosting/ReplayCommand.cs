using System.Globalization;
using System.Text.Json;
using Kyperian.Api.Application.Intake;
using Kyperian.Api.Application.Replay;
using Kyperian.Api.Endpoints.Contracts;
using Kyperian.Api.Endpoints.Settings;
using Kyperian.Domain.Alerts;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Performance;
using Kyperian.Domain.Replay;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Hosting;

/// <summary>
/// <c>replay alerts.jsonl [--settings file.json] [--out decisions.jsonl]</c>: a what-if replay on the command line, with
/// no server and no database. Each line of the file is an alert as TradingView sends it (with its <c>time</c>), read by
/// the webhook's pipeline; the engine settings are the configured ones (<c>appsettings.json</c>, environment) with the
/// settings file's on top, checked as <c>PUT /settings/engine</c> checks them. Prints the summary as a table; writes
/// the decisions as JSON lines, as <c>/decisions</c> shows them, when asked.
/// </summary>
public static class ReplayCommand
{
    public const string Name = "replay";

    public const string Usage = "usage: replay <alerts.jsonl> [--settings <settings.json>] [--out <decisions.jsonl>]";

    /// <summary>The exit code of a replay that ran.</summary>
    public const int Done = 0;

    /// <summary>The exit code when the command line is wrong or names a missing file.</summary>
    public const int BadUsage = 1;

    /// <summary>The exit code when an alert or a setting is wrong; each is named on the error output.</summary>
    public const int BadInput = 2;

    public static bool Handles(string[] args) => args.Length > 0 && args[0] == Name;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        if (Arguments.Parse(args) is not { } parsed)
        {
            await error.WriteLineAsync(Usage);
            return BadUsage;
        }

        var arguments = parsed.From(InvokedFrom());

        foreach (var (file, named) in new[] { (arguments.Alerts, parsed.Alerts), (arguments.Settings, parsed.Settings) })
        {
            if (file is not null && !File.Exists(file))
            {
                await error.WriteLineAsync($"{Printable.Escape(named)}: no such file");
                return BadUsage;
            }
        }

        var configuration = Configuration();
        var errors = new List<string>();
        var settings = await SettingsAsync(configuration, arguments.Settings, errors, cancellationToken);
        var webhook = configuration.GetSection(WebhookOptions.Section).Get<WebhookOptions>() ?? new WebhookOptions();
        var pipeline = new AlertPipeline(new AlertValidator(TimeProvider.System), Options.Create(webhook));
        var lines = await File.ReadAllLinesAsync(arguments.Alerts, cancellationToken);
        var read = await new ReplayAlerts(pipeline, TimeProvider.System).ReadAsync(Alerts(lines), cancellationToken);
        errors.AddRange(read.Errors.SelectMany(e => e.Value.Select(problem => $"{e.Key}: {problem}")));
        if (errors.Count > 0 || settings is null)
        {
            foreach (var line in errors)
            {
                await error.WriteLineAsync(line);
            }

            return BadInput;
        }

        var run = new ReplayRun(settings.Value.Settings);
        await using (var decisions = arguments.Out is { } path ? new StreamWriter(path) : null)
        {
            var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);
            json.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default);
            var made = new List<Decision>(4);
            foreach (var signal in read.Signals)
            {
                run.Play(signal, made);
                await WriteAsync(decisions, made, json);
            }

            run.Finish(made);
            await WriteAsync(decisions, made, json);
        }

        await output.WriteAsync(Table(parsed, settings.Value.Tried, run.Result(), read.Repeats));
        return Done;
    }

    /// <summary>
    /// The folder the command was typed in, which relative paths are read from: <c>dotnet run</c> runs the app in its
    /// project folder, but the shell's <c>PWD</c> still names where the user is.
    /// </summary>
    private static string InvokedFrom() =>
        Environment.GetEnvironmentVariable("PWD") is { Length: > 0 } shell && Path.IsPathFullyQualified(shell) && Directory.Exists(shell)
            ? shell
            : Environment.CurrentDirectory;

    /// <summary>The configuration the app reads its settings from, without SSM: this command talks to nothing.</summary>
    private static IConfigurationRoot Configuration()
    {
        var environment = Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT")
            ?? Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT")
            ?? "Production";
        return new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddJsonFile($"appsettings.{environment}.json", optional: true)
            .AddEnvironmentVariables()
            .Build();
    }

    /// <summary>The configured engine settings with the file's on top; null (and the errors) when either is wrong.</summary>
    private static async Task<(EngineSettings Settings, IReadOnlyList<string> Tried)?> SettingsAsync(
        IConfiguration configuration, string? file, List<string> errors, CancellationToken cancellationToken)
    {
        var configured = configuration.GetSection(EngineSettings.Section).Get<EngineSettings>() ?? new EngineSettings();
        if (configured.Validate() is { Count: > 0 } bad)
        {
            errors.AddRange(bad.Select(e => $"{EngineSettings.Section}:{e.Field}: {e.Problem}"));
            return null;
        }

        if (file is null)
        {
            return (configured, []);
        }

        var name = Printable.Escape(Path.GetFileName(file));
        JsonDocument document;
        try
        {
            await using var stream = File.OpenRead(file);
            document = await JsonDocument.ParseAsync(stream, default, cancellationToken);
        }
        catch (JsonException)
        {
            errors.Add($"{name}: must be a JSON object of engine settings, as GET /settings shows them under engine");
            return null;
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                errors.Add($"{name}: must be a JSON object of engine settings, as GET /settings shows them under engine");
                return null;
            }

            var (change, fields, fieldErrors) = EngineSettingsJson.Read(document.RootElement, name + ": ");
            errors.AddRange(fieldErrors.SelectMany(e => e.Value.Select(problem => $"{e.Key} {problem}")));
            if (change is null || fieldErrors.Count > 0)
            {
                return null;
            }

            var trial = EngineSettingsOverlay.With(configured, change, fields);
            if (trial.Validate() is { Count: > 0 } together)
            {
                errors.AddRange(EngineSettingsJson.Named(together, name + ": ").SelectMany(e => e.Value.Select(problem => $"{e.Key} {problem}")));
                return null;
            }

            return (trial, fields);
        }
    }

    /// <summary>Every line that is not blank or a <c>#</c> comment is an alert: JSON when it starts with <c>{</c>, else a text message.</summary>
    private static IEnumerable<ReplayAlert> Alerts(string[] lines)
    {
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length > 0 && line[0] != '#')
            {
                yield return new ReplayAlert($"line {i + 1}", line, line[0] == '{');
            }
        }
    }

    private static async Task WriteAsync(StreamWriter? decisions, List<Decision> made, JsonSerializerOptions json)
    {
        if (decisions is not null)
        {
            foreach (var decision in made)
            {
                await decisions.WriteLineAsync(JsonSerializer.Serialize(decision, json.GetTypeInfo(typeof(Decision))));
            }
        }

        made.Clear();
    }

    /// <summary>The summary, the closed trades and the vetoes' value, as a plain-text table; files named as they were given.</summary>
    private static string Table(Arguments arguments, IReadOnlyList<string> tried, ReplayResult result, int repeats)
    {
        var (summary, performance) = (result.Summary, result.Performance);
        var text = new System.Text.StringBuilder();
        void Line(string line = "") => text.Append(line).Append('\n');
        string Pct(decimal? value) => value is { } v ? v.ToString("+0.####;-0.####;0", CultureInfo.InvariantCulture) + " %" : "-";

        Line($"Replay of {Printable.Escape(arguments.Alerts)}: {summary.Signals} signals, {summary.Decisions} decisions"
            + (repeats > 0 ? $" ({repeats} repeated alerts left out)" : string.Empty));
        Line(tried.Count > 0 ? $"Settings: configured, with {string.Join(", ", tried)} from {Printable.Escape(arguments.Settings!)}" : "Settings: configured");
        Line();
        Line($"  {"decisions",-26}{"count",12}");
        Line($"  {"EXECUTE",-26}{summary.Executed,12}");
        Line($"  {"VETO",-26}{summary.Vetoed,12}");
        foreach (var reason in summary.ByReason)
        {
            Line($"    {reason.Reason.Code(),-24}{reason.Decisions,12}");
        }

        Line();
        Line($"  {"closed trades",-26}{performance.ClosedTrades,12}");
        Line($"  {"win rate",-26}{(performance.WinRatePct is { } rate ? rate.ToString("0.##", CultureInfo.InvariantCulture) + " %" : "-"),12}");
        Line($"  {"total return",-26}{Pct(performance.TotalReturnPct),12}");
        Line($"  {"average return",-26}{Pct(performance.AverageReturnPct),12}");
        Line($"  {"worst trade",-26}{Pct(performance.WorstTrade?.ReturnPct),12}");
        Line($"  {"max drawdown",-26}{performance.MaxDrawdownPct.ToString("0.####", CultureInfo.InvariantCulture) + " %",12}");
        Line();
        Line($"  {"vetoed entries by reason",-26}{"entries",8}{"priced",8}{"would return",14}{"won",6}{"lost",6}");
        foreach (var veto in performance.Vetoes)
        {
            Line($"  {veto.Reason.Code(),-26}{veto.VetoedEntries,8}{veto.Priced,8}{Pct(veto.Priced > 0 ? veto.TotalReturnPct : null),14}{veto.WouldHaveWon,6}{veto.WouldHaveLost,6}");
        }

        Line();
        Line(PerformanceReport.BasisText);
        if (arguments.Out is { } path)
        {
            Line($"Decisions written to {Printable.Escape(path)}, one JSON object a line.");
        }

        return text.ToString();
    }

    private sealed record Arguments(string Alerts, string? Settings, string? Out)
    {
        /// <summary>The same files, relative paths taken from <paramref name="folder"/>.</summary>
        public Arguments From(string folder) => new(
            Path.GetFullPath(Alerts, folder),
            Settings is null ? null : Path.GetFullPath(Settings, folder),
            Out is null ? null : Path.GetFullPath(Out, folder));

        /// <returns>Null when the command line is not <see cref="Usage"/>.</returns>
        public static Arguments? Parse(string[] args)
        {
            string? alerts = null, settings = null, output = null;
            for (var i = 1; i < args.Length; i++)
            {
                switch (args[i])
                {
                    case "--settings" when i + 1 < args.Length && settings is null:
                        settings = args[++i];
                        break;
                    case "--out" when i + 1 < args.Length && output is null:
                        output = args[++i];
                        break;
                    case var value when !value.StartsWith("--", StringComparison.Ordinal) && alerts is null:
                        alerts = value;
                        break;
                    default:
                        return null;
                }
            }

            return alerts is null ? null : new Arguments(alerts, settings, output);
        }
    }
}
