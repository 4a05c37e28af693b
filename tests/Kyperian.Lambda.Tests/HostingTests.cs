using Kyperian.Lambda.ApiGateway;
using Kyperian.Lambda.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Kyperian.Lambda.Tests;

/// <summary>AddLambdaHosting changes nothing off Lambda and replaces the server on Lambda.</summary>
public sealed class HostingTests
{
    [Fact]
    public async Task Without_AWS_LAMBDA_RUNTIME_API_the_app_runs_on_Kestrel()
    {
        Assert.Null(Environment.GetEnvironmentVariable("AWS_LAMBDA_RUNTIME_API"));
        await using var app = await TestApp.StartAsync(runtimeApi: null, LambdaEventSource.RestApi);

        var server = app.Server;
        Assert.Equal("Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerImpl", server.GetType().FullName);
        Assert.Null(app.App.Services.GetService<LambdaRuntime>());

        // And it serves real HTTP.
        var address = server.Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        using var http = new HttpClient();
        var body = await http.GetStringAsync(address + "/echo/kestrel?x=1");
        Assert.Contains("\"path\":\"/echo/kestrel\"", body);
    }

    [Fact]
    public async Task With_AWS_LAMBDA_RUNTIME_API_in_configuration_the_server_is_the_Lambda_runtime()
    {
        await using var runtime = await FakeRuntimeApi.StartAsync();
        await using var app = await TestApp.StartAsync(runtime.Address, LambdaEventSource.HttpApi);

        Assert.IsType<LambdaRuntimeServer>(app.Server);
        Assert.Empty(app.App.Urls);
        Assert.Same(ApiGatewayV2Marshaller.Instance, app.App.Services.GetRequiredService<LambdaRuntime>().Marshaller);
        Assert.Single(app.App.Services.GetServices<IServer>());
    }

    [Fact]
    public void Unknown_event_source_is_refused()
    {
        var services = new ServiceCollection();

        Assert.Throws<ArgumentOutOfRangeException>(() => services.AddLambdaHosting((LambdaEventSource)42));
    }
}
