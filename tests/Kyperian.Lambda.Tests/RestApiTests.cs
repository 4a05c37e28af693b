using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Kyperian.Lambda.Tests;

/// <summary>API Gateway REST API (payload 1.0) events through the runtime loop into a real app and back.</summary>
public sealed class RestApiTests(RestApiFixture fixture) : IClassFixture<RestApiFixture>
{
    private readonly FakeRuntimeApi _runtime = fixture.Runtime;

    [Fact]
    public async Task Stage_becomes_PathBase_and_proxy_path_is_the_path()
    {
        var answer = await _runtime.InvokeAsync(Events.Json("rest-api-proxy.json"));

        Assert.Equal("response", answer.Kind);
        Assert.StartsWith("application/json", answer.Header("Content-Type"));
        Assert.False(answer.IsBase64());
        var echo = answer.Echo();
        Assert.Equal("GET", echo.GetProperty("method").GetString());
        Assert.Equal("https", echo.GetProperty("scheme").GetString());
        Assert.Equal("/Prod", echo.GetProperty("pathBase").GetString());
        Assert.Equal("/echo/hello", echo.GetProperty("path").GetString());
        Assert.Equal("198.51.100.7", echo.GetProperty("remoteIp").GetString());
        Assert.Equal("a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com", echo.GetProperty("headers").GetProperty("Host")[0].GetString());
        Assert.Equal(answer.RequestId, echo.GetProperty("awsRequestId").GetString());
        Assert.Equal(answer.RequestId, echo.GetProperty("traceIdentifier").GetString());
        Assert.Equal(FakeRuntimeApi.FunctionArn, echo.GetProperty("functionArn").GetString());
        Assert.Equal(JsonValueKind.Null, echo.GetProperty("contentLength").ValueKind);
    }

    [Fact]
    public async Task Multi_value_query_and_headers_win_over_single_value_maps()
    {
        var echo = (await _runtime.InvokeAsync(Events.Json("rest-api-proxy.json"))).Echo();

        Assert.Equal(["a", "b"], echo.GetProperty("query").GetProperty("tag").Strings());
        Assert.Equal(["BTCUSDT"], echo.GetProperty("query").GetProperty("symbol").Strings());
        Assert.Equal(["first", "second"], echo.GetProperty("headers").GetProperty("X-Multi").Strings());
    }

    [Fact]
    public async Task Single_value_maps_are_used_when_there_are_no_multi_value_ones()
    {
        var json = Events.Json("rest-api-proxy.json", e =>
        {
            e["multiValueHeaders"] = null;
            e["multiValueQueryStringParameters"] = null;
        });

        var echo = (await _runtime.InvokeAsync(json)).Echo();

        Assert.Equal(["b"], echo.GetProperty("query").GetProperty("tag").Strings());
        Assert.Equal(["second"], echo.GetProperty("headers").GetProperty("X-Multi").Strings());
    }

    [Fact]
    public async Task Encoded_paths_keep_plus_and_encoded_slash_and_decode_spaces()
    {
        var json = Events.RestApi("echo/a+b/c%2Fd/e%20f");

        var echo = (await _runtime.InvokeAsync(json)).Echo();

        Assert.Equal("/Prod", echo.GetProperty("pathBase").GetString());
        Assert.Equal("/echo/a+b/c%2Fd/e f", echo.GetProperty("path").GetString());
        Assert.Equal("echo/a+b/c%2Fd/e f", echo.GetProperty("routePath").GetString());
    }

    [Fact]
    public async Task Decoded_query_values_arrive_intact()
    {
        // API Gateway hands query values decoded: "+" is a plus, not a space.
        var json = Events.Json("rest-api-proxy.json", e =>
        {
            e["multiValueQueryStringParameters"] = new JsonObject
            {
                ["plus"] = new JsonArray("2025-11-28T12:00:00+01:00"),
                ["space"] = new JsonArray("buy now"),
                ["tricky"] = new JsonArray("a/b&c=d%20e"),
                ["with space"] = new JsonArray("ok"),
            };
        });

        var query = (await _runtime.InvokeAsync(json)).Echo().GetProperty("query");

        Assert.Equal("2025-11-28T12:00:00+01:00", query.GetProperty("plus")[0].GetString());
        Assert.Equal("buy now", query.GetProperty("space")[0].GetString());
        Assert.Equal("a/b&c=d%20e", query.GetProperty("tricky")[0].GetString());
        Assert.Equal("ok", query.GetProperty("with space")[0].GetString());
    }

    [Fact]
    public async Task Resource_parameters_besides_proxy_are_filled_in()
    {
        var json = Events.Json("rest-api-proxy.json", e =>
        {
            e["resource"] = "/echo/{account}/{proxy+}";
            e["path"] = "/echo/acc-1/orders/7";
            e["pathParameters"] = new JsonObject { ["account"] = "acc-1", ["proxy"] = "orders/7" };
            e["requestContext"]!["path"] = "/Prod/echo/acc-1/orders/7";
        });

        var echo = (await _runtime.InvokeAsync(json)).Echo();

        Assert.Equal("/Prod", echo.GetProperty("pathBase").GetString());
        Assert.Equal("/echo/acc-1/orders/7", echo.GetProperty("path").GetString());
    }

    [Fact]
    public async Task Stage_root_is_path_slash()
    {
        var json = Events.Json("rest-api-proxy.json", e =>
        {
            e["resource"] = "/";
            e["path"] = "/";
            e["pathParameters"] = null;
            e["requestContext"]!["path"] = "/Prod";
        });

        var echo = (await _runtime.InvokeAsync(json)).Echo();

        Assert.Equal("/Prod", echo.GetProperty("pathBase").GetString());
        Assert.Equal("/", echo.GetProperty("path").GetString());
    }

    [Fact]
    public async Task Base64_request_body_is_decoded_and_content_length_set()
    {
        var echo = (await _runtime.InvokeAsync(Events.Json("rest-api-post-base64.json"))).Echo();

        Assert.Equal("POST", echo.GetProperty("method").GetString());
        Assert.Equal("AAEC/f7/SGVsbG8=", echo.GetProperty("bodyBase64").GetString());
        Assert.Equal(11, echo.GetProperty("contentLength").GetInt64());
        Assert.Equal("203.0.113.9", echo.GetProperty("remoteIp").GetString());
    }

    [Fact]
    public async Task Text_request_body_is_utf8()
    {
        var json = Events.RestApi("echo/text", "POST", e =>
        {
            e["body"] = """{"ticker":"BTCUSDT","note":"café ☕"}""";
            e["isBase64Encoded"] = false;
        });

        var echo = (await _runtime.InvokeAsync(json)).Echo();

        Assert.Equal("""{"ticker":"BTCUSDT","note":"café ☕"}""", echo.GetProperty("bodyText").GetString());
        Assert.Equal(Encoding.UTF8.GetByteCount("""{"ticker":"BTCUSDT","note":"café ☕"}"""), echo.GetProperty("contentLength").GetInt64());
    }

    [Fact]
    public async Task Missing_host_becomes_apigateway_api_stage()
    {
        var json = Events.Json("rest-api-proxy.json", e =>
        {
            e["headers"]!.AsObject().Remove("Host");
            e["multiValueHeaders"]!.AsObject().Remove("Host");
        });

        var echo = (await _runtime.InvokeAsync(json)).Echo();

        Assert.Equal("apigateway-a1b2c3d4e5-Prod", echo.GetProperty("headers").GetProperty("Host")[0].GetString());
    }

    [Theory]
    [InlineData("binary/png", "image/png")]
    [InlineData("binary/octets", "application/octet-stream")]
    public async Task Binary_response_is_base64_encoded(string proxy, string contentType)
    {
        var answer = await _runtime.InvokeAsync(Events.RestApi(proxy));

        Assert.Equal(200, answer.StatusCode());
        Assert.True(answer.IsBase64());
        Assert.Equal(contentType, answer.Header("Content-Type"));
        Assert.Equal(contentType == "image/png" ? TestApp.Png : TestApp.Octets, answer.BodyBytes());
    }

    [Fact]
    public async Task Gzip_response_is_base64_encoded()
    {
        var answer = await _runtime.InvokeAsync(Events.RestApi("gzip"));

        Assert.True(answer.IsBase64());
        Assert.Equal("gzip", answer.Header("Content-Encoding"));
        using var gzip = new GZipStream(new MemoryStream(answer.BodyBytes()), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        Assert.Equal(TestApp.GzipText, await reader.ReadToEndAsync());
    }

    [Fact]
    public async Task Multi_value_response_headers_go_to_multiValueHeaders()
    {
        var answer = await _runtime.InvokeAsync(Events.RestApi("cookies"));

        var multi = answer.Json.GetProperty("multiValueHeaders");
        Assert.Equal(["session=abc; path=/", "theme=dark; path=/"], multi.GetProperty("Set-Cookie").Strings());
        Assert.Equal(["one", "two"], multi.GetProperty("X-Multi").Strings());
        Assert.Equal("only", answer.Header("X-Single"));
        Assert.False(answer.Json.GetProperty("headers").TryGetProperty("Set-Cookie", out _));
        Assert.Equal("cookies set", answer.BodyText());
    }

    [Fact]
    public async Task Exception_in_the_pipeline_is_a_500_and_the_loop_keeps_serving()
    {
        var failed = await _runtime.InvokeAsync(Events.RestApi("throw"));
        var partial = await _runtime.InvokeAsync(Events.RestApi("throw-after-write"));
        var next = await _runtime.InvokeAsync(Events.RestApi("echo/after"));

        Assert.Equal("response", failed.Kind);
        Assert.Equal(500, failed.StatusCode());
        Assert.Equal("", failed.BodyText());
        Assert.Equal(500, partial.StatusCode());
        Assert.Equal("", partial.BodyText());
        Assert.False(partial.Json.GetProperty("headers").TryGetProperty("X-Partial", out _));
        Assert.Equal("/echo/after", next.Echo().GetProperty("path").GetString());
    }
}
