using System.Diagnostics;
using System.Net;
using Kyperian.Api.Contracts;
using Kyperian.Api.Observability;
using Kyperian.Domain.Alerts;
using Kyperian.Domain.Signals;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Webhooks;

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
                + "text/plain. The passphrase travels in the body (passphrase, secret or key) or as ?token=. 202 when "
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
                "Runs the webhook's parsing and rules and reports every error and warning, with the normalized signal. "
                + "For testing alert templates. It says whether a passphrase is present, never whether it is right.")
            .Accepts<TradingViewAlert>("application/json", "text/plain")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        return app;
    }

    private static async Task<Results<Accepted<WebhookAccepted>, Ok<WebhookDuplicate>, ValidationProblem, ProblemHttpResult>> ReceiveAsync(
        HttpRequest request,
        [FromQuery] string? token,
        AlertGate gate,
        SignalIntake intake,
        TimeProvider time,
        KyperianMetrics metrics,
        ILogger<AlertGate> logger)
    {
        var receivedAt = time.GetUtcNow();
        using var body = new BodyLease();
        if (await gate.ReadBodyAsync(request, body) is { } unreadable)
        {
            metrics.SignalRejected(unreadable.StatusCode);
            return unreadable;
        }

        var started = Stopwatch.GetTimestamp();
        var input = AlertReader.Read(body.Span);
        if (input.IsUnreadable)
        {
            return Reject(input.ReadErrors!, metrics, logger);
        }

        if (!gate.IsAuthorized(input, token))
        {
            metrics.SignalRejected(StatusCodes.Status401Unauthorized);
            LogUnauthorized(logger, request.HttpContext.Connection.RemoteIpAddress);
            return AlertGate.Unauthorized();
        }

        var errors = gate.Check(input);
        if (errors.Count > 0)
        {
            return Reject(errors, metrics, logger);
        }

        var (signal, identity) = AlertNormalizer.ToSignal(input, receivedAt, gate.Options.DedupeWindow);
        metrics.ValidationTime(AlertGate.MicrosecondsSince(started));

        var result = await intake.AcceptAsync(signal, identity, request.HttpContext.RequestAborted);
        switch (result.Status)
        {
            case IntakeStatus.Accepted:
                LogAccepted(logger, signal.SignalId, signal.Symbol.Value, signal.Timeframe.Label, signal.Action);
                return TypedResults.Accepted($"{request.PathBase}/signals/{signal.SignalId}", new WebhookAccepted(signal.SignalId, SignalStatus.Accepted, receivedAt));
            case IntakeStatus.Duplicate:
                return TypedResults.Ok(new WebhookDuplicate(result.SignalId, SignalStatus.Duplicate));
            default:
                request.HttpContext.Response.Headers.RetryAfter = "5";
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status503ServiceUnavailable,
                    title: "Unavailable",
                    detail: "Neither the signal store nor the bus could take the alert; nothing was kept. Send it again.");
        }
    }

    private static async Task<Results<Ok<ValidationReport>, ProblemHttpResult>> ValidateAsync(
        HttpRequest request,
        [FromQuery] string? token,
        AlertGate gate,
        TimeProvider time)
    {
        using var body = new BodyLease();
        if (await gate.ReadBodyAsync(request, body) is { } unreadable)
        {
            return unreadable;
        }

        var started = Stopwatch.GetTimestamp();
        var input = AlertReader.Read(body.Span);
        var errors = gate.Check(input);
        var warnings = input.UnknownFields is null ? new List<string>() : input.UnknownFields.ConvertAll(f => $"unknown field '{f}' is ignored");

        var hasPassphrase = input.Passphrase is not null || token is not null;
        if (!input.IsUnreadable && gate.Passphrase.IsConfigured && !hasPassphrase)
        {
            errors = [.. errors, new FieldError(AlertFields.Passphrase, "is required: put it in the body as passphrase, or in the URL as ?token=")];
        }
        else if (hasPassphrase)
        {
            warnings.Add("passphrase is present; /validate does not check its value");
        }

        Signal? signal = null;
        if (errors.Count == 0)
        {
            signal = AlertNormalizer.ToSignal(input, time.GetUtcNow(), gate.Options.DedupeWindow).Signal;
        }

        var elapsed = AlertGate.MicrosecondsSince(started);
        return TypedResults.Ok(new ValidationReport(errors.Count == 0, errors, warnings, signal, Math.Round(elapsed, 1)));
    }

    private static ValidationProblem Reject(IReadOnlyList<FieldError> errors, KyperianMetrics metrics, ILogger logger)
    {
        metrics.SignalRejected(StatusCodes.Status400BadRequest);
        if (logger.IsEnabled(LogLevel.Information))
        {
            LogInvalid(logger, string.Join(", ", errors.Select(e => e.Field).Distinct()));
        }

        return AlertGate.Invalid(errors);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Accepted {SignalId}: {Symbol} {Timeframe} {Action}")]
    private static partial void LogAccepted(ILogger logger, string signalId, string symbol, string timeframe, SignalAction action);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rejected an alert; failed fields: {Fields}")]
    private static partial void LogInvalid(ILogger logger, string fields);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected an alert from {RemoteAddress}: passphrase missing or wrong")]
    private static partial void LogUnauthorized(ILogger logger, IPAddress? remoteAddress);
}
