using System.Text;
using System.Text.Json;

namespace Kyperian.Lambda.Tests;

/// <summary>A fake Runtime API and a test app on it, shared by the tests of one class.</summary>
public abstract class LambdaAppFixture(LambdaEventSource source) : IAsyncLifetime
{
    public FakeRuntimeApi Runtime { get; private set; } = null!;

    public TestApp App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Runtime = await FakeRuntimeApi.StartAsync();
        App = await TestApp.StartAsync(Runtime.Address, source);
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Runtime.DisposeAsync();
    }
}

public sealed class RestApiFixture() : LambdaAppFixture(LambdaEventSource.RestApi);

public sealed class HttpApiFixture() : LambdaAppFixture(LambdaEventSource.HttpApi);

public static class RuntimePostExtensions
{
    public static int StatusCode(this RuntimePost post) => post.Json.GetProperty("statusCode").GetInt32();

    public static bool IsBase64(this RuntimePost post) => post.Json.GetProperty("isBase64Encoded").GetBoolean();

    public static string Header(this RuntimePost post, string name) => post.Json.GetProperty("headers").GetProperty(name).GetString()!;

    public static byte[] BodyBytes(this RuntimePost post)
    {
        var body = post.Json.GetProperty("body").GetString() ?? "";
        return post.IsBase64() ? Convert.FromBase64String(body) : Encoding.UTF8.GetBytes(body);
    }

    public static string BodyText(this RuntimePost post) => Encoding.UTF8.GetString(post.BodyBytes());

    /// <summary>The echo endpoint's view of the request.</summary>
    public static JsonElement Echo(this RuntimePost post)
    {
        Assert.Equal("response", post.Kind);
        Assert.Equal(200, post.StatusCode());
        return JsonDocument.Parse(post.BodyText()).RootElement;
    }

    public static string[] Strings(this JsonElement element) => element.EnumerateArray().Select(e => e.GetString()!).ToArray();
}
