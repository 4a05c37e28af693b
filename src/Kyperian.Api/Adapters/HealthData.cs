namespace Kyperian.Api.Adapters;

/// <summary>What every backend health check reports beside its status: the probe's latency and the circuit.</summary>
internal static class HealthData
{
    public const string LatencyMs = "latencyMs";
    public const string Circuit = "circuit";

    public static IReadOnlyDictionary<string, object> Of(double latencyMs, string circuit) =>
        new Dictionary<string, object>(StringComparer.Ordinal)
        {
            [LatencyMs] = Math.Round(latencyMs, 2),
            [Circuit] = circuit,
        };
}
