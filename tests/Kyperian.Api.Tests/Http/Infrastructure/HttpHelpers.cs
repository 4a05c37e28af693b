using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Xunit.Sdk;

namespace Kyperian.Api.Tests.Http.Infrastructure;

public static class HttpHelpers
{
    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(5);

    public static Task<HttpResponseMessage> PostAlertAsync(this HttpClient client, JsonNode alert, string path = "/webhook") =>
        client.PostRawAsync(path, alert.ToJsonString(), "application/json");

    public static Task<HttpResponseMessage> PostRawAsync(this HttpClient client, string path, string body, string? mediaType) =>
        client.PostRawAsync(path, Encoding.UTF8.GetBytes(body), mediaType);

    public static Task<HttpResponseMessage> PostRawAsync(this HttpClient client, string path, byte[] body, string? mediaType)
    {
        var content = new ByteArrayContent(body);
        if (mediaType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(mediaType);
        }

        return client.PostAsync(path, content);
    }

    public static async Task<JsonNode> JsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonNode.Parse(text) ?? throw new XunitException($"Expected a JSON body, got '{text}'.");
    }

    /// <summary>Asserts the status, then returns the JSON body.</summary>
    public static async Task<JsonNode> ExpectAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != status)
        {
            throw new XunitException($"Expected {(int)status} {status}, got {(int)response.StatusCode}: {text}");
        }

        return JsonNode.Parse(text) ?? throw new XunitException($"Expected a JSON body, got '{text}'.");
    }

    /// <summary>Asserts a problem+json answer with this status and returns it.</summary>
    public static async Task<JsonObject> ExpectProblemAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var body = (await response.ExpectAsync(status)).AsObject();
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)status, (int?)body["status"]);
        return body;
    }

    /// <summary>The field names of a validation problem's <c>errors</c>.</summary>
    public static string[] ErrorFields(this JsonObject problem) =>
        problem["errors"] is JsonObject errors ? [.. errors.Select(e => e.Key).Order(StringComparer.Ordinal)] : [];

    /// <summary>Polls until <paramref name="probe"/> answers non-null, for at most <paramref name="within"/> (5 s).</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, string what, TimeSpan? within = null)
        where T : class
    {
        var limit = within ?? DefaultWait;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            if (clock.Elapsed > limit)
            {
                throw new XunitException($"{what} did not happen within {limit.TotalSeconds:0.#} s.");
            }

            await Task.Delay(10);
        }
    }

    /// <summary>The decision for a signal, once the engine has stored it.</summary>
    public static Task<JsonNode> DecisionAsync(this HttpClient operatorClient, string signalId) =>
        EventuallyAsync(
            async () =>
            {
                using var response = await operatorClient.GetAsync($"/decisions/{signalId}");
                return response.StatusCode == HttpStatusCode.OK ? await response.JsonAsync() : null;
            },
            $"a decision for {signalId}");

    /// <summary>Posts an alert, asserts 202 and returns its signal id.</summary>
    public static async Task<string> AcceptAsync(this HttpClient client, JsonNode alert)
    {
        using var response = await client.PostAlertAsync(alert);
        var body = await response.ExpectAsync(HttpStatusCode.Accepted);
        return (string)body["signalId"]!;
    }

    public static string[] Strings(this JsonNode? array) =>
        array is JsonArray items ? [.. items.Select(i => (string)i!)] : [];
}
