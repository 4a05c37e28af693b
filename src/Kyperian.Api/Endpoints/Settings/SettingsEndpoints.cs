using System.Text.Json;
using Kyperian.Api.Application.Settings;
using Kyperian.Api.Endpoints.Contracts;
using Kyperian.Api.Endpoints.Http;
using Kyperian.Domain.Alerts;
using Kyperian.Domain.Decisions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Kyperian.Api.Endpoints.Settings;

/// <summary>The engine settings in force, and changing them at run time: validated, versioned, stored, audited.</summary>
public static class SettingsEndpoints
{
    public static IEndpointRouteBuilder MapSettingsEndpoints(this IEndpointRouteBuilder app)
    {
        var settings = app.MapGroup("/settings").WithTags("Settings").RequireOperatorKey();
        settings.MapGet("/", GetAsync).WithName("GetSettings")
            .WithSummary("The engine settings in force, their version, and which fields were changed at run time");
        settings.MapPut("/engine", PutEngineAsync).WithName("PutEngineSettings")
            .WithSummary("Set engine settings: the fields sent change, the others keep their values; effective for the next decision")
            .Accepts<EngineSettings>("application/json");
        return app;
    }

    private static async Task<Ok<SettingsView>> GetAsync(EngineSettingsSource source, CancellationToken ct)
    {
        var (effective, stored) = await source.DescribeAsync(ct);
        return TypedResults.Ok(SettingsView.From(effective, stored));
    }

    private static async Task<Results<Ok<SettingsView>, ValidationProblem, ProblemHttpResult>> PutEngineAsync(
        HttpRequest request, EngineSettingsSource source, CancellationToken ct)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, default, ct);
        }
        catch (JsonException)
        {
            return Invalid("body", "must be a JSON object of engine settings, as GET /settings shows them under engine");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return Invalid("body", "must be a JSON object of engine settings, as GET /settings shows them under engine");
            }

            var (change, fields, errors) = Read(document.RootElement);
            if (errors.Count > 0)
            {
                return TypedResults.ValidationProblem(errors, title: "The engine settings are invalid");
            }

            if (fields.Count == 0)
            {
                return Invalid("body", "names no engine setting to change");
            }

            return await source.ChangeAsync(change!, fields, ct) switch
            {
                SettingsChange.Changed changed => TypedResults.Ok(SettingsView.From(changed.Effective, changed.Stored)),
                SettingsChange.Invalid invalid => TypedResults.ValidationProblem(
                    invalid.Errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Problem).ToArray()),
                    title: "The engine settings are invalid"),
                _ => TypedResults.Problem(
                    statusCode: StatusCodes.Status409Conflict,
                    title: "Changed meanwhile",
                    detail: "Another change of the engine settings was stored first; read GET /settings and send yours again."),
            };
        }
    }

    /// <summary>Each field on its own first, so that every bad one is named; then all of them together.</summary>
    private static (EngineSettings? Change, List<string> Fields, Dictionary<string, string[]> Errors) Read(JsonElement body)
    {
        var fields = new List<string>();
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var property in body.EnumerateObject())
        {
            if (property.NameEquals("version"))
            {
                errors["version"] = ["is given by the server: each change is the next version"];
                continue;
            }

            if (!EngineSettingsOverlay.IsField(property.Name))
            {
                errors[Printable.Escape(property.Name)] = ["is not an engine setting"];
                continue;
            }

            if (fields.Contains(property.Name))
            {
                errors[property.Name] = ["is given twice"];
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
                errors[property.Name] = [$"is not a valid {Expected(property.Name)}"];
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

    private static ValidationProblem Invalid(string field, string problem) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [problem] }, title: "The engine settings are invalid");
}
