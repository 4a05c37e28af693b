using System.Text.Json;
using Kyperian.Api.Endpoints.Contracts;
using Kyperian.Domain.Alerts;
using Kyperian.Domain.Decisions;

namespace Kyperian.Api.Endpoints.Settings;

/// <summary>
/// Engine settings as an operator writes them (the JSON names <c>GET /settings</c> shows under <c>engine</c>): read the
/// same for <c>PUT /settings/engine</c>, a replay's <c>settings</c> and the command line's <c>--settings</c> file.
/// </summary>
public static class EngineSettingsJson
{
    /// <summary>
    /// Each field on its own first, so that every bad one is named (after <paramref name="prefix"/>: <c>settings.</c>
    /// in a replay's body); then all of them together. Unknown names and <c>version</c> are refused.
    /// </summary>
    public static (EngineSettings? Change, List<string> Fields, Dictionary<string, string[]> Errors) Read(JsonElement body, string prefix = "")
    {
        var fields = new List<string>();
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var property in body.EnumerateObject())
        {
            if (property.NameEquals("version"))
            {
                errors[prefix + "version"] = ["is given by the server: each change is the next version"];
                continue;
            }

            if (!EngineSettingsOverlay.IsField(property.Name))
            {
                errors[prefix + Printable.Escape(property.Name)] = ["is not an engine setting"];
                continue;
            }

            if (fields.Contains(property.Name))
            {
                errors[prefix + property.Name] = ["is given twice"];
                continue;
            }

            try
            {
                using var single = JsonDocument.Parse($"{{{JsonSerializer.Serialize(property.Name)}:{property.Value.GetRawText()}}}");
                JsonSerializer.Deserialize(single.RootElement, ApiJsonContext.Default.EngineSettings);
                fields.Add(property.Name);
            }
            catch (JsonException)
            {
                errors[prefix + property.Name] = [$"is not a valid {Expected(property.Name)}"];
            }
        }

        return errors.Count > 0
            ? (null, fields, errors)
            : (JsonSerializer.Deserialize(body, ApiJsonContext.Default.EngineSettings), fields, errors);
    }

    private static string Expected(string field) => field switch
    {
        "requireHigherTimeframe" => "true or false",
        "totalLossBasis" => "basis: \"Initial\" or \"Peak\"",
        "pnlSource" => "source: \"Reported\" or \"Model\"",
        "riskDayStartUtc" or "tradingWindowStartUtc" or "tradingWindowEndUtc" => "UTC time of day, \"HH:mm\"",
        "tradingDays" => "list of weekday names (\"Monday\", …)",
        "maxEntriesPerDay" => "whole number, or null for no cap",
        _ => "number",
    };

    /// <summary>Every bad value of settings that are well formed but do not go together, by field.</summary>
    public static Dictionary<string, string[]> Named(IReadOnlyList<SettingError> errors, string prefix = "") =>
        errors.GroupBy(e => e.Field).ToDictionary(g => prefix + g.Key, g => g.Select(e => e.Problem).ToArray());
}
