using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Kyperian.Lambda.Runtime;

/// <summary>
/// HTTP client of the Lambda Runtime API (version 2018-06-01) at <c>http://{AWS_LAMBDA_RUNTIME_API}/2018-06-01</c>.
/// </summary>
internal sealed class RuntimeApiClient : IDisposable
{
    public const string ErrorContentType = "application/vnd.aws.lambda.error+json";
    public const string ErrorTypeHeader = "Lambda-Runtime-Function-Error-Type";

    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");
    private static readonly MediaTypeHeaderValue ErrorMediaType = new(ErrorContentType);

    private readonly HttpClient _http;

    public RuntimeApiClient(string runtimeApi)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runtimeApi);
        if (!Uri.TryCreate($"http://{runtimeApi}/2018-06-01/", UriKind.Absolute, out var baseAddress))
        {
            throw new ArgumentException($"AWS_LAMBDA_RUNTIME_API '{runtimeApi}' is not a host:port.", nameof(runtimeApi));
        }

        BaseAddress = baseAddress;
        var handler = new SocketsHttpHandler
        {
            // The Runtime API is local to the sandbox: never go through a proxy, never decompress.
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };

        // /next is a long poll that may wait for hours: no client timeout.
        _http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
    }

    public Uri BaseAddress { get; }

    public async Task<LambdaInvocation> GetNextInvocationAsync(CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync("runtime/invocation/next", HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await FailureAsync("GET /runtime/invocation/next", response, cancellationToken).ConfigureAwait(false);
        }

        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var headers = response.Headers;
        var requestId = Header(headers, "Lambda-Runtime-Aws-Request-Id")
            ?? throw new InvalidDataException("The Runtime API sent an invocation without Lambda-Runtime-Aws-Request-Id.");

        var deadline = long.TryParse(Header(headers, "Lambda-Runtime-Deadline-Ms"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : DateTimeOffset.MaxValue;

        return new LambdaInvocation
        {
            AwsRequestId = requestId,
            Deadline = deadline,
            InvokedFunctionArn = Header(headers, "Lambda-Runtime-Invoked-Function-Arn"),
            TraceId = Header(headers, "Lambda-Runtime-Trace-Id"),
            ClientContext = Header(headers, "Lambda-Runtime-Client-Context"),
            CognitoIdentity = Header(headers, "Lambda-Runtime-Cognito-Identity"),
            Event = body,
        };
    }

    public Task PostResponseAsync(string awsRequestId, byte[] payload, CancellationToken cancellationToken)
    {
        var content = new ByteArrayContent(payload);
        content.Headers.ContentType = JsonContentType;
        return PostAsync($"runtime/invocation/{Uri.EscapeDataString(awsRequestId)}/response", content, null, cancellationToken);
    }

    public Task PostInvocationErrorAsync(string awsRequestId, Exception error, CancellationToken cancellationToken)
    {
        var body = LambdaErrorBody.From(error);
        return PostAsync($"runtime/invocation/{Uri.EscapeDataString(awsRequestId)}/error", ErrorContent(body), body.ErrorType, cancellationToken);
    }

    public Task PostInitErrorAsync(Exception error, CancellationToken cancellationToken)
    {
        var body = LambdaErrorBody.From(error);
        return PostAsync("runtime/init/error", ErrorContent(body), body.ErrorType, cancellationToken);
    }

    public void Dispose() => _http.Dispose();

    private static ByteArrayContent ErrorContent(LambdaErrorBody body)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, RuntimeJsonContext.Default.LambdaErrorBody));
        content.Headers.ContentType = ErrorMediaType;
        return content;
    }

    private async Task PostAsync(string path, HttpContent content, string? errorType, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        if (errorType is not null)
        {
            request.Headers.TryAddWithoutValidation(ErrorTypeHeader, errorType);
        }

        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await FailureAsync("POST /" + path, response, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<RuntimeApiException> FailureAsync(string operation, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string? body = null;
        try
        {
            body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            // The status is what matters.
        }

        return new RuntimeApiException(operation, response.StatusCode, body);
    }

    private static string? Header(HttpResponseHeaders headers, string name)
        => headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
