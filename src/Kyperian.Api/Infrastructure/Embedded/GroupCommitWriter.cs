using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace Kyperian.Api.Infrastructure.Embedded;

/// <summary>What a caller waits for when it hands the writer some work.</summary>
internal enum WriteWait
{
    /// <summary>Until the transaction holding the work has committed: the work is durable.</summary>
    Commit,

    /// <summary>
    /// Until the work has run in the writer's open transaction. It saw every write queued before it, and it is durable
    /// once any later <see cref="Commit"/> request completes (writes commit in queue order).
    /// </summary>
    Execution,

    /// <summary>Not at all: the work is queued in order; failures are logged.</summary>
    Nothing,
}

/// <summary>
/// The single writer: one connection, one thread. Work queued from any thread is taken in arrival order, in batches;
/// each batch runs in one transaction and is committed once: group commit, so many concurrent requests share one
/// commit. A failing item does not fail its neighbours: an isolated item runs in a savepoint of its own, so it leaves
/// nothing behind; a single statement needs none (SQLite undoes a failed statement by itself) and saves the cost.
/// </summary>
internal sealed partial class GroupCommitWriter : IDisposable
{
    private readonly EmbeddedConnection _connection;
    private readonly int _maxBatch;
    private readonly ILogger _logger;
    private readonly EmbeddedMetrics? _metrics;
    // A monitor, not a Lock: the writer thread sleeps on it (Monitor.Wait) while the queue is empty.
    private readonly object _gate = new();
    private readonly Queue<WriteItem> _queue = new();
    private readonly Thread _thread;
    private long _queued;
    private long _committed;
    private bool _waiting;
    private bool _stopping;
    private volatile bool _checkpointWanted;

    public GroupCommitWriter(EmbeddedConnection connection, int maxBatch, ILogger logger, EmbeddedMetrics? metrics = null)
    {
        _connection = connection;
        _maxBatch = maxBatch;
        _logger = logger;
        _metrics = metrics;
        _thread = new Thread(Run) { IsBackground = true, Name = "kyperian-embedded-writer" };
        _thread.Start();
    }

    /// <summary>Every item queued up to this number has run and its transaction has ended (committed or not).</summary>
    public long Settled => Volatile.Read(ref _committed);

    /// <summary>The number of the most recently queued item.</summary>
    public long Queued => Volatile.Read(ref _queued);

    public long Backlog => Queued - Settled;

    /// <summary>
    /// Asks for a checkpoint between two batches. Another connection copies the log while the writer appends to it, so
    /// it never reaches the end; between batches nothing is appended, this one does, and the next transaction starts
    /// the log again from its beginning instead of growing it for good. Most pages are copied already, so it is short.
    /// </summary>
    public void RequestCheckpoint() => _checkpointWanted = true;

    public Task<T> Enqueue<TState, T>(TState state, Func<EmbeddedConnection, TState, T> work, WriteWait wait, bool isolated)
    {
        var item = new WriteItem<TState, T>(state, work, wait) { Isolated = isolated };
        Add(item);
        return item.Completion.Task;
    }

    public void Post<TState>(TState state, Action<EmbeddedConnection, TState> work, bool isolated)
    {
        Add(new PostedItem<TState>(state, work) { Isolated = isolated });
    }

    private void Add(WriteItem item)
    {
        lock (_gate)
        {
            if (_stopping)
            {
                throw new ObjectDisposedException(nameof(GroupCommitWriter), "The embedded database is closing.");
            }

            item.Sequence = ++_queued;
            _queue.Enqueue(item);
            if (_waiting)
            {
                _waiting = false;
                Monitor.Pulse(_gate);
            }
        }
    }

    private void Run()
    {
        var batch = new List<WriteItem>(_maxBatch);
        while (true)
        {
            lock (_gate)
            {
                while (_queue.Count == 0)
                {
                    if (_stopping)
                    {
                        return;
                    }

                    _waiting = true;
                    Monitor.Wait(_gate);
                }

                while (batch.Count < _maxBatch && _queue.TryDequeue(out var item))
                {
                    batch.Add(item);
                }
            }

            RunBatch(batch);
            Volatile.Write(ref _committed, batch[^1].Sequence);
            batch.Clear();
            if (_checkpointWanted)
            {
                _checkpointWanted = false;
                FinishCheckpoint();
            }
        }
    }

    private void RunBatch(List<WriteItem> batch)
    {
        var started = Stopwatch.GetTimestamp();
        Exception? transactionFailure = null;
        try
        {
            _connection.Statement("BEGIN IMMEDIATE").ExecuteNonQuery();
        }
        catch (Exception ex)
        {
            transactionFailure = ex;
        }

        foreach (var item in batch)
        {
            if (transactionFailure is not null)
            {
                item.Fail(transactionFailure);
                continue;
            }

            transactionFailure = RunItem(item);
        }

        if (transactionFailure is null)
        {
            try
            {
                _connection.Statement("COMMIT").ExecuteNonQuery();
            }
            catch (Exception ex)
            {
                transactionFailure = ex;
            }
        }

        if (transactionFailure is not null)
        {
            RollBack();
            var lost = 0;
            foreach (var item in batch)
            {
                if (item.Succeeded)
                {
                    lost += item.Wait == WriteWait.Commit ? 0 : 1;
                    item.Fail(transactionFailure);
                }
            }

            LogBatchFailed(_logger, transactionFailure, batch.Count, lost);
            return;
        }

        // Recorded before any writer hears of its commit, so whoever awaited a write finds it counted.
        _metrics?.Committed(Stopwatch.GetElapsedTime(started), batch.Count);
        foreach (var item in batch)
        {
            if (item.Succeeded)
            {
                item.Committed();
            }
        }
    }

    /// <returns>The failure that ended the whole transaction, or null.</returns>
    private Exception? RunItem(WriteItem item)
    {
        if (!item.Isolated)
        {
            try
            {
                item.Execute(_connection);
                return null;
            }
            catch (Exception ex)
            {
                item.Fail(ex);
                LogIfPosted(item, ex);

                // One statement is atomic by itself; only a failure that ended the transaction ends the batch.
                return _connection.InTransaction ? null : ex;
            }
        }

        try
        {
            _connection.Statement("SAVEPOINT item").ExecuteNonQuery();
        }
        catch (Exception ex)
        {
            item.Fail(ex);
            return ex;
        }

        try
        {
            item.Execute(_connection);
            _connection.Statement("RELEASE item").ExecuteNonQuery();
            return null;
        }
        catch (Exception ex)
        {
            item.Fail(ex);
            LogIfPosted(item, ex);

            if (!_connection.InTransaction)
            {
                // SQLite rolled the whole transaction back (disk full, I/O error): the batch is lost.
                return ex;
            }

            try
            {
                _connection.Statement("ROLLBACK TO item").ExecuteNonQuery();
                _connection.Statement("RELEASE item").ExecuteNonQuery();
                return null;
            }
            catch (SqliteException rollbackFailure)
            {
                return rollbackFailure;
            }
        }
    }

    private void FinishCheckpoint()
    {
        try
        {
            var started = Stopwatch.GetTimestamp();
            _connection.Statement("PRAGMA wal_checkpoint(PASSIVE)").ExecuteNonQuery();
            _metrics?.Checkpointed(Stopwatch.GetElapsedTime(started), onWriter: true);
        }
        catch (SqliteException ex)
        {
            LogCheckpointFailed(_logger, ex);
        }
    }

    private void LogIfPosted(WriteItem item, Exception exception)
    {
        if (item.Wait == WriteWait.Nothing)
        {
            LogPostedFailed(_logger, exception);
        }
    }

    private void RollBack()
    {
        try
        {
            if (_connection.InTransaction)
            {
                _connection.Statement("ROLLBACK").ExecuteNonQuery();
            }
        }
        catch (SqliteException ex)
        {
            LogRollbackFailed(_logger, ex);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.Pulse(_gate);
        }

        _thread.Join();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "An embedded database transaction of {Count} writes failed; {Lost} writes already answered were lost")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, int count, int lost);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A queued embedded database write failed")]
    private static partial void LogPostedFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checkpointing the embedded database between writes failed; the next one retries")]
    private static partial void LogCheckpointFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Rolling back an embedded database transaction failed")]
    private static partial void LogRollbackFailed(ILogger logger, Exception exception);

    private abstract class WriteItem
    {
        public long Sequence { get; set; }

        public bool Succeeded { get; protected set; }

        /// <summary>Run in a savepoint of its own, so that a failure part way leaves nothing behind.</summary>
        public bool Isolated { get; init; } = true;

        public abstract WriteWait Wait { get; }

        public abstract void Execute(EmbeddedConnection connection);

        public abstract void Committed();

        public abstract void Fail(Exception exception);
    }

    private sealed class WriteItem<TState, T>(TState state, Func<EmbeddedConnection, TState, T> work, WriteWait wait) : WriteItem
    {
        private T _result = default!;

        public TaskCompletionSource<T> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override WriteWait Wait => wait;

        public override void Execute(EmbeddedConnection connection)
        {
            _result = work(connection, state);
            Succeeded = true;
            if (wait != WriteWait.Commit)
            {
                Completion.TrySetResult(_result);
            }
        }

        public override void Committed() => Completion.TrySetResult(_result);

        public override void Fail(Exception exception)
        {
            Succeeded = false;
            Completion.TrySetException(exception);
        }
    }

    private sealed class PostedItem<TState>(TState state, Action<EmbeddedConnection, TState> work) : WriteItem
    {
        public override WriteWait Wait => WriteWait.Nothing;

        public override void Execute(EmbeddedConnection connection)
        {
            work(connection, state);
            Succeeded = true;
        }

        public override void Committed()
        {
        }

        public override void Fail(Exception exception) => Succeeded = false;
    }
}
