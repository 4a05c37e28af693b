
namespace Kyperian.Lambda.Tests;

/// <summary>API Gateway HTTP API (payload 2.0) events through the runtime loop into a real app and back.</summary>
public sealed class HttpApiTests(HttpApiFixture fixture) : IClassFixture<HttpApiFixture>
{
    private readonly FakeRuntimeApi _runtime = fixture.Runtime;

    [Fact]
    public async Task Documented_event_arrives_as_the_request()
    {
        var echo = (await _runtime.InvokeAsync(Events.Json("http-api-v2.json"))).Echo();

        Assert.Equal("POST", echo.GetProperty("method").GetString());
        Assert.Equal("", echo.GetProperty("pathBase").GetString());
        Assert.Equal("/echo/my/path", echo.GetProperty("path").GetString());
        Assert.Equal("?parameter1=value1&parameter1=value2&parameter2=value", echo.GetProperty("queryString").GetString());
        Assert.Equal(["value1", "value2"], echo.GetProperty("query").GetProperty("parameter1").Strings());
        Assert.Equal("Hello from Lambda", echo.GetProperty("bodyText").GetString());
        Assert.Equal(17, echo.GetProperty("contentLength").GetInt64());
        Assert.Equal("192.0.2.44", echo.GetProperty("remoteIp").GetString());
        Assert.Equal("id.execute-api.us-east-1.amazonaws.com", echo.GetProperty("headers").GetProperty("Host")[0].GetString());
        Assert.Equal("value1,value2", echo.GetProperty("headers").GetProperty("header2")[0].GetString());
    }

    [Fact]
    public async Task Cookies_array_becomes_the_Cookie_header()
    {
        var echo = (await _runtime.InvokeAsync(Events.Json("http-api-v2.json"))).Echo();

        Assert.Equal("cookie1=one; cookie2=two", echo.GetProperty("headers").GetProperty("Cookie")[0].GetString());
        Assert.Equal("one", echo.GetProperty("cookies").GetProperty("cookie1").GetString());
        Assert.Equal("two", echo.GetProperty("cookies").GetProperty("cookie2").GetString());
    }

    [Fact]
    public async Task Named_stage_becomes_PathBase()
    {
        var json = Events.HttpApi("/Prod/echo/staged", change: e => e["requestContext"]!["stage"] = "Prod");

        var echo = (await _runtime.InvokeAsync(json)).Echo();

        Assert.Equal("/Prod", echo.GetProperty("pathBase").GetString());
        Assert.Equal("/echo/staged", echo.GetProperty("path").GetString());
    }

    [Fact]
    public async Task Raw_query_string_is_decoded_like_kestrel_would()
    {
        var json = Events.HttpApi("/echo/q", change: e => e["rawQueryString"] = "at=2025-11-28T12%3A00%3A00%2B01%3A00&text=buy%20now&form=a+b&slash=a%2Fb");

        var query = (await _runtime.InvokeAsync(json)).Echo().GetProperty("query");

        Assert.Equal("2025-11-28T12:00:00+01:00", query.GetProperty("at")[0].GetString());
        Assert.Equal("buy now", query.GetProperty("text")[0].GetString());
        Assert.Equal("a b", query.GetProperty("form")[0].GetString());
        Assert.Equal("a/b", query.GetProperty("slash")[0].GetString());
    }

    [Fact]
    public async Task Encoded_path_keeps_plus_and_encoded_slash()
    {
        var echo = (await _runtime.InvokeAsync(Events.HttpApi("/echo/a+b/c%2Fd/e%20f"))).Echo();

        Assert.Equal("/echo/a+b/c%2Fd/e f", echo.GetProperty("path").GetString());
    }

    [Fact]
    public async Task Set_Cookie_goes_to_the_cookies_array()
    {
        var answer = await _runtime.InvokeAsync(Events.HttpApi("/cookies"));

        Assert.Equal(200, answer.StatusCode());
        Assert.Equal(["session=abc; path=/", "theme=dark; path=/"], answer.Json.GetProperty("cookies").Strings());
        var headers = answer.Json.GetProperty("headers");
        Assert.False(headers.TryGetProperty("Set-Cookie", out _));
        Assert.Equal("one,two", headers.GetProperty("X-Multi").GetString());
        Assert.False(answer.Json.TryGetProperty("multiValueHeaders", out _));
    }

    [Fact]
    public async Task Binary_response_is_base64_encoded()
    {
        var answer = await _runtime.InvokeAsync(Events.HttpApi("/binary/png"));

        Assert.True(answer.IsBase64());
        Assert.Equal(TestApp.Png, answer.BodyBytes());
    }

    [Fact]
    public async Task Base64_request_body_is_decoded()
    {
        var json = Events.HttpApi("/echo/upload", "PUT", e =>
        {
            e["body"] = Convert.ToBase64String(TestApp.Octets);
            e["isBase64Encoded"] = true;
            e["headers"]!["content-type"] = "application/octet-stream";
        });

        var echo = (await _runtime.InvokeAsync(json)).Echo();

        Assert.Equal("PUT", echo.GetProperty("method").GetString());
        Assert.Equal(Convert.ToBase64String(TestApp.Octets), echo.GetProperty("bodyBase64").GetString());
        Assert.Equal(256, echo.GetProperty("contentLength").GetInt64());
    }

    [Fact]
    public async Task Exception_is_a_500_response()
    {
        var answer = await _runtime.InvokeAsync(Events.HttpApi("/throw"));
        var next = await _runtime.InvokeAsync(Events.HttpApi("/echo/next"));

        Assert.Equal(500, answer.StatusCode());
        Assert.Equal("/echo/next", next.Echo().GetProperty("path").GetString());
    }
}
