using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kyperian.Api.Application.Intake;
using Kyperian.Api.Application.Replay;
using Kyperian.Api.Endpoints.Contracts;
using Kyperian.Api.Tests.Servers;
using Kyperian.Domain.Alerts;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Replay;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Tests.CommandLine;

/// <summary>
/// <c>replay alerts.jsonl</c> through the app's real entry point, as its own process, on the sample shipped in the
/// repository: no server, no database, the README's table.
/// </summary>
public sealed class ReplayCommandTests : IDisposable
{
    private static readonly string Samples = Path.Combine(LocalEnvironment.RepositoryRoot(), "samples", "replay");

    /// <summary>Where the command runs: it must leave nothing here but what it was asked to write.</summary>
    private readonly string _folder = Directory.CreateTempSubdirectory("kyperian-replay-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task The_sample_replays_without_a_server_prints_the_summary_table_and_writes_the_engine_s_decisions()
    {
        var (exit, output, error) = await RunAsync("replay", Path.Combine(Samples, "alerts.jsonl"), "--out", "decisions.jsonl");

        Assert.Equal((0, ""), (exit, error));

        // The README's worked example.
        Assert.Contains("16 signals, 11 decisions", output, StringComparison.Ordinal);
        foreach (var line in new[]
        {
            "  EXECUTE                              6",
            "  VETO                                 5",
            "    HTF_CONFLICT                       1",
            "  closed trades                        4",
            "  total return                 +0.2095 %",
            "  worst trade                  -0.9281 %",
            "  max drawdown                  0.9281 %",
            "  TOO_FEW_TIMEFRAMES               2       2     +1.3811 %     1     1",
        })
        {
            Assert.Contains(line + "\n", output, StringComparison.Ordinal);
        }

        // The decisions, one JSON object a line, are the engine's: the same as a replay of the same alerts in process.
        var written = await File.ReadAllLinesAsync(Path.Combine(_folder, "decisions.jsonl"));
        Assert.Equal(await InProcessAsync(new EngineSettings()), written);
        Assert.Equal(
            ["VETO", "EXECUTE", "VETO", "EXECUTE", "VETO", "EXECUTE", "EXECUTE", "VETO", "EXECUTE", "VETO", "EXECUTE"],
            written.Select(l => (string)JsonNode.Parse(l)!["verdict"]!));

        // Nothing stored anywhere: no database file, no folder, nothing but the decisions asked for.
        Assert.Equal(["decisions.jsonl"], Directory.GetFileSystemEntries(_folder).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_settings_file_is_tried_on_top_of_the_configured_settings()
    {
        var (exit, output, error) = await RunAsync("replay", Path.Combine(Samples, "alerts.jsonl"), "--settings", Path.Combine(Samples, "strict.json"));

        Assert.Equal((0, ""), (exit, error));
        Assert.Contains("with minConfidence, minLiveTimeframes from", output, StringComparison.Ordinal);
        Assert.Contains("    LOW_CONFIDENCE                     4\n", output, StringComparison.Ordinal);
        Assert.Contains("  closed trades                        3\n", output, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_folder));
    }

    [Fact]
    public async Task Every_bad_alert_and_setting_is_named_and_nothing_runs()
    {
        await File.WriteAllLinesAsync(Path.Combine(_folder, "alerts.jsonl"),
        [
            "# a comment, then a blank line",
            "",
            """{"symbol":"BTCUSDT","action":"buy","timeframe":"60","price":100}""",
            """{"symbol":"BTCUSDT","action":"hodl","timeframe":"60","price":100,"time":"2026-01-15T10:00:00Z"}""",
        ]);
        await File.WriteAllTextAsync(Path.Combine(_folder, "settings.json"), """{"minConfidence": 101, "turbo": true}""");

        var (exit, _, error) = await RunAsync("replay", "alerts.jsonl", "--settings", "settings.json", "--out", "decisions.jsonl");

        Assert.Equal(2, exit);
        Assert.Contains("settings.json: turbo is not an engine setting", error, StringComparison.Ordinal);
        Assert.Contains("line 3.time: is required", error, StringComparison.Ordinal);
        Assert.Contains("line 4.action: ", error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder, "decisions.jsonl")));

        await File.WriteAllTextAsync(Path.Combine(_folder, "settings.json"), """{"minConfidence": 101}""");
        var (tooHigh, _, named) = await RunAsync("replay", Path.Combine(Samples, "alerts.jsonl"), "--settings", "settings.json");
        Assert.Equal(2, tooHigh);
        Assert.Contains("settings.json: minConfidence must be 0 to 100", named, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_command_line_or_a_missing_file_says_how_to_use_it()
    {
        var (exit, _, error) = await RunAsync("replay", "--out");
        Assert.Equal((1, ReplayUsage), (exit, error.Trim()));

        var (missing, _, named) = await RunAsync("replay", "nowhere.jsonl");
        Assert.Equal((1, "nowhere.jsonl: no such file"), (missing, named.Trim()));
    }

    private const string ReplayUsage = "usage: replay <alerts.jsonl> [--settings <settings.json>] [--out <decisions.jsonl>]";

    /// <summary>Runs the app's entry point as a process in the test's folder (its shell's folder too), as <c>dotnet run</c> would.</summary>
    private async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _folder,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Kyperian.Api.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["PWD"] = _folder;
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("The replay did not finish: " + await output + await error);
        }

        return (process.ExitCode, await output, await error);
    }

    /// <summary>The sample's decisions, replayed in this process through the same pipeline and engine, one JSON line each.</summary>
    private static async Task<string[]> InProcessAsync(EngineSettings settings)
    {
        var pipeline = new AlertPipeline(new AlertValidator(TimeProvider.System), Options.Create(new WebhookOptions()));
        var lines = await File.ReadAllLinesAsync(Path.Combine(Samples, "alerts.jsonl"));
        var read = await new ReplayAlerts(pipeline, TimeProvider.System).ReadAsync(
            lines.Select((l, i) => new ReplayAlert($"line {i + 1}", l, true)).Where(a => a.Body.StartsWith('{')),
            CancellationToken.None);
        var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        json.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default);
        return [.. EngineReplay.Run(settings, read.Signals).Select(d => JsonSerializer.Serialize(d, json.GetTypeInfo(typeof(Decision))))];
    }
}
