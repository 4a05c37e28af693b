using System.Globalization;
using System.Text.Json;
using Kyperian.Api.Application.Replay;
using Kyperian.Api.Endpoints.Settings;
using Kyperian.Domain.Alerts;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Signals;

namespace Kyperian.Api.Endpoints.Replay;

/// <summary>A replay to run: on which signals, with which settings.</summary>
public abstract record ReplayPlan(EngineSettings Settings, IReadOnlyList<string> Overridden)
{
    /// <summary>The stored signals received from <paramref name="From"/> to <paramref name="To"/>, of <paramref name="Symbols"/> (none: all).</summary>
    public sealed record Stored(EngineSettings Settings, IReadOnlyList<string> Overridden, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<Symbol> Symbols)
        : ReplayPlan(Settings, Overridden);

    /// <summary>The alerts of the request, read and in arrival order.</summary>
    public sealed record Inline(EngineSettings Settings, IReadOnlyList<string> Overridden, IReadOnlyList<Signal> Signals)
        : ReplayPlan(Settings, Overridden);
}

/// <summary>
/// Reads a <c>POST /replay</c> body into a <see cref="ReplayPlan"/>, naming every bad field: the range, the symbols, each
/// setting (as <c>PUT /settings/engine</c> would) and each alert (as <c>/webhook</c> would), before anything runs.
/// </summary>
public static class ReplayRequestReader
{
    private static readonly string[] Fields = ["from", "to", "symbols", "settings", "signals"];

    /// <returns>The plan, or the errors by field (never both).</returns>
    public static async Task<(ReplayPlan? Plan, Dictionary<string, string[]> Errors)> ReadAsync(
        JsonElement body, DateTimeOffset now, ReplayRunner runner, ReplayAlerts alerts, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors["body"] = ["must be a JSON object: from and to (or signals), with symbols and settings if wanted"];
            return (null, errors);
        }

        foreach (var property in body.EnumerateObject().Where(p => !Fields.Contains(p.Name, StringComparer.Ordinal)))
        {
            errors[Printable.Escape(property.Name)] = [$"is not a replay field ({string.Join(", ", Fields)})"];
        }

        var from = Time(body, "from", errors);
        var to = Time(body, "to", errors) ?? now;
        var symbols = Symbols(body, errors);
        var (change, fields) = Settings(body, errors);
        var signals = body.TryGetProperty("signals", out var list) ? list : default;
        if (signals.ValueKind is not JsonValueKind.Undefined and not JsonValueKind.Array)
        {
            errors["signals"] = ["must be a list of alerts, each as TradingView sends it (JSON, or a text message as a string)"];
        }
        else if (signals.ValueKind == JsonValueKind.Array && from is not null)
        {
            errors["signals"] = ["replays the alerts sent; from and to replay stored ones: give one or the other"];
        }
        else if (signals.ValueKind == JsonValueKind.Undefined && from is null && !errors.ContainsKey("from"))
        {
            errors["from"] = ["is required: the stored signals received from then (to now, or to) are replayed; or send the alerts in signals"];
        }
        else if (from is { } start && start >= to)
        {
            errors["to"] = ["must be after from"];
        }

        var (trial, settingErrors) = await runner.SettingsAsync(change, fields, cancellationToken);
        foreach (var (field, problems) in EngineSettingsJson.Named(settingErrors, "settings."))
        {
            errors.TryAdd(field, problems);
        }

        if (errors.Count > 0 || trial is null)
        {
            return (null, errors);
        }

        if (signals.ValueKind != JsonValueKind.Array)
        {
            return (new ReplayPlan.Stored(trial, fields, from!.Value, to, symbols), errors);
        }

        var read = await alerts.ReadAsync(signals.EnumerateArray().Select(Alert), cancellationToken);
        if (read.Errors.Count > 0)
        {
            return (null, new Dictionary<string, string[]>(read.Errors, StringComparer.Ordinal));
        }

        var chosen = symbols.Count == 0 ? read.Signals : [.. read.Signals.Where(s => symbols.Contains(s.Symbol))];
        return (new ReplayPlan.Inline(trial, fields, chosen), errors);
    }

    private static ReplayAlert Alert(JsonElement alert, int index) => alert.ValueKind == JsonValueKind.String
        ? new ReplayAlert($"signals[{index}]", alert.GetString()!, IsJson: false)
        : new ReplayAlert($"signals[{index}]", alert.GetRawText(), IsJson: true);

    private static DateTimeOffset? Time(JsonElement body, string field, Dictionary<string, string[]> errors)
    {
        if (!body.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return time.ToUniversalTime();
        }

        errors[field] = ["must be an ISO-8601 time, such as 2026-01-15T00:00:00Z"];
        return null;
    }

    private static List<Symbol> Symbols(JsonElement body, Dictionary<string, string[]> errors)
    {
        var symbols = new List<Symbol>();
        if (!body.TryGetProperty("symbols", out var list) || list.ValueKind == JsonValueKind.Null)
        {
            return symbols;
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            errors["symbols"] = ["must be a list of symbols, such as [\"BTCUSDT\"]"];
            return symbols;
        }

        var index = 0;
        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                errors[$"symbols[{index}]"] = ["must be a symbol, as text"];
            }
            else if (Symbol.TryParse(item.GetString(), out var symbol, out _, out var error))
            {
                symbols.Add(symbol);
            }
            else
            {
                errors[$"symbols[{index}]"] = [error];
            }

            index++;
        }

        return symbols;
    }

    private static (EngineSettings? Change, List<string> Fields) Settings(JsonElement body, Dictionary<string, string[]> errors)
    {
        if (!body.TryGetProperty("settings", out var settings) || settings.ValueKind == JsonValueKind.Null)
        {
            return (null, []);
        }

        if (settings.ValueKind != JsonValueKind.Object)
        {
            errors["settings"] = ["must be a JSON object of engine settings, as GET /settings shows them under engine"];
            return (null, []);
        }

        var (change, fields, settingErrors) = EngineSettingsJson.Read(settings, "settings.");
        foreach (var (field, problems) in settingErrors)
        {
            errors[field] = problems;
        }

        return settingErrors.Count > 0 ? (null, []) : (change, fields);
    }
}
