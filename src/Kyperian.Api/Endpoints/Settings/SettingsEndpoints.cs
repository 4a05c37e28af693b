using System.Text.Json;
using Kyperian.Api.Application.Settings;
using Kyperian.Api.Endpoints.Contracts;
using Kyperian.Api.Endpoints.Http;
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

            var (change, fields, errors) = EngineSettingsJson.Read(document.RootElement);
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
                SettingsChange.Invalid invalid => TypedResults.ValidationProblem(EngineSettingsJson.Named(invalid.Errors), title: "The engine settings are invalid"),
                _ => TypedResults.Problem(
                    statusCode: StatusCodes.Status409Conflict,
                    title: "Changed meanwhile",
                    detail: "Another change of the engine settings was stored first; read GET /settings and send yours again."),
            };
        }
    }

    private static ValidationProblem Invalid(string field, string problem) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [problem] }, title: "The engine settings are invalid");
}
