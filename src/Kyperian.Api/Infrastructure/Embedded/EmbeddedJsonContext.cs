using System.Text.Json;
using System.Text.Json.Serialization;
using Kyperian.Domain.Audit;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Positions;
using Kyperian.Domain.Risk;
using Kyperian.Domain.Signals;

namespace Kyperian.Api.Infrastructure.Embedded;

/// <summary>How the embedded database stores the records it reads back whole in their <c>body</c> column: camelCase JSON.</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(JsonStringEnumConverter<DayOfWeek>)])]
[JsonSerializable(typeof(Signal))]
[JsonSerializable(typeof(Decision))]
[JsonSerializable(typeof(Position))]
[JsonSerializable(typeof(ClosedTrade))]
[JsonSerializable(typeof(EngineSettings))]
[JsonSerializable(typeof(AuditEntry))]
[JsonSerializable(typeof(RiskEvent))]
internal sealed partial class EmbeddedJsonContext : JsonSerializerContext;
