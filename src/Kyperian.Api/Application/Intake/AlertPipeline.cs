using System.Diagnostics;
using System.IO.Compression;
using Kyperian.Api.Application.Security;
using Kyperian.Domain.Alerts;
using Kyperian.Domain.Signals;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Application.Intake;

/// <summary>What the alert pipeline needs of a request; the endpoint copies it from the HTTP request.</summary>
public readonly record struct AlertRequest(
    Stream Body,
    string? ContentType,
    string? ContentEncoding,
    long? ContentLength,
    string? Token,
    DateTimeOffset ReceivedAt);

public enum AlertStage
{
    /// <summary>The body could not be read as an alert at all (media type, encoding, size, transport).</summary>
    Unreadable,

    /// <summary>The passphrase is missing or wrong.</summary>
    Unauthorized,

    /// <summary>Read, but one or more fields break the rules.</summary>
    Invalid,

    /// <summary>A valid alert, normalized to its signal.</summary>
    Parsed,
}

/// <summary>How far an alert got through the pipeline, and what it became.</summary>
public sealed record AlertOutcome
{
    public required AlertStage Stage { get; init; }

    /// <summary>For <see cref="AlertStage.Unreadable"/>: the HTTP status that says why (400, 408, 413, 415).</summary>
    public int Status { get; init; }

    public string? Title { get; init; }

    public string? Detail { get; init; }

    public IReadOnlyList<FieldError> Errors { get; init; } = [];

    public IReadOnlyList<string> Warnings { get; init; } = [];

    public Signal? Signal { get; init; }

    public SignalIdentity? Identity { get; init; }

    /// <summary>Time spent reading, validating and normalizing, without waiting for the body.</summary>
    public double ElapsedMicroseconds { get; init; }

    internal static AlertOutcome Unreadable(int status, string title, string detail) =>
        new() { Stage = AlertStage.Unreadable, Status = status, Title = title, Detail = detail };
}

/// <summary>
/// The one alert pipeline, shared by <c>/webhook</c> and <c>/validate</c>: read → authorize → validate → normalize.
/// Each field is parsed once, by the validator; the signal is built from what it parsed.
/// </summary>
public sealed class AlertPipeline
{
    private readonly AlertValidator _validator;
    private readonly WebhookOptions _options;
    private readonly SharedSecret _passphrase;

    public AlertPipeline(AlertValidator validator, IOptions<WebhookOptions> options)
    {
        _validator = validator;
        _options = options.Value;
        _passphrase = new SharedSecret(_options.Passphrase);
    }

    /// <summary>Runs an alert for <c>/webhook</c>: a wrong or missing passphrase stops it at <see cref="AlertStage.Unauthorized"/>.</summary>
    public ValueTask<AlertOutcome> RunAsync(AlertRequest request, CancellationToken cancellationToken) =>
        RunAsync(request, authorize: true, cancellationToken);

    /// <summary>
    /// Runs an alert for <c>/validate</c>: every error and warning is reported, and the passphrase is only checked
    /// for presence, so the endpoint cannot be used to guess it.
    /// </summary>
    public ValueTask<AlertOutcome> CheckAsync(AlertRequest request, CancellationToken cancellationToken) =>
        RunAsync(request, authorize: false, cancellationToken);

    private async ValueTask<AlertOutcome> RunAsync(AlertRequest request, bool authorize, CancellationToken cancellationToken)
    {
        using var body = new BodyLease();
        if (await ReadAsync(request, body, cancellationToken) is { } unreadable)
        {
            return unreadable;
        }

        var started = Stopwatch.GetTimestamp();
        var input = AlertReader.Read(body.Span);
        if (authorize && !input.IsUnreadable && !IsAuthorized(input, request.Token))
        {
            return new AlertOutcome { Stage = AlertStage.Unauthorized };
        }

        var errors = input.IsUnreadable ? input.ReadErrors! : _validator.Check(input);
        var warnings = Warnings(input, request.Token, authorize, ref errors);
        if (errors.Count > 0)
        {
            return new AlertOutcome
            {
                Stage = AlertStage.Invalid,
                Errors = errors,
                Warnings = warnings,
                ElapsedMicroseconds = Stopwatch.GetElapsedTime(started).TotalMicroseconds,
            };
        }

        var (signal, identity) = AlertNormalizer.ToSignal(input, request.ReceivedAt, _options.DedupeWindow);
        return new AlertOutcome
        {
            Stage = AlertStage.Parsed,
            Signal = signal,
            Identity = identity,
            Warnings = warnings,
            ElapsedMicroseconds = Stopwatch.GetElapsedTime(started).TotalMicroseconds,
        };
    }

    private bool IsAuthorized(AlertInput input, string? token) =>
        !_passphrase.IsConfigured || _passphrase.Matches(input.Passphrase) || _passphrase.Matches(token);

    private IReadOnlyList<string> Warnings(AlertInput input, string? token, bool authorize, ref IReadOnlyList<FieldError> errors)
    {
        var warnings = new List<string>();
        foreach (var field in input.UnknownFields ?? [])
        {
            warnings.Add($"unknown field '{Printable.Escape(field)}' is ignored");
        }

        if (authorize || input.IsUnreadable)
        {
            return warnings;
        }

        var hasPassphrase = input.Passphrase is not null || token is not null;
        if (_passphrase.IsConfigured && !hasPassphrase)
        {
            errors = [.. errors, new FieldError(AlertFields.Passphrase, "is required: put it in the body as passphrase, or in the URL as ?token=")];
        }
        else if (hasPassphrase)
        {
            warnings.Add("passphrase is present; /validate does not check its value");
        }

        return warnings;
    }

    /// <returns>Null when the body is in <paramref name="body"/>; else why it cannot be read.</returns>
    private async ValueTask<AlertOutcome?> ReadAsync(AlertRequest request, BodyLease body, CancellationToken cancellationToken)
    {
        if (!IsAlertMediaType(request.ContentType))
        {
            return AlertOutcome.Unreadable(
                StatusCodes.Status415UnsupportedMediaType,
                "Unsupported media type",
                "Send the alert message as application/json or text/plain, as TradingView's webhook does.");
        }

        var gzip = false;
        if (!string.IsNullOrWhiteSpace(request.ContentEncoding))
        {
            var encoding = request.ContentEncoding.Trim();
            gzip = encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase);
            if (!gzip && !encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
            {
                return AlertOutcome.Unreadable(
                    StatusCodes.Status415UnsupportedMediaType,
                    "Unsupported content encoding",
                    "Send the alert uncompressed or as gzip; other content encodings are not read.");
            }
        }

        var max = _options.MaxBodyBytes;
        try
        {
            if (!gzip && request.ContentLength > max)
            {
                return TooLarge(max);
            }

            if (gzip)
            {
                await using var inflated = new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true);
                return await body.FillAsync(inflated, max, cancellationToken) ? null : TooLarge(max);
            }

            return await body.FillAsync(request.Body, max, cancellationToken) ? null : TooLarge(max);
        }
        catch (BadHttpRequestException ex)
        {
            // The client sent the body badly (too slowly, truncated, broken chunks): its mistake, not an outage.
            return ex.StatusCode == StatusCodes.Status408RequestTimeout
                ? AlertOutcome.Unreadable(ex.StatusCode, "Request timeout", "The alert body arrived too slowly.")
                : AlertOutcome.Unreadable(StatusCodes.Status400BadRequest, "Bad request", "The alert body was cut short or badly framed.");
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException && cancellationToken.IsCancellationRequested)
        {
            // The client hung up mid-body: nobody is left to answer, but the one log line still says what happened.
            return AlertOutcome.Unreadable(StatusCodes.Status400BadRequest, "Bad request", "The client closed the connection before the alert body was complete.");
        }
        catch (InvalidDataException)
        {
            return AlertOutcome.Unreadable(StatusCodes.Status400BadRequest, "Bad request", "The body is marked gzip but is not valid gzip.");
        }
    }

    private static AlertOutcome TooLarge(int max) =>
        AlertOutcome.Unreadable(StatusCodes.Status413PayloadTooLarge, "Payload too large", $"The alert body is larger than {max} bytes.");

    private static bool IsAlertMediaType(string? contentType)
    {
        if (contentType is null)
        {
            return false;
        }

        var mediaType = contentType.AsSpan();
        var semicolon = mediaType.IndexOf(';');
        if (semicolon >= 0)
        {
            mediaType = mediaType[..semicolon];
        }

        mediaType = mediaType.Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("text/plain", StringComparison.OrdinalIgnoreCase);
    }
}
