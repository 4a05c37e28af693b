using System.Text.Json;
using System.Text.Json.Serialization;

// The ceiling Kyperian's /webhook is compared with (≥ 50 % of this, same machine, same run):
// Kestrel + minimal API + System.Text.Json parse of the same body, no rules, no store, no bus.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, BareJson.Default));
var app = builder.Build();

app.MapGet("/health", () => TypedResults.Text("ok"));
app.MapPost("/webhook", async (HttpRequest request) =>
{
    try
    {
        using var alert = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
        if (alert.RootElement.ValueKind != JsonValueKind.Object)
        {
            return Results.BadRequest();
        }
    }
    catch (JsonException)
    {
        // Malformed bodies answer 400 here too, so both apps see the same mix without exception pages.
        return Results.BadRequest();
    }

    return TypedResults.Accepted((string?)null, new Ack("accepted"));
});

app.Run();

internal sealed record Ack(string Status);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(Ack))]
internal sealed partial class BareJson : JsonSerializerContext;
