using System.Net;
using System.Text.Json.Nodes;
using Kyperian.Api.Tests.Http.Infrastructure;

namespace Kyperian.Api.Tests.Http;

/// <summary>The edges of <c>PUT /settings/engine</c>: who may, what is a body, what an error says.</summary>
public sealed class SettingsEndpointTests
{
    [Fact]
    public async Task Changing_settings_needs_the_operator_key_before_the_body_is_read()
    {
        await using var app = new KyperianFactory();
        using var anonymous = await app.CreateClient().PutAsync("/settings/engine", new StringContent("{\"minConfidence\":", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var read = await app.CreateClient().GetAsync("/settings");
        Assert.Equal(HttpStatusCode.Unauthorized, read.StatusCode);
    }

    [Theory]
    [InlineData("{\"minConfidence\":")]
    [InlineData("[1,2]")]
    [InlineData("{}")]
    public async Task A_body_that_is_not_an_object_of_settings_is_400(string body)
    {
        await using var app = new KyperianFactory();
        using var response = await app.CreateOperatorClient().PutAsync("/settings/engine", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(["body"], (await response.ExpectProblemAsync(HttpStatusCode.BadRequest)).ErrorFields());
    }

    [Fact]
    public async Task Every_bad_field_is_named_a_crafted_name_escaped_and_the_version_is_the_servers()
    {
        await using var app = new KyperianFactory();
        var body = new JsonObject
        {
            ["min\nConfidence\u001b[31m"] = 1,
            ["tradingDays"] = new JsonArray("Funday"),
            ["riskDayStartUtc"] = "25:00",
            ["version"] = 7,
        };
        using var response = await app.CreateOperatorClient().PutAsync("/settings/engine", System.Net.Http.Json.JsonContent.Create(body));

        var problem = await response.ExpectProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["min\\u000AConfidence\\u001B[31m", "riskDayStartUtc", "tradingDays", "version"], problem.ErrorFields());
        Assert.DoesNotContain("\n", problem.ToJsonString().Replace("\\n", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Values_that_contradict_each_other_name_the_field_that_cannot_stand()
    {
        await using var app = new KyperianFactory();
        using var response = await app.CreateOperatorClient().PutAsync(
            "/settings/engine", System.Net.Http.Json.JsonContent.Create(new JsonObject { ["maxDailyLossPct"] = 3 }));

        var problem = await response.ExpectProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["warnDailyLossPct"], problem.ErrorFields()); // the 4 % warning would sit above a 3 % limit
        Assert.Contains("below maxDailyLossPct", problem["errors"]!["warnDailyLossPct"]![0]!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_configured_setting_out_of_range_stops_the_start_naming_it()
    {
        await using var app = new KyperianFactory(new Dictionary<string, string?> { ["Kyperian:Engine:MinLiveTimeframes"] = "0" });
        var failure = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        Assert.Contains("Kyperian:Engine:MinLiveTimeframes", failure.ToString(), StringComparison.Ordinal);
    }
}
