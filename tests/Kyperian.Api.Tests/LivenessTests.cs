using Microsoft.AspNetCore.Mvc.Testing;

namespace Kyperian.Api.Tests;

public class LivenessTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    [Fact]
    public async Task Live_answers_200()
    {
        var response = await factory.CreateClient().GetAsync("/health/live");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }
}
