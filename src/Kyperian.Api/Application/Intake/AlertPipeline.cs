using System.Diagnostics;
using System.IO.Compression;
using Kyperian.Api.Application.Security;
using Kyperian.Domain.Alerts;
using Kyperian.Domain.Signals;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Application.Intake;

/// <summary>
/// What the alert pipeline needs of a request; the endpoint copies it from the HTTP request. <c>Defaults</c> is what
/// the URL supplies for fields the body lacks (<c>?interval=15</c>...).
/// </summary>
public readonly record struct AlertRequest(
    Stream Body,
    string? ContentType,
    string? ContentEncoding,
    long? ContentLength,
    string? Token,
    DateTimeOffset ReceivedAt,
    AlertDefaults Defaults);

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

/// <summary>What an alert is read for: the passphrase is checked for <c>/webhook</c> only, looked for by <c>/validate</c> only.</summary>
public enum AlertUse
{
    Webhook,
    Validate,
    Replay,
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

    /// <summary>The format the body was recognised as, once it could be read.</summary>
    public AlertFormat? Format { get; init; }

    /// <summary>How each part of the message was read (<c>tv_instrument → symbol</c>).</summary>
    public IReadOnlyList<FieldMapping> Mappings { get; init; } = [];

    /// <summary>A hint for every field the alert does not carry.</summary>
    public IReadOnlyList<FieldHint> Hints { get; init; } = [];

    public Signal? Signal { get; init; }

    /// <summary>
    /// The alert's body as sent, for <c>/webhook</c> only: kept with the signal until it is delivered, never logged
    /// and never returned by operator reads.
    /// </summary>
    public string? RawBody { get; init; }

    public SignalIdentity? Identity { get; init; }

    /// <summary>Time spent reading, validating and normalizing, without waiting for the body.</summary>
    public double ElapsedMicroseconds { get; init; }

    internal static AlertOutcome Unreadable(int status, string title, string detail) =>
        new() { Stage = AlertStage.Unreadable, Status = status, Title = title, Detail = detail };
}

/// <summary>
/// The one alert pipeline, shared by <c>/webhook</c>, <c>/validate</c> and replays: read → authorize → validate → normalize.
/// Each field is parsed once, by the validator; the signal is built from what it parsed.
/// </summary>
public sealed class AlertPipeline
{
    private readonly AlertValidator _validator;
    private readonly WebhookOptions _options;
    private readonly SharedSecret _passphrase;
    private readonly AlertReaderOptions _readerOptions;

    public AlertPipeline(AlertValidator validator, IOptions<WebhookOptions> options)
    {
        _validator = validator;
        _options = options.Value;
        _passphrase = new SharedSecret(_options.Passphrase);
        _readerOptions = new AlertReaderOptions { PassphraseFields = _options.EffectivePassphraseFields };
    }

    /// <summary>Runs an alert for <c>/webhook</c>: a wrong or missing passphrase stops it at <see cref="AlertStage.Unauthorized"/>.</summary>
    public ValueTask<AlertOutcome> RunAsync(AlertRequest request, CancellationToken cancellationToken) =>
        RunAsync(request, AlertUse.Webhook, cancellationToken);

    /// <summary>
    /// Runs an alert for <c>/validate</c>: every error and warning is reported, and the passphrase is only checked
    /// for presence, so the endpoint cannot be used to guess it.
    /// </summary>
    public ValueTask<AlertOutcome> CheckAsync(AlertRequest request, CancellationToken cancellationToken) =>
        RunAsync(request, AlertUse.Validate, cancellationToken);

    /// <summary>
    /// Reads an alert an operator sends to be replayed: the operator key authorised the request, so the alert's
    /// passphrase is neither required nor checked (nor kept: the signal never holds it).
    /// </summary>
    public ValueTask<AlertOutcome> ReadForReplayAsync(AlertRequest request, CancellationToken cancellationToken) =>
        RunAsync(request, AlertUse.Replay, cancellationToken);

    private async ValueTask<AlertOutcome> RunAsync(AlertRequest request, AlertUse use, CancellationToken cancellationToken)
    {
        var authorize = use == AlertUse.Webhook;
        using var body = new BodyLease();
        if (await ReadAsync(request, body, cancellationToken) is { } unreadable)
        {
            return unreadable;
        }

        var started = Stopwatch.GetTimestamp();
        var input = AlertReader.Read(body.Span, request.Defaults, _readerOptions);

        // No alias can make a wrong passphrase pass: only the configured top-level fields are read as ours.
        if (authorize && !input.IsUnreadable && !IsAuthorized(input, request.Token))
        {
            return new AlertOutcome { Stage = AlertStage.Unauthorized };
        }

        var check = _validator.Validate(input);
        IReadOnlyList<FieldError> errors = check.Errors;
        var warnings = Warnings(input, check, request.Token, use, ref errors);
        if (errors.Count > 0 || check.Alert is not { } alert)
        {
            return new AlertOutcome
            {
                Stage = AlertStage.Invalid,
                Errors = errors,
                Warnings = warnings,
                Format = input.IsUnreadable ? null : input.Format,
                Mappings = input.Mappings,
                Hints = check.Hints,
                ElapsedMicroseconds = Stopwatch.GetElapsedTime(started).TotalMicroseconds,
            };
        }

        var (signal, identity) = AlertNormalizer.ToSignal(alert, request.ReceivedAt, _options.DedupeWindow);
        return new AlertOutcome
        {
            Stage = AlertStage.Parsed,
            Signal = signal,
            Identity = identity,
            Warnings = warnings,
            Format = input.Format,
            Mappings = input.Mappings,
            Hints = check.Hints,
            RawBody = authorize ? body.Text() : null,
            ElapsedMicroseconds = Stopwatch.GetElapsedTime(started).TotalMicroseconds,
        };
    }

    private bool IsAuthorized(AlertInput input, string? token) =>
        !_passphrase.IsConfigured || _passphrase.Matches(input.Passphrase) || _passphrase.Matches(token);

    private IReadOnlyList<string> Warnings(AlertInput input, AlertCheck check, string? token, AlertUse use, ref IReadOnlyList<FieldError> errors)
    {
        var warnings = new List<string>(check.Warnings);
        foreach (var field in input.UnknownFields ?? [])
        {
            warnings.Add($"unknown field '{Printable.Escape(field)}' is ignored");
        }

        if (use != AlertUse.Validate || input.IsUnreadable)
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
