using System.Text.Json;
using System.Text.Json.Serialization;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Signals;

namespace Kyperian.Api.Adapters.EventBridge;

/// <summary>
/// The SQS envelope of an EventBridge event. The details themselves (signal, decision) are camelCase JSON from
/// <see cref="Contracts.ApiJsonContext"/>, the same shape the HTTP API answers with (DESIGN §5).
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
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

/// <summary>The PutEvents wire shapes (AWS JSON 1.1: member names as the API spells them).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PutEventsWireRequest))]
[JsonSerializable(typeof(PutEventsWireResponse))]
[JsonSerializable(typeof(DescribeEventBusWireRequest))]
[JsonSerializable(typeof(AwsWireError))]
internal sealed partial class EventBridgeWireContext : JsonSerializerContext;

internal sealed record PutEventsWireRequest(List<PutEventsWireEntry> Entries);

internal sealed record PutEventsWireEntry(
    string Source,
    string DetailType,
    string Detail,
    string EventBusName,
    double? Time,
    List<string>? Resources);

internal sealed record PutEventsWireResponse(int FailedEntryCount, List<PutEventsWireResultEntry>? Entries);

internal sealed record PutEventsWireResultEntry(string? EventId, string? ErrorCode, string? ErrorMessage);

internal sealed record DescribeEventBusWireRequest(string Name);

internal sealed record AwsWireError(
    [property: JsonPropertyName("__type")] string? Type,
    [property: JsonPropertyName("message")] string? Message,
    [property: JsonPropertyName("Message")] string? MessageUpper);
