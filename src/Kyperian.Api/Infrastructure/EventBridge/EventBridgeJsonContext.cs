using System.Text.Json.Serialization;

namespace Kyperian.Api.Infrastructure.EventBridge;

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
