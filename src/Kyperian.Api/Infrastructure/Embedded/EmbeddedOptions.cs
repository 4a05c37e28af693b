namespace Kyperian.Api.Infrastructure.Embedded;

/// <summary>How SQLite commits: what a committed write survives.</summary>
public enum EmbeddedDurability
{
    /// <summary>
    /// WAL with <c>synchronous=NORMAL</c>: a commit is in the operating system's hands when it returns, so it survives
    /// the process being killed (<c>kill -9</c>, a crash, an OOM kill); a power cut or kernel panic can lose the last
    /// commits (never corrupt the file). SQLite's recommended setting for WAL.
    /// </summary>
    Process,

    /// <summary>WAL with <c>synchronous=FULL</c>: every commit is fsync'ed; survives a power cut, at a disk flush per batch.</summary>
    Machine,
}

/// <summary>The embedded database (<c>Kyperian:Embedded</c>): one SQLite file holds every embedded backend.</summary>
public sealed class EmbeddedOptions
{
    public const string Section = "Kyperian:Embedded";

    /// <summary>An in-memory database for tests: it lives as long as the process and is never shared.</summary>
    public const string InMemory = ":memory:";

    /// <summary>The database file; relative paths are under the working directory. Created, with its folder, on first start.</summary>
    public string Path { get; set; } = "data/kyperian.db";

    /// <summary>Signals and decisions older than this are removed in the background, like DynamoDB's TTL.</summary>
    public int RetentionDays { get; set; } = 30;

    public EmbeddedDurability Durability { get; set; } = EmbeddedDurability.Process;

    /// <summary>Read connections kept open; reads never wait for the writer (WAL).</summary>
    public int ReadConnections { get; set; } = 4;

    /// <summary>Most write requests committed in one transaction (group commit).</summary>
    public int MaxBatch { get; set; } = 512;

    /// <summary>SQLite's page cache of the writer connection, in MiB (each reader has a quarter of it).</summary>
    public int CacheMiB { get; set; } = 16;

    /// <summary>Recent dedupe claims kept in memory, so most replay checks never read the file.</summary>
    public int ClaimCacheSize { get; set; } = 131_072;

    /// <summary>Symbols whose timeframe state and cooldown are kept in memory.</summary>
    public int SymbolCacheSize { get; set; } = 10_000;

    /// <summary>Rows removed per retention step: small, so a step never holds the writer for long.</summary>
    public int RetentionBatch { get; set; } = 500;

    /// <summary>How often retention looks for expired rows.</summary>
    public int RetentionIntervalSeconds { get; set; } = 60;

    public bool IsInMemory => Path == InMemory;

    /// <summary>The file as opened: absolute, or <see cref="InMemory"/>.</summary>
    public string FullPath => IsInMemory ? InMemory : System.IO.Path.GetFullPath(Path);
}
