using System.Buffers;
using System.Text;
using System.Text.Json;
using Kyperian.Lambda.ApiGateway;
using Kyperian.Lambda.Http;
using Microsoft.AspNetCore.Http;

namespace Kyperian.Lambda.Tests;

/// <summary>The translation called on its own, as a benchmark does: event JSON → features → response JSON.</summary>
public sealed class MarshallerTests
{
    [Theory]
    [InlineData("/plain/path", "/plain/path")]
    [InlineData("/a+b", "/a+b")]
    [InlineData("/a%2Bb", "/a+b")]
    [InlineData("/a%20b", "/a b")]
    [InlineData("/a%2Fb/c%2fd", "/a%2Fb/c%2Fd")]
    [InlineData("/caf%C3%A9", "/café")]
    [InlineData("/100%", "/100%")]
    public void Path_is_decoded_like_kestrel(string raw, string expected)
        => Assert.Equal(expected, HttpTranslation.DecodePath(raw));

    [Theory]
    [InlineData("/x", "/Prod/x", "Prod", "/Prod", "/x")]
    [InlineData("/", "/Prod", "Prod", "/Prod", "/")]
    [InlineData("/", "/Prod/", "Prod", "/Prod", "/")]
    [InlineData("/items", "/Prod/items/", "Prod", "/Prod", "/items/")]
    [InlineData("/x", "/x", "$default", "", "/x")]
    [InlineData("/x", "/v1/x", "Prod", "/v1", "/x")]
    [InlineData("/a%20b", "/Prod/a b", "Prod", "/Prod", "/a%20b")]
    [InlineData("/x", null, "Prod", "", "/x")]
    public void Rest_api_path_base_is_the_stage_prefix(string path, string? contextPath, string stage, string expectedBase, string expectedPath)
        => Assert.Equal((expectedBase, expectedPath), ApiGatewayV1Marshaller.SplitPathBase(path, contextPath, stage));

    [Theory]
    [InlineData("image/png", null, true)]
    [InlineData("image/svg+xml", null, false)]
    [InlineData("application/octet-stream", null, true)]
    [InlineData("application/pdf", null, true)]
    [InlineData("application/zip", null, true)]
    [InlineData("application/x-protobuf", null, true)]
    [InlineData("application/protobuf", null, true)]
    [InlineData("application/wasm", null, true)]
    [InlineData("application/json; charset=utf-8", null, false)]
    [InlineData("application/problem+json", null, false)]
    [InlineData("text/plain", "gzip", true)]
    [InlineData("application/json", "br", true)]
    [InlineData("application/json", "deflate", true)]
    [InlineData("application/json", "identity", false)]
    [InlineData(null, null, false)]
    public void Binary_or_compressed_bodies_are_base64(string? contentType, string? contentEncoding, bool base64)
    {
        var features = new InvocationFeatures();
        if (contentType is not null)
        {
            features.ResponseHeaders.ContentType = contentType;
        }

        if (contentEncoding is not null)
        {
            features.ResponseHeaders.ContentEncoding = contentEncoding;
        }

        features.Stream.Write("{}"u8);

        var response = ApiGatewayV1Marshaller.FromResponse(features);

        Assert.Equal(base64, response.IsBase64Encoded);
        Assert.Equal(base64 ? "e30=" : "{}", response.Body);
    }

    [Fact]
    public void Text_that_is_not_utf8_goes_base64_instead_of_being_mangled()
    {
        var features = new InvocationFeatures();
        features.ResponseHeaders.ContentType = "text/plain; charset=iso-8859-1";
        features.Stream.Write([0x63, 0x61, 0x66, 0xE9]); // "café" in Latin-1

        var response = ApiGatewayV2Marshaller.FromResponse(features);

        Assert.True(response.IsBase64Encoded);
        Assert.Equal([0x63, 0x61, 0x66, 0xE9], Convert.FromBase64String(response.Body!));
    }

    [Fact]
    public async Task Rest_api_round_trip_without_http()
    {
        var eventJson = Encoding.UTF8.GetBytes(Events.Json("rest-api-proxy.json"));

        var features = ApiGatewayV1Marshaller.ToFeatures(eventJson);
        features.StatusCode = 202;
        features.ResponseHeaders.ContentType = "application/json";
        features.ResponseHeaders.Append("Vary", "Accept");
        features.ResponseHeaders.Append("Vary", "Origin");
        features.Writer.Write("""{"accepted":true}"""u8);
        await features.EndResponseAsync();
        var json = JsonDocument.Parse(ApiGatewayV1Marshaller.Serialize(ApiGatewayV1Marshaller.FromResponse(features))).RootElement;

        Assert.Equal("GET", features.Method);
        Assert.Equal("/Prod", features.PathBase);
        Assert.Equal("/echo/hello", features.Path);
        Assert.Equal("?symbol=BTCUSDT&tag=a&tag=b", features.QueryString);
        Assert.Equal(443, features.LocalPort);
        Assert.Equal(202, json.GetProperty("statusCode").GetInt32());
        Assert.Equal("application/json", json.GetProperty("headers").GetProperty("Content-Type").GetString());
        Assert.Equal(["Accept", "Origin"], json.GetProperty("multiValueHeaders").GetProperty("Vary").Strings());
        Assert.Equal("""{"accepted":true}""", json.GetProperty("body").GetString());
        Assert.False(json.GetProperty("isBase64Encoded").GetBoolean());
        Assert.True(features.HasStarted);
    }

    [Fact]
    public void Http_api_stage_prefix_is_stripped_only_on_a_segment_boundary()
    {
        static InvocationFeatures Translate(string path) => ApiGatewayV2Marshaller.ToFeatures(Encoding.UTF8.GetBytes(Events.HttpApi(path, change: e => e["requestContext"]!["stage"] = "Prod")));

        var staged = Translate("/Prod/x");
        var lookalike = Translate("/Production/x");
        var root = Translate("/Prod");

        Assert.Equal(("/Prod", "/x"), (staged.PathBase, staged.Path));
        Assert.Equal(("", "/Production/x"), (lookalike.PathBase, lookalike.Path));
        Assert.Equal(("/Prod", "/"), (root.PathBase, root.Path));
    }

    [Fact]
    public void Response_headers_are_frozen_once_the_body_starts()
    {
        var features = new InvocationFeatures();
        var onStartingRan = false;
        features.OnStarting(_ =>
        {
            onStartingRan = true;
            features.ResponseHeaders["X-Set-On-Starting"] = "yes";
            return Task.CompletedTask;
        }, features);

        features.Stream.Write("x"u8);

        Assert.True(onStartingRan);
        Assert.Equal("yes", features.ResponseHeaders["X-Set-On-Starting"]);
        Assert.Throws<InvalidOperationException>(() => features.ResponseHeaders["X-Late"] = "no");
    }

    [Fact]
    public void Feature_set_by_middleware_overrides_the_built_in_one()
    {
        var features = new InvocationFeatures();
        var revision = features.Revision;
        var replacement = new StreamResponseBodyFeature(Stream.Null);

        features.Set<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>(replacement);

        Assert.Same(replacement, features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>());
        Assert.Same(features, features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>());
        Assert.True(features.Revision > revision);
    }
}
