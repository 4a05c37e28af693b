using System.Text.Json;
using System.Text.Json.Serialization;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Positions;

namespace Kyperian.Api.Infrastructure.DynamoDb;

/// <summary>
/// The nested parts of stored items (a decision's inputs, explanations and positions; run-time settings), as JSON string
/// attributes; and a whole decision, as <c>GET /decisions</c> passes it on.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(JsonStringEnumConverter<DayOfWeek>)])]
[JsonSerializable(typeof(Decision))]
[JsonSerializable(typeof(List<TimeframeInput>))]
[JsonSerializable(typeof(List<Explanation>))]
[JsonSerializable(typeof(Position))]
[JsonSerializable(typeof(ClosedTrade))]
[JsonSerializable(typeof(EngineSettings))]
internal sealed partial class DynamoDbJsonContext : JsonSerializerContext;
