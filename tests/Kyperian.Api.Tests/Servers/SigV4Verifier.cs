using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Kyperian.Api.Tests.Servers;

/// <summary>
/// Recomputes an AWS Signature Version 4 from the request as received, with the secret the test knows, and compares:
/// canonical request → string to sign → HMAC chain (AWS4+secret, date, region, service, aws4_request) → signature.
/// Written from the SigV4 specification, independently of the SDK's signer it checks.
/// </summary>
public static class SigV4Verifier
{
    public const string AccessKey = "AKIDKYPERIANTEST";
    public const string SecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYKYPERIANKEY";
    public const string Region = "us-east-1";

    /// <returns>Null when the signature is valid, else why not.</returns>
    public static string? Verify(HttpRequest request, byte[] body, string expectedService)
    {
        var authorization = request.Headers.Authorization.ToString();
        const string Algorithm = "AWS4-HMAC-SHA256";
        if (!authorization.StartsWith(Algorithm + " ", StringComparison.Ordinal))
        {
            return "no AWS4-HMAC-SHA256 Authorization header";
        }

        var parts = authorization[(Algorithm.Length + 1)..]
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        if (!parts.TryGetValue("Credential", out var credential)
            || !parts.TryGetValue("SignedHeaders", out var signedHeaders)
            || !parts.TryGetValue("Signature", out var signature))
        {
            return "Authorization lacks Credential, SignedHeaders or Signature";
        }

        var scope = credential.Split('/');
        if (scope.Length != 5 || scope[4] != "aws4_request")
        {
            return "malformed credential scope";
        }

        var (accessKey, date, region, service) = (scope[0], scope[1], scope[2], scope[3]);
        if (accessKey != AccessKey)
        {
            return $"unknown access key {accessKey}";
        }

        if (region != Region || service != expectedService)
        {
            return $"scope {region}/{service}, expected {Region}/{expectedService}";
        }

        var amzDate = request.Headers["X-Amz-Date"].ToString();
        if (!DateTime.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var signedAt))
        {
            return "no valid X-Amz-Date";
        }

        if (!amzDate.StartsWith(date, StringComparison.Ordinal))
        {
            return "X-Amz-Date is not on the scope's date";
        }

        if (Math.Abs((DateTime.UtcNow - signedAt).TotalMinutes) > 15)
        {
            return "request signed more than 15 minutes away from now";
        }

        var headerNames = signedHeaders.Split(';');
        if (!headerNames.Contains("host") || !headerNames.Contains("x-amz-date"))
        {
            return "host and x-amz-date must be signed";
        }

        if (headerNames.Any(h => h != h.ToLowerInvariant()) || !headerNames.SequenceEqual(headerNames.Order(StringComparer.Ordinal)))
        {
            return "signed headers must be lower case and sorted";
        }

        var payloadHash = Hex(SHA256.HashData(body));
        if (request.Headers.TryGetValue("X-Amz-Content-Sha256", out var declared) && declared.ToString() != payloadHash)
        {
            return "X-Amz-Content-Sha256 does not match the body";
        }

        var canonical = new StringBuilder();
        canonical.Append(request.Method).Append('\n');
        canonical.Append(CanonicalPath(request.Path.HasValue ? request.Path.Value! : "/")).Append('\n');
        canonical.Append(CanonicalQuery(request.QueryString.HasValue ? request.QueryString.Value![1..] : "")).Append('\n');
        foreach (var name in headerNames)
        {
            if (!request.Headers.TryGetValue(name, out var values))
            {
                return $"signed header {name} is missing";
            }

            canonical.Append(name).Append(':').Append(CanonicalValue(values.ToString())).Append('\n');
        }

        canonical.Append('\n').Append(signedHeaders).Append('\n').Append(payloadHash);

        var stringToSign = string.Join('\n', Algorithm, amzDate, $"{date}/{region}/{service}/aws4_request", Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString()))));
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + SecretKey), date);
        key = Hmac(key, region);
        key = Hmac(key, service);
        key = Hmac(key, "aws4_request");
        var expected = Hex(Hmac(key, stringToSign));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature))
            ? null
            : "signature does not match";
    }

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    /// <summary>Trimmed, with runs of spaces collapsed to one.</summary>
    private static string CanonicalValue(string value)
    {
        var builder = new StringBuilder(value.Length);
        var space = false;
        foreach (var c in value.Trim())
        {
            if (c == ' ')
            {
                if (!space)
                {
                    builder.Append(c);
                }

                space = true;
            }
            else
            {
                builder.Append(c);
                space = false;
            }
        }

        return builder.ToString();
    }

    /// <summary>Each segment URI-encoded (RFC 3986 unreserved kept), for services other than S3: encoded twice.</summary>
    private static string CanonicalPath(string path) =>
        string.Join('/', path.Split('/').Select(segment => Encode(Encode(Uri.UnescapeDataString(segment)))));

    private static string CanonicalQuery(string query) =>
        string.Join('&', query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Select(kv => (Key: Encode(Uri.UnescapeDataString(kv[0].Replace('+', ' '))), Value: Encode(kv.Length > 1 ? Uri.UnescapeDataString(kv[1].Replace('+', ' ')) : "")))
            .OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .ThenBy(kv => kv.Value, StringComparer.Ordinal)
            .Select(kv => kv.Key + "=" + kv.Value));

    private static string Encode(string value)
    {
        var builder = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }
}
