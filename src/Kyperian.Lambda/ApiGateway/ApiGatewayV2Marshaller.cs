using System.Text.Json;
using Kyperian.Lambda.Http;
using Microsoft.Net.Http.Headers;

namespace Kyperian.Lambda.ApiGateway;

/// <summary>
/// API Gateway HTTP API (payload 2.0) ↔ ASP.NET Core. Callable on its own (benchmarks, tests):
/// <see cref="ToFeatures(ReadOnlySpan{byte})"/> then <see cref="FromResponse"/> and <see cref="Serialize"/>.
/// </summary>
internal sealed class ApiGatewayV2Marshaller : IApiGatewayMarshaller
{
    public static readonly ApiGatewayV2Marshaller Instance = new();

    private ApiGatewayV2Marshaller()
    {
    }

    public static ApiGatewayV2Request ParseEvent(ReadOnlySpan<byte> eventJson)
    {
        var request = JsonSerializer.Deserialize(eventJson, ApiGatewayJsonContext.Default.ApiGatewayV2Request);
        if (request?.RequestContext?.Http is not { Method.Length: > 0 })
        {
            throw new InvalidDataException("The event is not an API Gateway HTTP API event (payload 2.0): requestContext.http.method is missing.");
        }

        return request;
    }

    public static InvocationFeatures ToFeatures(ReadOnlySpan<byte> eventJson) => ToFeatures(ParseEvent(eventJson));

    public static InvocationFeatures ToFeatures(ApiGatewayV2Request request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var context = request.RequestContext;
        var http = context?.Http;
        var features = new InvocationFeatures
        {
            Method = http?.Method ?? "GET",
            Scheme = "https",
            Protocol = string.IsNullOrEmpty(http?.Protocol) ? "HTTP/1.1" : http.Protocol,
        };

        var path = http?.Path;
        if (string.IsNullOrEmpty(path))
        {
            path = string.IsNullOrEmpty(request.RawPath) ? "/" : request.RawPath;
        }

        if (path[0] != '/')
        {
            path = "/" + path;
        }

        // A named stage (not $default) prefixes the path: it becomes PathBase.
        var stage = context?.Stage;
        if (!string.IsNullOrEmpty(stage) && stage != "$default"
            && path.StartsWith("/" + stage, StringComparison.Ordinal)
            && (path.Length == stage.Length + 1 || path[stage.Length + 1] == '/'))
        {
            features.PathBase = "/" + stage;
            path = path.Length == stage.Length + 1 ? "/" : path[(stage.Length + 1)..];
        }

        features.Path = HttpTranslation.DecodePath(path);

        // rawQueryString is what the client sent, still percent-encoded: pass it through.
        features.QueryString = string.IsNullOrEmpty(request.RawQueryString) ? string.Empty : "?" + request.RawQueryString;
        features.RawTarget = (request.RawPath ?? path) + features.QueryString;

        var headers = features.Headers;
        if (request.Headers is { Count: > 0 } single)
        {
            foreach (var (name, value) in single)
            {
                // Repeated headers arrive comma-joined; a comma-joined value is the same header in HTTP semantics,
                // and splitting would break values with commas in them (dates, user agents).
                headers[name] = value;
            }
        }

        if (request.Cookies is { Length: > 0 } cookies)
        {
            headers.Cookie = string.Join("; ", cookies);
        }

        if (!headers.ContainsKey("Host") && !string.IsNullOrEmpty(context?.DomainName))
        {
            headers.Host = context.DomainName;
        }

        HttpTranslation.SetRequestBody(features, request.Body, request.IsBase64Encoded);
        HttpTranslation.SetConnection(features, http?.SourceIp);
        return features;
    }

    public static ApiGatewayV2Response FromResponse(InvocationFeatures features)
    {
        ArgumentNullException.ThrowIfNull(features);
        var responseHeaders = features.ResponseHeaders;
        var headers = new Dictionary<string, string>(responseHeaders.Count, StringComparer.Ordinal);
        string[]? cookies = null;
        foreach (var (name, values) in responseHeaders)
        {
            if (string.Equals(name, HeaderNames.SetCookie, StringComparison.OrdinalIgnoreCase))
            {
                // Cookies cannot be comma-joined: payload 2.0 returns them apart.
                cookies = values!;
                continue;
            }

            if (values.Count > 0)
            {
                headers[name] = values.Count == 1 ? values[0]! : string.Join(',', values!);
            }
        }

        var (body, isBase64) = HttpTranslation.EncodeBody(features.ResponseBody, responseHeaders);
        return new ApiGatewayV2Response
        {
            StatusCode = HttpTranslation.StatusCode(features),
            Headers = headers,
            Cookies = cookies,
            Body = body,
            IsBase64Encoded = isBase64,
        };
    }

    public static byte[] Serialize(ApiGatewayV2Response response)
        => JsonSerializer.SerializeToUtf8Bytes(response, ApiGatewayJsonContext.Default.ApiGatewayV2Response);

    string IApiGatewayMarshaller.PayloadFormat => "HTTP API (payload 2.0)";

    InvocationFeatures IApiGatewayMarshaller.ToFeatures(ReadOnlySpan<byte> eventJson) => ToFeatures(eventJson);

    byte[] IApiGatewayMarshaller.ToResponseJson(InvocationFeatures features) => Serialize(FromResponse(features));
}
