using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Infrastructure.Embedded;

/// <summary>
/// The one SQLite database behind every embedded backend (WAL mode). Writes go through a single writer that commits
/// concurrent requests together (<see cref="WriteAsync"/>); reads use a small pool of read connections that never
/// wait for the writer; <c>:memory:</c> runs everything on the writer's one connection. The file is created with its
/// folder on first use and migrated to the current <see cref="EmbeddedSchema"/>; a lock file beside it keeps a second
/// process off it. WAL checkpoints run on a connection of their own, off the writer's path.
/// </summary>
/// <remarks>
/// How a store uses it: keep its SQL as constant strings; write with <see cref="WriteAsync"/> (durable when the
/// task completes), <see cref="RunAsync"/> (sees every earlier write; durable with the next committed one) or
/// <see cref="Post"/> (in order, not awaited); read with <see cref="ReadAsync"/>. Work runs on the connection's
/// thread and must not block on anything but SQLite.
/// </remarks>
public sealed partial class EmbeddedDatabase : IDisposable
{
    private const string LockSuffix = ".lock";

    /// <summary>
    /// Pages in the write-ahead log (4 KiB each) past which the writer starts it again. Starting it again holds the
    /// writer for the checkpoint's last copy and a flush of the file while every commit waits (a few milliseconds on a
    /// cloud disk, since the background pass flushes the rest), so it is done rarely: at 1,000 alerts/s about once
    /// every second or two.
    /// </summary>
    private const int CheckpointPages = 16_000;

    /// <summary>
    /// How often the background checkpoint copies the log into the file: often, so that the writer's part when it starts
    /// the log again is the little written since the last pass.
    /// </summary>
    private static readonly TimeSpan CheckpointInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>Log pages left for the writer to copy when it starts the log again: about 1 MiB.</summary>
    private const int WriterCopyPages = 256;

    private readonly EmbeddedOptions _options;
    private readonly ILogger<EmbeddedDatabase> _logger;
    private readonly FileStream? _lockFile;
    private readonly EmbeddedConnection _writeConnection;
    private readonly GroupCommitWriter _writer;
    private readonly EmbeddedMetrics? _metrics;
    private readonly ConcurrentStack<EmbeddedConnection> _readers = new();
    private readonly SemaphoreSlim? _readSlots;
    private readonly EmbeddedConnection? _checkpointConnection;
    private readonly FileStream? _databaseFile;
    private readonly Timer? _checkpointTimer;
    private readonly Lock _checkpointGate = new();
    private long _copiedPagesFlushed;
    private int _disposed;

    public EmbeddedDatabase(IOptions<EmbeddedOptions> options, ILogger<EmbeddedDatabase> logger, IMeterFactory? meterFactory = null)
    {
        _options = options.Value;
        _logger = logger;
        FullPath = _options.FullPath;
        NativeHeap.LimitArenas();
        try
        {
            if (!_options.IsInMemory)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(FullPath)!);
                _lockFile = TakeLock(FullPath + LockSuffix);
            }

            _writeConnection = Open(readOnly: false, _options.CacheMiB);

            // SQLite's own memory, every connection together: past it, page caches give pages back instead of growing.
            _writeConnection.Execute(string.Create(CultureInfo.InvariantCulture, $"PRAGMA soft_heap_limit = {_options.CacheMiB * 3L * 1024 * 1024}"));
            SchemaVersion = EmbeddedSchema.Migrate(_writeConnection);
            _metrics = new EmbeddedMetrics(meterFactory, () => WriteBacklog);
            _writer = new GroupCommitWriter(_writeConnection, _options.MaxBatch, logger, _metrics);
            if (!_options.IsInMemory)
            {
                for (var i = 0; i < _options.ReadConnections; i++)
                {
                    _readers.Push(Open(readOnly: true, Math.Max(1, _options.CacheMiB / 4)));
                }

                _readSlots = new SemaphoreSlim(_options.ReadConnections, _options.ReadConnections);
                _checkpointConnection = Open(readOnly: false, 1);

                // Only ever flushed, never written or closed before the connections: closing any descriptor of the file
                // would drop the POSIX locks SQLite holds on it in this process.
                _databaseFile = new FileStream(FullPath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
                _checkpointTimer = new Timer(static state => ((EmbeddedDatabase)state!).Checkpoint(), this, CheckpointInterval, CheckpointInterval);
            }
        }
        catch
        {
            DisposeConnections();
            throw;
        }

        LogOpened(logger, FullPath, SchemaVersion, _options.Durability);
    }

    /// <summary>The database file, absolute, or <c>:memory:</c>.</summary>
    public string FullPath { get; }

    public int SchemaVersion { get; }

    public EmbeddedOptions Options => _options;

    /// <summary>Write requests queued and not yet committed.</summary>
    public long WriteBacklog => _writer.Backlog;

    /// <summary>The number of the most recently queued write (see <see cref="IsSettled"/>).</summary>
    public long LastQueuedWrite => _writer.Queued;

    /// <summary>True once the write numbered <paramref name="write"/> and every one before it has run and been committed (or failed).</summary>
    public bool IsSettled(long write) => _writer.Settled >= write;

    /// <summary>Bytes on disk: the database file and its write-ahead log (for <c>:memory:</c>, the pages in use).</summary>
    public Task<long> SizeBytesAsync()
    {
        if (_options.IsInMemory)
        {
            return RunAsync(0, static (c, _) => c.Scalar<long>("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"), isolated: false);
        }

        return Task.FromResult(FileLength(FullPath) + FileLength(FullPath + "-wal"));
    }

    /// <summary>Runs <paramref name="work"/> in the writer's transaction; completes once it is committed.</summary>
    /// <param name="state">What the work needs, passed without a closure.</param>
    /// <param name="work">Runs on the writer thread.</param>
    /// <param name="isolated">
    /// True: a savepoint of its own, so a failure part way through leaves nothing behind. False for one statement (or
    /// statements that cannot fail but by ending the transaction): atomic by itself, and a few microseconds cheaper.
    /// </param>
    public Task<T> WriteAsync<TState, T>(TState state, Func<EmbeddedConnection, TState, T> work, bool isolated = true) =>
        _writer.Enqueue(state, work, WriteWait.Commit, isolated);

    /// <summary>
    /// Runs <paramref name="work"/> in the writer's transaction and completes as soon as it has run: it saw every write
    /// queued before it, and what it wrote is durable once any write queued after it has completed.
    /// </summary>
    public Task<T> RunAsync<TState, T>(TState state, Func<EmbeddedConnection, TState, T> work, bool isolated = true) =>
        _writer.Enqueue(state, work, WriteWait.Execution, isolated);

    /// <summary>Queues <paramref name="work"/> behind every earlier write, without waiting; a failure is logged.</summary>
    public void Post<TState>(TState state, Action<EmbeddedConnection, TState> work, bool isolated = true) =>
        _writer.Post(state, work, isolated);

    /// <summary>Reads the committed state on a read connection (on the writer's connection for <c>:memory:</c>).</summary>
    public Task<T> ReadAsync<TState, T>(TState state, Func<EmbeddedConnection, TState, T> read, CancellationToken cancellationToken)
    {
        if (_readSlots is null)
        {
            return RunAsync(state, read, isolated: false);
        }

        if (_readSlots.Wait(0))
        {
            try
            {
                return Task.FromResult(ReadOnLease(state, read));
            }
            catch (Exception ex)
            {
                return Task.FromException<T>(ex);
            }
        }

        return ReadWhenFreeAsync(state, read, cancellationToken);
    }

    private async Task<T> ReadWhenFreeAsync<TState, T>(TState state, Func<EmbeddedConnection, TState, T> read, CancellationToken cancellationToken)
    {
        await _readSlots!.WaitAsync(cancellationToken);
        return ReadOnLease(state, read);
    }

    /// <summary>Runs on a held read slot and gives it back.</summary>
    private T ReadOnLease<TState, T>(TState state, Func<EmbeddedConnection, TState, T> read)
    {
        _readers.TryPop(out var connection);
        try
        {
            return read(connection!, state);
        }
        finally
        {
            _readers.Push(connection!);
            _readSlots!.Release();
        }
    }

    /// <summary>
    /// Copies the write-ahead log into the database file on a connection of its own, so the writer never waits for
    /// the bulk of it (PASSIVE: it takes no lock the writer or the readers need); once the log is long, asks the
    /// writer to finish the job between two batches, so that the log starts again from its beginning.
    /// </summary>
    private void Checkpoint()
    {
        if (!_checkpointGate.TryEnter())
        {
            return;
        }

        try
        {
            if (Volatile.Read(ref _disposed) != 0)
            {
                return;
            }

            var (logPages, copiedPages) = CopyLogIntoFile();
            if (logPages >= CheckpointPages)
            {
                // What the writer copies when it starts the log again is what was written since the last pass: a few
                // quick passes first leave it little.
                for (var pass = 0; pass < 3 && logPages - copiedPages > WriterCopyPages; pass++)
                {
                    (logPages, copiedPages) = CopyLogIntoFile();
                }

                _writer.RequestCheckpoint();
            }
        }
        catch (Exception ex)
        {
            LogCheckpointFailed(_logger, ex);
        }
        finally
        {
            _checkpointGate.Exit();
        }
    }

    /// <summary>One background pass: copies what it can of the log into the file, then flushes the file.</summary>
    /// <returns>The pages in the log, and how many of them are now in the file.</returns>
    private (long LogPages, long CopiedPages) CopyLogIntoFile()
    {
        var started = Stopwatch.GetTimestamp();
        long logPages, copiedPages;
        using (var reader = _checkpointConnection!.Statement("PRAGMA wal_checkpoint(PASSIVE)").ExecuteReader())
        {
            (logPages, copiedPages) = reader.Read() ? (reader.GetInt64(1), reader.GetInt64(2)) : (0, 0);
        }

        // SQLite flushes the file only when a checkpoint copies the whole log, which is the writer's, when it starts the
        // log again: what every pass before copied would be flushed then, on the writer's path. Flushed here instead,
        // the writer's flush is of its own last copy.
        if (copiedPages != _copiedPagesFlushed)
        {
            _databaseFile!.Flush(flushToDisk: true);
            _copiedPagesFlushed = copiedPages;
        }

        _metrics?.Checkpointed(Stopwatch.GetElapsedTime(started), onWriter: false);
        return (logPages, copiedPages);
    }

    private SqliteConnection CreateConnection(bool readOnly)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = FullPath,
            Mode = _options.IsInMemory ? SqliteOpenMode.Memory : readOnly ? SqliteOpenMode.ReadWrite : SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = false,
            DefaultTimeout = 30,
        };
        return new SqliteConnection(builder.ToString());
    }

    private EmbeddedConnection Open(bool readOnly, int cacheMiB)
    {
        var connection = CreateConnection(readOnly);
        connection.Open();
        var embedded = new EmbeddedConnection(connection);
        embedded.Execute("PRAGMA busy_timeout = 10000");
        embedded.Execute(string.Create(CultureInfo.InvariantCulture, $"PRAGMA cache_size = -{cacheMiB * 1024}"));
        embedded.Execute("PRAGMA temp_store = MEMORY");
        if (!_options.IsInMemory)
        {
            if (!readOnly)
            {
                embedded.Execute("PRAGMA journal_mode = WAL");

                // The checkpoint timer does this off the writer's path, so a commit never pays for one.
                embedded.Execute("PRAGMA wal_autocheckpoint = 0");

                // After a checkpoint lets the log restart, it is cut back to this size instead of staying at its peak;
                // above the size it restarts at (CheckpointPages), so that cutting it is not part of the next commit.
                embedded.Execute("PRAGMA journal_size_limit = 134217728");
            }

            embedded.Execute(_options.Durability == EmbeddedDurability.Machine ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
        }

        if (readOnly)
        {
            embedded.Execute("PRAGMA query_only = ON");
        }

        return embedded;
    }

    private static FileStream TakeLock(string path)
    {
        try
        {
            // An exclusive open is an advisory lock the kernel drops when the process dies, however it dies.
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
        }
        catch (IOException ex)
        {
            throw new InvalidOperationException($"The embedded database {path[..^LockSuffix.Length]} is in use by another process.", ex);
        }
    }

    private static long FileLength(string path)
    {
        try
        {
            return new FileInfo(path).Length;
        }
        catch (FileNotFoundException)
        {
            return 0;
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _checkpointTimer?.Dispose();
        _writer?.Dispose();
        if (!_options.IsInMemory && _writeConnection is not null)
        {
            try
            {
                // Leave a single file behind: a copy of it alone is then a whole backup.
                _writeConnection.Execute("PRAGMA wal_checkpoint(TRUNCATE)");
            }
            catch (SqliteException ex)
            {
                LogCheckpointFailed(_logger, ex);
            }
        }

        lock (_checkpointGate)
        {
            DisposeConnections();
        }
    }

    private void DisposeConnections()
    {
        while (_readers.TryPop(out var reader))
        {
            reader.Dispose();
        }

        _checkpointConnection?.Dispose();
        _writeConnection?.Dispose();
        _databaseFile?.Dispose();
        _lockFile?.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded database {Path} open (schema {Version}, durability {Durability})")]
    private static partial void LogOpened(ILogger logger, string path, int version, EmbeddedDurability durability);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checkpointing the embedded database failed; the next attempt retries")]
    private static partial void LogCheckpointFailed(ILogger logger, Exception exception);
}
