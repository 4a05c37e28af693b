using System.Net;
using Kyperian.Api.Application.Intake;
using Kyperian.Api.Application.Observability;
using Kyperian.Api.Endpoints.Contracts;
using Kyperian.Api.Endpoints.Http;
using Kyperian.Domain.Alerts;
using Kyperian.Domain.Signals;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Endpoints.Webhooks;

public static partial class WebhookEndpoints
{
    public const string RateLimitPolicy = "webhook";

    public static IEndpointRouteBuilder MapWebhookEndpoints(this IEndpointRouteBuilder app)
    {
        var options = app.ServiceProvider.GetRequiredService<IOptions<WebhookOptions>>().Value;
        var alerts = app.MapGroup(string.Empty).WithTags("TradingView alerts");

        // Checks that are off cost nothing per request: they are not in the pipeline at all.
        if (options.RateLimitPerSecond > 0)
        {
            alerts.RequireRateLimiting(RateLimitPolicy);
        }

        var webhook = alerts.MapPost("/webhook", ReceiveAsync)
            .WithName("ReceiveAlert")
            .WithSummary("Receive a TradingView alert")
            .WithDescription(
                "Point TradingView's webhook URL here. The body is the alert message: JSON sent as application/json or "
                + "text/plain, or a known text format (KEY=VALUE, PineConnector, TradingView's default strategy message). "
                + "?interval=15 (alias timeframe), symbol, confidence and source fill what the body lacks; the body wins; "
                + "?format= reads the body as one format only. The passphrase travels in the body (Kyperian:Webhook:PassphraseFields, "
                + "default passphrase, secret or key) or as ?token=. 202 when "
                + "accepted, 200 for a replay, 400 naming every bad field, 401, 413, 415, 429, and 503 only when nothing "
                + "could take the signal (TradingView then resends).")
            .Accepts<TradingViewAlert>("application/json", "text/plain")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        if (options.EnforceAllowedIps)
        {
            webhook.AddEndpointFilter(app.ServiceProvider.GetRequiredService<AllowedSendersFilter>());
        }

        alerts.MapPost("/validate", ValidateAsync)
            .WithName("ValidateAlert")
            .WithSummary("Check an alert message without storing or publishing it")
            .WithDescription(
                "Runs the webhook's parsing and rules and reports every error and warning, with the normalized signal, "
                + "the format it recognised, how each field was read (tv_instrument → symbol) and a hint for every missing field. "
                + "For testing alert templates. It says whether a passphrase is present, never whether it is right.")
            .Accepts<TradingViewAlert>("application/json", "text/plain")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        return app;
    }

    private static async Task<Results<Accepted<WebhookAccepted>, Ok<WebhookDuplicate>, ValidationProblem, ProblemHttpResult>> ReceiveAsync(
        HttpRequest request, [AsParameters] AlertQuery query, [AsParameters] WebhookServices services)
    {
        var outcome = await services.Pipeline.RunAsync(AlertRequestFrom(request, query, services.Time), request.HttpContext.RequestAborted);
        if (outcome is not { Stage: AlertStage.Parsed, Signal: { } signal, Identity: { } identity })
        {
            return Reject(outcome, request, services);
        }

        services.Metrics.ValidationTime(outcome.ElapsedMicroseconds);
        var result = await services.Intake.AcceptAsync(signal, identity, outcome.RawBody, request.HttpContext.RequestAborted);
        signal = result.Signal ?? signal;
        switch (result.Status)
        {
            case IntakeStatus.Accepted:
                LogAccepted(services.Logger, signal.SignalId, signal.Symbol.Value, signal.Timeframe.Label, signal.Action);
                return TypedResults.Accepted(
                    $"{request.PathBase}/signals/{signal.SignalId}",
                    new WebhookAccepted(signal.SignalId, SignalStatus.Accepted, signal.ReceivedAt));
            case IntakeStatus.Duplicate:
                return TypedResults.Ok(new WebhookDuplicate(result.SignalId, SignalStatus.Duplicate));
            default:
                return Problems.Unavailable(
                    request.HttpContext,
                    "Neither the signal store nor the bus could take the alert; nothing was kept. Send it again.");
        }
    }

    private static async Task<Results<Ok<ValidationReport>, ProblemHttpResult>> ValidateAsync(
        HttpRequest request, [AsParameters] AlertQuery query, AlertPipeline pipeline, TimeProvider time)
    {
        var outcome = await pipeline.CheckAsync(AlertRequestFrom(request, query, time), request.HttpContext.RequestAborted);
        if (outcome.Stage == AlertStage.Unreadable)
        {
            return TypedResults.Problem(statusCode: outcome.Status, title: outcome.Title, detail: outcome.Detail);
        }

        return TypedResults.Ok(new ValidationReport(
            outcome.Stage == AlertStage.Parsed,
            outcome.Errors,
            outcome.Warnings,
            outcome.Signal,
            Math.Round(outcome.ElapsedMicroseconds, 1),
            outcome.Format is { } format ? new RecognisedFormat(format.Name, format.Title) : null,
            [.. outcome.Mappings.Select(m => new FieldMappingView(m.From, m.Field, m.Note))],
            [.. outcome.Hints.Select(h => new FieldHintView(h.Field, h.Hint))]));
    }

    private static AlertRequest AlertRequestFrom(HttpRequest request, AlertQuery query, TimeProvider time) => new(
        request.Body,
        request.ContentType,
        request.Headers.ContentEncoding.Count == 0 ? null : request.Headers.ContentEncoding.ToString(),
        request.ContentLength,
        query.Token,
        time.GetUtcNow(),
        query.ToDefaults());

    private static Results<Accepted<WebhookAccepted>, Ok<WebhookDuplicate>, ValidationProblem, ProblemHttpResult> Reject(
        AlertOutcome outcome, HttpRequest request, WebhookServices services)
    {
        switch (outcome.Stage)
        {
            case AlertStage.Unreadable:
                services.Metrics.SignalRejected(outcome.Status);
                LogUnreadable(services.Logger, outcome.Status, request.HttpContext.Connection.RemoteIpAddress);
                return TypedResults.Problem(statusCode: outcome.Status, title: outcome.Title, detail: outcome.Detail);
            case AlertStage.Unauthorized:
                services.Metrics.SignalRejected(StatusCodes.Status401Unauthorized);
                LogUnauthorized(services.Logger, request.HttpContext.Connection.RemoteIpAddress);
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: "The alert is not authorized.");
            default:
                services.Metrics.SignalRejected(StatusCodes.Status400BadRequest);
                if (services.Logger.IsEnabled(LogLevel.Information))
                {
                    LogInvalid(services.Logger, string.Join(", ", outcome.Errors.Select(e => Printable.Escape(e.Field)).Distinct()));
                }

                return Invalid(outcome.Errors);
        }
    }

    private static ValidationProblem Invalid(IReadOnlyList<FieldError> errors)
    {
        var byField = new Dictionary<string, string[]>(errors.Count, StringComparer.Ordinal);
        foreach (var error in errors)
        {
            byField[error.Field] = byField.TryGetValue(error.Field, out var reasons) ? [.. reasons, error.Reason] : [error.Reason];
        }

        return TypedResults.ValidationProblem(
            byField,
            title: "The alert is invalid",
            detail: $"{byField.Count} field(s) failed: {string.Join(", ", byField.Keys.Select(k => Printable.Escape(k)))}.");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rejected an unreadable alert ({Status}) from {RemoteAddress}")]
    private static partial void LogUnreadable(ILogger logger, int status, IPAddress? remoteAddress);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Accepted {SignalId}: {Symbol} {Timeframe} {Action}")]
    private static partial void LogAccepted(ILogger logger, string signalId, string symbol, string timeframe, SignalAction action);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rejected an alert; failed fields: {Fields}")]
    private static partial void LogInvalid(ILogger logger, string fields);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected an alert from {RemoteAddress}: passphrase missing or wrong")]
    private static partial void LogUnauthorized(ILogger logger, IPAddress? remoteAddress);
}

/// <summary>
/// The query parameters of <c>/webhook</c> and <c>/validate</c>: our passphrase as <c>token</c>, and defaults for what
/// the body lacks. TradingView does not fill placeholders in the URL, so each chart's alert carries its own
/// <c>?interval=15</c>. A field in the body always wins.
/// </summary>
public readonly record struct AlertQuery(
    [property: FromQuery(Name = "token")] string? Token,
    [property: FromQuery(Name = "interval")] string? Interval,
    [property: FromQuery(Name = "timeframe")] string? Timeframe,
    [property: FromQuery(Name = "symbol")] string? Symbol,
    [property: FromQuery(Name = "confidence")] string? Confidence,
    [property: FromQuery(Name = "source")] string? Source,
    [property: FromQuery(Name = "format")] string? Format)
{
    public AlertDefaults ToDefaults() =>
        Interval is null && Timeframe is null && Symbol is null && Confidence is null && Source is null && Format is null
            ? AlertDefaults.None
            : new AlertDefaults
            {
                Timeframe = Interval ?? Timeframe,
                Symbol = Symbol,
                Confidence = Confidence,
                Source = Source,
                Format = Format,
            };
}

/// <summary>What <c>/webhook</c> needs besides the request, bound as one parameter.</summary>
public sealed class WebhookServices(
    AlertPipeline pipeline,
    SignalIntake intake,
    TimeProvider time,
    KyperianMetrics metrics,
    ILogger<WebhookServices> logger)
{
    public AlertPipeline Pipeline { get; } = pipeline;

    public SignalIntake Intake { get; } = intake;

    public TimeProvider Time { get; } = time;

    public KyperianMetrics Metrics { get; } = metrics;

    public ILogger<WebhookServices> Logger { get; } = logger;
}
