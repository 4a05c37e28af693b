using System.Text;
using System.Text.Json;
using Kyperian.Lambda.Http;
using Microsoft.Extensions.Primitives;

namespace Kyperian.Lambda.ApiGateway;

/// <summary>
/// API Gateway REST API (proxy integration, payload 1.0) ↔ ASP.NET Core. Callable on its own (benchmarks, tests):
/// <see cref="ToFeatures(ReadOnlySpan{byte})"/> then <see cref="FromResponse"/> and <see cref="Serialize"/>.
/// </summary>
internal sealed class ApiGatewayV1Marshaller : IApiGatewayMarshaller
{
    public static readonly ApiGatewayV1Marshaller Instance = new();

    private static readonly Dictionary<string, string[]> NoMultiValueHeaders = [];

    private ApiGatewayV1Marshaller()
    {
    }

    public static ApiGatewayV1Request ParseEvent(ReadOnlySpan<byte> eventJson)
    {
        var request = JsonSerializer.Deserialize(eventJson, ApiGatewayJsonContext.Default.ApiGatewayV1Request);
        if (request is null || string.IsNullOrEmpty(request.HttpMethod))
        {
            throw new InvalidDataException("The event is not an API Gateway REST API proxy event (payload 1.0): httpMethod is missing.");
        }

        return request;
    }

    public static InvocationFeatures ToFeatures(ReadOnlySpan<byte> eventJson) => ToFeatures(ParseEvent(eventJson));

    public static InvocationFeatures ToFeatures(ApiGatewayV1Request request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var context = request.RequestContext;
        var features = new InvocationFeatures
        {
            Method = request.HttpMethod ?? "GET",
            Scheme = "https",
            Protocol = string.IsNullOrEmpty(context?.Protocol) ? "HTTP/1.1" : context.Protocol,
        };

        var path = ResolvePath(request);
        var (pathBase, routePath) = SplitPathBase(path, context?.Path, context?.Stage);
        features.PathBase = HttpTranslation.DecodePath(pathBase);
        features.Path = HttpTranslation.DecodePath(routePath);
        features.QueryString = HttpTranslation.BuildQueryString(request.QueryStringParameters, request.MultiValueQueryStringParameters);
        features.RawTarget = (string.IsNullOrEmpty(context?.Path) ? path : context.Path) + features.QueryString;

        var headers = features.Headers;
        if (request.MultiValueHeaders is { Count: > 0 } multi)
        {
            foreach (var (name, values) in multi)
            {
                headers[name] = values is null ? StringValues.Empty : new StringValues([.. values]);
            }
        }
        else if (request.Headers is { Count: > 0 } single)
        {
            foreach (var (name, value) in single)
            {
                headers[name] = value;
            }
        }

        if (!headers.ContainsKey("Host"))
        {
            headers.Host = $"apigateway-{context?.ApiId}-{context?.Stage}";
        }

        HttpTranslation.SetRequestBody(features, request.Body, request.IsBase64Encoded);
        HttpTranslation.SetConnection(features, context?.Identity?.SourceIp);
        return features;
    }

    public static ApiGatewayV1Response FromResponse(InvocationFeatures features)
    {
        ArgumentNullException.ThrowIfNull(features);
        var responseHeaders = features.ResponseHeaders;
        var headers = new Dictionary<string, string>(responseHeaders.Count, StringComparer.Ordinal);
        Dictionary<string, string[]>? multi = null;
        foreach (var (name, values) in responseHeaders)
        {
            // One value: headers; several (Set-Cookie, Vary...): multiValueHeaders. API Gateway merges both maps.
            if (values.Count == 1)
            {
                headers[name] = values[0]!;
            }
            else if (values.Count > 1)
            {
                (multi ??= new Dictionary<string, string[]>(StringComparer.Ordinal))[name] = values!;
            }
        }

        var (body, isBase64) = HttpTranslation.EncodeBody(features.ResponseBody, responseHeaders);
        return new ApiGatewayV1Response
        {
            StatusCode = HttpTranslation.StatusCode(features),
            Headers = headers,
            MultiValueHeaders = multi ?? NoMultiValueHeaders,
            Body = body,
            IsBase64Encoded = isBase64,
        };
    }

    public static byte[] Serialize(ApiGatewayV1Response response)
        => JsonSerializer.SerializeToUtf8Bytes(response, ApiGatewayJsonContext.Default.ApiGatewayV1Response);

    string IApiGatewayMarshaller.PayloadFormat => "REST API (payload 1.0)";

    InvocationFeatures IApiGatewayMarshaller.ToFeatures(ReadOnlySpan<byte> eventJson) => ToFeatures(eventJson);

    byte[] IApiGatewayMarshaller.ToResponseJson(InvocationFeatures features) => Serialize(FromResponse(features));

    /// <summary>
    /// The request path before decoding: the <c>resource</c> template with <c>{proxy+}</c> and the other
    /// <c>{param}</c> filled from <c>pathParameters</c> (this drops a custom-domain base path), else <c>path</c>.
    /// </summary>
    internal static string ResolvePath(ApiGatewayV1Request request)
    {
        var path = FillResource(request.Resource, request.PathParameters) ?? request.Path;
        if (string.IsNullOrEmpty(path))
        {
            return "/";
        }

        return path[0] == '/' ? path : "/" + path;
    }

    private static string? FillResource(string? resource, Dictionary<string, string?>? parameters)
    {
        if (string.IsNullOrEmpty(resource) || parameters is not { Count: > 0 } || resource.IndexOf('{', StringComparison.Ordinal) < 0)
        {
            return null;
        }

        var sb = new StringBuilder(resource.Length + 32);
        var i = 0;
        while (i < resource.Length)
        {
            var open = resource.IndexOf('{', i);
            if (open < 0)
            {
                sb.Append(resource, i, resource.Length - i);
                break;
            }

            var close = resource.IndexOf('}', open);
            if (close < 0)
            {
                return null;
            }

            var name = resource.Substring(open + 1, close - open - 1).TrimEnd('+');
            if (!parameters.TryGetValue(name, out var value) || value is null)
            {
                return null;
            }

            sb.Append(resource, i, open - i).Append(value);
            i = close + 1;
        }

        return sb.ToString();
    }

    /// <summary>
    /// Splits the stage (or custom-domain base path) off: <c>requestContext.path</c> <c>/Prod/x</c> with path <c>/x</c>
    /// gives PathBase <c>/Prod</c>.
    /// </summary>
    internal static (string PathBase, string Path) SplitPathBase(string path, string? contextPath, string? stage)
    {
        if (string.IsNullOrEmpty(contextPath))
        {
            return (string.Empty, path);
        }

        var full = contextPath;
        if (path.EndsWith('/') && !full.EndsWith('/'))
        {
            // https://host/Prod requested: path "/", requestContext.path "/Prod".
            full += "/";
        }
        else if (!path.EndsWith('/') && full.EndsWith('/'))
        {
            // https://host/Prod/items/ requested: keep the trailing slash the resource template lost.
            path += "/";
        }

        if (full.EndsWith(path, StringComparison.Ordinal))
        {
            return (full[..^path.Length].TrimEnd('/'), path);
        }

        // Encodings differ between the two: fall back to the stage name.
        if (!string.IsNullOrEmpty(stage) && stage != "$default"
            && contextPath.StartsWith("/" + stage, StringComparison.Ordinal)
            && (contextPath.Length == stage.Length + 1 || contextPath[stage.Length + 1] == '/'))
        {
            return ("/" + stage, path);
        }

        return (string.Empty, path);
    }
}
