using System.Net;
using System.Text.Json.Nodes;
using Kyperian.Api.Infrastructure.Embedded;
using Kyperian.Api.Tests.Http.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kyperian.Api.Tests.Http.BadInput;

public sealed class BadInputTests(ApiFixture factory) : IClassFixture<ApiFixture>
{
    /// <summary>Words a 401 must not use: it says no, never why.</summary>
    private static readonly string[] Hints = ["missing", "wrong", "token", "secret", "passphrase", "incorrect", "invalid"];

    public static TheoryData<string> Corpus => BadInputCorpus.Names();

    [Fact]
    public void The_corpus_is_large_and_its_names_are_unique()
    {
        Assert.True(BadInputCorpus.Cases.Count >= 80, $"only {BadInputCorpus.Cases.Count} payloads");
        Assert.Equal(BadInputCorpus.Cases.Count, BadInputCorpus.Cases.Select(c => c.Name).Distinct().Count());
        Assert.Contains(BadInputCorpus.Cases, c => c.Status == HttpStatusCode.Unauthorized);
        Assert.Contains(BadInputCorpus.Cases, c => c.Status == HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains(BadInputCorpus.Cases, c => c.Status == HttpStatusCode.UnsupportedMediaType);
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public async Task Bad_input_gets_its_documented_4xx_naming_the_field_and_leaves_nothing(string name)
    {
        var badCase = BadInputCorpus.Get(name);
        var store = factory.Services.GetRequiredService<SqliteSignalStore>();
        var before = await store.CountAsync();

        var (status, problem, text) = await SendAsync(factory.CreateClient(), badCase);

        Assert.True(status < 500, $"{name}: {status} {text}");
        Assert.Equal((int)badCase.Status, status);
        Assert.Equal((int)badCase.Status, (int?)problem["status"]);
        AssertNoSecret(text);
        if (badCase.Status == HttpStatusCode.BadRequest)
        {
            Assert.Equal(badCase.Fields, problem.ErrorFields());
            foreach (var (field, reasons) in problem["errors"]!.AsObject())
            {
                Assert.All(reasons!.AsArray(), r => Assert.False(string.IsNullOrWhiteSpace((string?)r), $"{field} has an empty reason"));
            }
        }
        else
        {
            Assert.Null(problem["errors"]);
        }

        if (badCase.Status == HttpStatusCode.Unauthorized)
        {
            var detail = ((string?)problem["title"] + " " + (string?)problem["detail"]).ToLowerInvariant();
            Assert.DoesNotContain(Hints, detail.Contains);
        }

        Assert.Equal(before, await store.CountAsync());
        using var listed = await factory.CreateOperatorClient().GetAsync($"/signals?symbol={badCase.Symbol}");
        Assert.Empty((await listed.ExpectAsync(HttpStatusCode.OK)).AsArray());
    }

    [Fact]
    public async Task After_the_whole_corpus_nothing_is_stored_or_decided_and_no_secret_is_in_any_answer_or_log_line()
    {
        await using var app = new KyperianFactory();
        var client = app.CreateClient();
        var operatorClient = app.CreateOperatorClient();
        var signals = app.Services.GetRequiredService<SqliteSignalStore>();
        var decisions = app.Services.GetRequiredService<SqliteDecisionStore>();
        var signalsBefore = await signals.CountAsync();

        var unauthorized = new List<string>();
        foreach (var badCase in BadInputCorpus.Cases)
        {
            var (status, problem, text) = await SendAsync(client, badCase);
            Assert.True(status == (int)badCase.Status, $"{badCase.Name}: {status} {text}");
            AssertNoSecret(text);
            if (status == 401)
            {
                problem.Remove("traceId");
                unauthorized.Add(problem.ToJsonString());
            }
        }

        // One 401 for every reason: the answer does not tell a missing passphrase from a wrong one.
        Assert.True(unauthorized.Count >= 20);
        Assert.Single(unauthorized.Distinct());

        // Nothing stored, under any symbol the corpus used, and nothing reached the engine.
        Assert.Equal(0, signalsBefore);
        Assert.Equal(signalsBefore, await signals.CountAsync());
        foreach (var symbol in BadInputCorpus.Cases.Select(c => c.Symbol).Distinct())
        {
            using var listed = await operatorClient.GetAsync($"/signals?symbol={symbol}");
            Assert.Empty((await listed.ExpectAsync(HttpStatusCode.OK)).AsArray());
            using var decided = await operatorClient.GetAsync($"/decisions?symbol={symbol}");
            Assert.Empty((await decided.ExpectAsync(HttpStatusCode.OK)).AsArray());
        }

        Assert.Equal(0, await decisions.CountAsync());

        // A valid alert still goes through afterwards: the corpus broke nothing.
        await client.AcceptAsync(Alerts.Alert("CRPAFTER"));
        Assert.Equal(1, await signals.CountAsync());

        var lines = app.Logs.Lines.ToArray();
        Assert.Contains(lines, l => l.Message.Contains("Rejected an alert", StringComparison.Ordinal));
        Assert.All(lines, l => AssertNoSecret(l.Text));
        Assert.DoesNotContain(lines, l => l.Level >= LogLevel.Error);
    }

    private static async Task<(int Status, JsonObject Problem, string Text)> SendAsync(HttpClient client, BadCase badCase)
    {
        using var request = badCase.ToRequest();
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(
            response.Content.Headers.ContentType?.MediaType == "application/problem+json",
            $"{badCase.Name}: {(int)response.StatusCode} answered as {response.Content.Headers.ContentType}: {text}");
        return ((int)response.StatusCode, JsonNode.Parse(text)!.AsObject(), text);
    }

    private static void AssertNoSecret(string text)
    {
        Assert.DoesNotContain(KyperianFactory.Passphrase, text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(KyperianFactory.OperatorKey, text, StringComparison.OrdinalIgnoreCase);
    }
}
