using System.Reflection;
using System.Text.Json;
using Kyperian.Api.Endpoints.Contracts;
using Kyperian.Domain.Ports;
using Microsoft.AspNetCore.Http.Metadata;

namespace Kyperian.Api.Endpoints.Monitoring;

/// <summary>
/// <c>GET /decisions</c>' whole-decision answer, a <see cref="DecisionListView"/>, written from the decisions' JSON as
/// the store gives it (<see cref="IDecisionHistory.QueryJsonAsync"/>): the bytes are those of serializing the view with
/// <see cref="ApiJsonContext"/>, with no decision built and parsed again. It goes out in pieces as it is written, so no
/// answer is ever held whole.
/// </summary>
public sealed class DecisionListJson(DecisionJsonPage page, string? next) : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    /// <summary>Sent on once this much is written, so that a page of 500 decisions never sits in one buffer.</summary>
    private const int FlushBytes = 32 * 1024;

    private static readonly JsonEncodedText DecisionsName = JsonEncodedText.Encode("decisions");
    private static readonly JsonEncodedText NextName = JsonEncodedText.Encode("next");

    public int? StatusCode => StatusCodes.Status200OK;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        var body = response.BodyWriter;
        var ct = httpContext.RequestAborted;
        await using var json = new Utf8JsonWriter(body);
        json.WriteStartObject();
        json.WriteStartArray(DecisionsName);
        foreach (var decision in page.Decisions)
        {
            // The store's own JSON of a decision (the port's promise): validating it would parse it again.
            json.WriteRawValue(decision.Span, skipInputValidation: true);
            json.Flush();
            if (body.UnflushedBytes >= FlushBytes)
            {
                await body.FlushAsync(ct);
            }
        }

        json.WriteEndArray();
        if (next is not null)
        {
            json.WriteString(NextName, next);
        }

        json.WriteEndObject();
        json.Flush();
        await body.FlushAsync(ct);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(DecisionListView), ["application/json"]));
}
