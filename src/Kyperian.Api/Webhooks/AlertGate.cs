using System.Buffers;
using System.Diagnostics;
using Kyperian.Api.Hosting;
using Kyperian.Domain.Alerts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Webhooks;

/// <summary>
/// Everything between the raw request and a valid alert: media type, size, JSON, passphrase, rules.
/// Shared by /webhook and /validate so both judge an alert the same way.
/// </summary>
public sealed class AlertGate
{
    private readonly AlertValidator _validator;
    private readonly WebhookOptions _options;

    public AlertGate(AlertValidator validator, IOptions<WebhookOptions> options)
    {
        _validator = validator;
        _options = options.Value;
        Passphrase = new SharedSecret(_options.Passphrase);
    }

    public SharedSecret Passphrase { get; }

    public WebhookOptions Options => _options;

    /// <summary>Reads the body into <paramref name="lease"/>, or says why the request cannot be read.</summary>
    public async ValueTask<ProblemHttpResult?> ReadBodyAsync(HttpRequest request, BodyLease lease)
    {
        if (!IsAlertMediaType(request.ContentType))
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported media type",
                detail: "Send the alert message as application/json or text/plain, as TradingView's webhook does.");
        }

        var max = _options.MaxBodyBytes;
        if (request.ContentLength > max || !await lease.FillAsync(request.Body, max, request.HttpContext.RequestAborted))
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status413PayloadTooLarge,
                title: "Payload too large",
                detail: $"The alert body is larger than {max} bytes.");
        }

        return null;
    }

    public static ProblemHttpResult Unauthorized() => TypedResults.Problem(
        statusCode: StatusCodes.Status401Unauthorized,
        title: "Unauthorized",
        detail: "The alert is not authorized.");

    /// <summary>True when the passphrase (body, or <c>?token=</c>) is right, or none is configured.</summary>
    public bool IsAuthorized(AlertInput input, string? token) =>
        !Passphrase.IsConfigured || Passphrase.Matches(input.Passphrase) || Passphrase.Matches(token);

    public IReadOnlyList<FieldError> Check(AlertInput input) => _validator.Check(input);

    public static ValidationProblem Invalid(IReadOnlyList<FieldError> errors)
    {
        var byField = new Dictionary<string, string[]>(errors.Count, StringComparer.Ordinal);
        foreach (var error in errors)
        {
            byField[error.Field] = byField.TryGetValue(error.Field, out var reasons) ? [.. reasons, error.Reason] : [error.Reason];
        }

        return TypedResults.ValidationProblem(
            byField,
            title: "The alert is invalid",
            detail: $"{byField.Count} field(s) failed: {string.Join(", ", byField.Keys)}.");
    }

    public static double MicrosecondsSince(long startTimestamp) => Stopwatch.GetElapsedTime(startTimestamp).TotalMicroseconds;

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

/// <summary>A pooled buffer holding one request body; return it by disposing.</summary>
public sealed class BodyLease : IDisposable
{
    private byte[]? _buffer;

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    /// <returns>False when the body is longer than <paramref name="maxBytes"/>.</returns>
    public async ValueTask<bool> FillAsync(Stream body, int maxBytes, CancellationToken cancellationToken)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(maxBytes + 1);
        while (true)
        {
            var read = await body.ReadAsync(_buffer.AsMemory(Length, _buffer.Length - Length), cancellationToken);
            if (read == 0)
            {
                return true;
            }

            Length += read;
            if (Length > maxBytes)
            {
                return false;
            }
        }
    }

    public void Dispose()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
    }
}
