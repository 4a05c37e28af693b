namespace Kyperian.Lambda.Http;

/// <summary>
/// Write-only response body that buffers everything (Lambda returns one payload) and starts the response
/// (fires OnStarting, freezes headers) on the first write, like Kestrel's response stream.
/// </summary>
internal sealed class ResponseBodyStream(InvocationFeatures owner) : Stream
{
    private byte[] _buffer = [];
    private int _length;

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => _length;

    public override long Position
    {
        get => _length;
        set => throw new NotSupportedException();
    }

    public void Reset() => _length = 0;

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (!owner.HasStarted)
        {
            owner.FireOnStartingAsync().GetAwaiter().GetResult();
        }

        Append(buffer);
    }

    public override void WriteByte(byte value) => Write([value]);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (owner.HasStarted)
        {
            Append(buffer.Span);
            return ValueTask.CompletedTask;
        }

        return StartAndWriteAsync(buffer);
    }

    private async ValueTask StartAndWriteAsync(ReadOnlyMemory<byte> buffer)
    {
        await owner.FireOnStartingAsync().ConfigureAwait(false);
        Append(buffer.Span);
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => owner.HasStarted ? Task.CompletedTask : owner.FireOnStartingAsync();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    private void Append(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        var needed = _length + data.Length;
        if (needed > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(needed, Math.Max(256, _buffer.Length * 2)));
        }

        data.CopyTo(_buffer.AsSpan(_length));
        _length = needed;
    }
}
