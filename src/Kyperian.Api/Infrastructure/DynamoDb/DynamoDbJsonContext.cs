using System.Text.Json;
using System.Text.Json.Serialization;
using Kyperian.Domain.Decisions;

namespace Kyperian.Api.Infrastructure.DynamoDb;

/// <summary>The nested parts of a decision (per-timeframe inputs), stored as one JSON string attribute.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(List<TimeframeInput>))]
[JsonSerializable(typeof(List<VetoReason>))]
internal sealed partial class DynamoDbJsonContext : JsonSerializerContext;
