using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Unicode;
using Kyperian.Lambda.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Kyperian.Lambda.ApiGateway;

/// <summary>The pieces of the API Gateway ↔ ASP.NET Core translation shared by both payload formats.</summary>
internal static class HttpTranslation
{
    /// <summary>
    /// Decodes a path as Kestrel does: percent-escapes are decoded, except <c>%2F</c> which stays encoded so that an
    /// encoded slash never becomes a segment separator; <c>+</c> is a literal plus (only a query turns it into a space).
    /// </summary>
    public static string DecodePath(string raw)
    {
        if (raw.IndexOf('%', StringComparison.Ordinal) < 0)
        {
            return raw;
        }

        var result = new StringBuilder(raw.Length);
        var start = 0;
        while (true)
        {
            var slash = raw.IndexOf("%2F", start, StringComparison.OrdinalIgnoreCase);
            if (slash < 0)
            {
                result.Append(Uri.UnescapeDataString(raw.AsSpan(start)));
                return result.ToString();
            }

            result.Append(Uri.UnescapeDataString(raw.AsSpan(start, slash - start))).Append("%2F");
            start = slash + 3;
        }
    }

    /// <summary>Builds <c>?k=v&amp;…</c> from decoded name/value pairs, escaping both (<c>+</c> → <c>%2B</c>, space → <c>%20</c>).</summary>
    public static string BuildQueryString(Dictionary<string, string?>? single, Dictionary<string, List<string?>?>? multi)
    {
        var useMulti = multi is { Count: > 0 };
        if (!useMulti && single is not { Count: > 0 })
        {
            return string.Empty;
        }

        var sb = new StringBuilder(64);
        if (useMulti)
        {
            foreach (var (name, values) in multi!)
            {
                if (values is null || values.Count == 0)
                {
                    AppendPair(sb, name, null);
                    continue;
                }

                foreach (var value in values)
                {
                    AppendPair(sb, name, value);
                }
            }
        }
        else
        {
            foreach (var (name, value) in single!)
            {
                AppendPair(sb, name, value);
            }
        }

        return sb.ToString();

        static void AppendPair(StringBuilder sb, string name, string? value)
        {
            sb.Append(sb.Length == 0 ? '?' : '&').Append(Uri.EscapeDataString(name));
            if (value is not null)
            {
                sb.Append('=').Append(Uri.EscapeDataString(value));
            }
        }
    }

    /// <summary>Sets the request body and, when there is one, <c>Content-Length</c>.</summary>
    public static void SetRequestBody(InvocationFeatures features, string? body, bool isBase64Encoded)
    {
        if (string.IsNullOrEmpty(body))
        {
            return;
        }

        var bytes = isBase64Encoded ? Convert.FromBase64String(body) : Encoding.UTF8.GetBytes(body);
        features.Body = new MemoryStream(bytes, 0, bytes.Length, writable: false, publiclyVisible: true);
        features.Headers.ContentLength = bytes.Length;
    }

    /// <summary>Sets the connection's remote address (rate limiting, IP allow lists) and local port.</summary>
    public static void SetConnection(InvocationFeatures features, string? sourceIp)
    {
        if (!string.IsNullOrEmpty(sourceIp) && IPAddress.TryParse(sourceIp, out var remote))
        {
            features.RemoteIpAddress = remote;
        }

        // The port the client connected to API Gateway on.
        if (features.Headers.TryGetValue("X-Forwarded-Port", out var port)
            && int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var localPort))
        {
            features.LocalPort = localPort;
        }
    }

    /// <summary>Status code, as Kestrel sends it (0 means 200).</summary>
    public static int StatusCode(InvocationFeatures features) => features.StatusCode == 0 ? StatusCodes.Status200OK : features.StatusCode;

    /// <summary>
    /// The response body as API Gateway wants it: base64 (<c>isBase64Encoded: true</c>) when compressed or binary, or
    /// when it is not valid UTF-8; UTF-8 text otherwise.
    /// </summary>
    public static (string Body, bool IsBase64Encoded) EncodeBody(ReadOnlySpan<byte> body, IHeaderDictionary headers)
    {
        if (body.IsEmpty)
        {
            return (string.Empty, false);
        }

        if (IsCompressed(headers[HeaderNames.ContentEncoding]) || IsBinaryContentType(headers[HeaderNames.ContentType]) || !Utf8.IsValid(body))
        {
            return (Convert.ToBase64String(body), true);
        }

        return (Encoding.UTF8.GetString(body), false);
    }

    internal static bool IsCompressed(StringValues contentEncoding)
    {
        foreach (var value in contentEncoding)
        {
            var coding = value.AsSpan().Trim();
            if (coding.Length > 0 && !coding.Equals("identity", StringComparison.OrdinalIgnoreCase))
            {
                // gzip, deflate, br, zstd, compress...: the bytes are not text.
                return true;
            }
        }

        return false;
    }

    internal static bool IsBinaryContentType(StringValues contentType)
    {
        if (contentType.Count == 0)
        {
            return false;
        }

        var mediaType = contentType[0].AsSpan();
        var semicolon = mediaType.IndexOf(';');
        if (semicolon >= 0)
        {
            mediaType = mediaType[..semicolon];
        }

        mediaType = mediaType.Trim();

        if (mediaType.StartsWith("image/", StringComparison.OrdinalIgnoreCase))
        {
            // SVG is XML text.
            return !mediaType.Equals("image/svg+xml", StringComparison.OrdinalIgnoreCase);
        }

        return mediaType.StartsWith("audio/", StringComparison.OrdinalIgnoreCase)
            || mediaType.StartsWith("video/", StringComparison.OrdinalIgnoreCase)
            || mediaType.StartsWith("font/", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/zip", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/gzip", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/pdf", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/wasm", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/protobuf", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/x-protobuf", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/vnd.google.protobuf", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("+protobuf", StringComparison.OrdinalIgnoreCase);
    }
}
