using System.Text.Json;
using System.Text.Json.Serialization;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Signals;

namespace Kyperian.Api.Infrastructure.Embedded;

/// <summary>How the embedded database stores signals and decisions in their <c>body</c> column: the records as camelCase JSON.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Signal))]
[JsonSerializable(typeof(Decision))]
internal sealed partial class EmbeddedJsonContext : JsonSerializerContext;
