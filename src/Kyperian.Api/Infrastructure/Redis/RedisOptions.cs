namespace Kyperian.Api.Infrastructure.Redis;

/// <summary><c>Kyperian:Redis</c>: the server (ElastiCache in AWS) behind dedupe, market state and cooldowns.</summary>
public sealed class RedisOptions
{
    public const string Section = "Kyperian:Redis";

    public string Host { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 6379;

    /// <summary>TLS, as ElastiCache with in-transit encryption requires.</summary>
    public bool Ssl { get; set; }

    /// <summary>The TLS server name when it differs from <see cref="Host"/>.</summary>
    public string? SslHost { get; set; }

    /// <summary>AUTH user (Redis 6 ACL / ElastiCache RBAC); empty for the default user.</summary>
    public string? User { get; set; }

    /// <summary>AUTH token. A secret: from SSM, never logged.</summary>
    public string? Password { get; set; }

    public int ConnectTimeoutMs { get; set; } = 2000;

    /// <summary>How long a command may wait for its answer before the client gives up on it.</summary>
    public int CommandTimeoutMs { get; set; } = 1000;

    /// <summary>
    /// How long the per-symbol timeframe state lives after its last update. The longest timeframe a signal stays live
    /// on is 3 bars of 1M (90 days).
    /// </summary>
    public int MarketStateTtlDays { get; set; } = 100;
}
