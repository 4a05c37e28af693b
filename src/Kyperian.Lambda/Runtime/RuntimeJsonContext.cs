using System.Text.Json.Serialization;

namespace Kyperian.Lambda.Runtime;

/// <summary>Source-generated (reflection-free) JSON for what the runtime posts to the Runtime API itself.</summary>
[JsonSerializable(typeof(LambdaErrorBody))]
internal sealed partial class RuntimeJsonContext : JsonSerializerContext;
