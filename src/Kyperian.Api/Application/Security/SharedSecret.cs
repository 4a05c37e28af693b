using System.Security.Cryptography;
using System.Text;

namespace Kyperian.Api.Application.Security;

/// <summary>
/// A configured secret, kept only as its SHA-256, compared in constant time: neither the value nor its
/// length leaks through timing, a log or an exception.
/// </summary>
public sealed class SharedSecret
{
    private readonly byte[]? _hash;

    public SharedSecret(string? value)
    {
        _hash = string.IsNullOrEmpty(value) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(value));
    }

    public bool IsConfigured => _hash is not null;

    /// <summary>True when <paramref name="presented"/> is the secret. An unconfigured secret matches nothing.</summary>
    public bool Matches(string? presented)
    {
        if (_hash is null || string.IsNullOrEmpty(presented) || presented.Length > 1024)
        {
            return false;
        }

        Span<byte> utf8 = stackalloc byte[Encoding.UTF8.GetMaxByteCount(presented.Length)];
        var length = Encoding.UTF8.GetBytes(presented, utf8);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8[..length], hash);
        return CryptographicOperations.FixedTimeEquals(hash, _hash);
    }

    public override string ToString() => IsConfigured ? "(secret)" : "(not set)";
}
