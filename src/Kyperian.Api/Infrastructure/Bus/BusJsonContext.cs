using System.Text.Json;
using System.Text.Json.Serialization;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Signals;

namespace Kyperian.Api.Infrastructure.Bus;

/// <summary>
/// The bus's own wire contract: a signal (<c>kyperian.webhook</c> / <c>Signal Validated</c>) and a decision
/// (<c>kyperian.engine</c> / <c>Decision Made</c>) as camelCase JSON, and the envelope an EventBridge rule hands to
/// SQS. It is separate from the HTTP API's contract, so that either can change without breaking the other's readers.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Signal))]
[JsonSerializable(typeof(Decision))]
[JsonSerializable(typeof(EventEnvelope))]
public sealed partial class BusJsonContext : JsonSerializerContext;

/// <summary>What an EventBridge rule delivers to an SQS target: the event with <c>detail</c> as a JSON object.</summary>
public sealed record EventEnvelope(
    string? Version,
    string? Id,
    [property: JsonPropertyName("detail-type")] string? DetailType,
    string? Source,
    string? Account,
    DateTimeOffset? Time,
    string? Region,
    IReadOnlyList<string>? Resources,
    JsonElement Detail);
