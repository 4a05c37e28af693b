using System.Buffers;

namespace Kyperian.Api.Application.Intake;

/// <summary>A pooled buffer holding one request body; return it by disposing.</summary>
public sealed class BodyLease : IDisposable
{
    private byte[]? _buffer;

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    /// <summary>The body as text, exactly as sent (invalid UTF-8 becomes U+FFFD).</summary>
    public string Text() => System.Text.Encoding.UTF8.GetString(Span);

    /// <returns>False when the body is longer than <paramref name="maxBytes"/>.</returns>
    public async ValueTask<bool> FillAsync(Stream body, int maxBytes, CancellationToken cancellationToken)
    {
        _buffer ??= ArrayPool<byte>.Shared.Rent(maxBytes + 1);
        while (true)
        {
            var read = await body.ReadAsync(_buffer.AsMemory(Length, _buffer.Length - Length), cancellationToken);
            if (read == 0)
            {
                return true;
            }

            Length += read;
            if (Length > maxBytes)
            {
                return false;
            }
        }
    }

    public void Dispose()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
    }
}
