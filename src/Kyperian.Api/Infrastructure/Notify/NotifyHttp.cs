using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Kyperian.Api.Infrastructure.Notify;

/// <summary>
/// The HTTP shared by the destinations: one client per destination kind, no redirects (a redirect would carry a
/// signed body or a token elsewhere), no request logging (the URLs hold tokens), timeouts left to the delivery worker.
/// </summary>
public static class NotifyHttp
{
    public const string UserAgent = "Kyperian-Notify/1";

    public static HttpClient CreateClient() =>
        new(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };

    /// <summary>A JSON body written by hand with <see cref="Utf8JsonWriter"/>: no reflection, the field order is ours.</summary>
    public static ByteArrayContent Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        var content = new ByteArrayContent(buffer.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }

    /// <summary>Retry-After as seconds or as an HTTP date, relative to <paramref name="now"/>.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - now;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    /// <summary>Seconds from a JSON number (Telegram's integer, Discord's fraction).</summary>
    public static TimeSpan? Seconds(JsonElement element) =>
        element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out var seconds) && seconds >= 0 && double.IsFinite(seconds)
            ? TimeSpan.FromSeconds(seconds)
            : null;

    /// <summary>The answer's body as text, clipped: it goes into an error the operator reads.</summary>
    public static async Task<string> BodyTextAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var text = Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, 2_048));
        return text.Trim();
    }

    public static JsonDocument? TryParseJson(string text)
    {
        if (text.Length == 0)
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>At most <paramref name="max"/> characters, with an ellipsis when cut: chat services refuse longer texts.</summary>
    public static string Clip(string text, int max) =>
        text.Length <= max ? text : string.Concat(text.AsSpan(0, max - 1), "…");

    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
