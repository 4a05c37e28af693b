using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Kyperian.Domain.Signals;

/// <summary>
/// The deterministic id of an alert, derived from what was sent and never from when it arrived, so that
/// TradingView's resend of an identical body is recognised as the same signal.
/// </summary>
/// <param name="Id">The signal's id.</param>
/// <param name="PreviousWindowId">
/// For alerts carrying neither <c>time</c> nor <c>id</c>: the id the same content had in the previous dedupe
/// window, so that a resend straddling a window boundary is still caught. Null otherwise.
/// </param>
public readonly record struct SignalIdentity(string Id, string? PreviousWindowId)
{
    public const string SignalPrefix = "sig_";
    public const string DecisionPrefix = "dec_";

    private const int HashBytesKept = 12;

    /// <summary>
    /// An alert that carries its own time or id is identified by them for good; one without either is only
    /// the same signal within <paramref name="dedupeWindow"/>, so the same content a day later is new.
    /// </summary>
    public static SignalIdentity Compute(
        string source,
        Symbol symbol,
        string? exchange,
        Timeframe timeframe,
        SignalAction action,
        decimal? price,
        DateTimeOffset? alertTime,
        string? alertId,
        DateTimeOffset receivedAt,
        TimeSpan dedupeWindow)
    {
        if (alertTime is not null || alertId is not null)
        {
            return new SignalIdentity(Hash(source, symbol, exchange, timeframe, action, price, alertTime, alertId, null), null);
        }

        var windowSeconds = Math.Max(1L, (long)dedupeWindow.TotalSeconds);
        var window = receivedAt.ToUnixTimeSeconds() / windowSeconds;
        return new SignalIdentity(
            Hash(source, symbol, exchange, timeframe, action, price, null, null, window),
            Hash(source, symbol, exchange, timeframe, action, price, null, null, window - 1));
    }

    public static string DecisionIdFor(string signalId) =>
        signalId.StartsWith(SignalPrefix, StringComparison.Ordinal)
            ? string.Concat(DecisionPrefix, signalId.AsSpan(SignalPrefix.Length))
            : DecisionPrefix + signalId;

    private static string Hash(
        string source,
        Symbol symbol,
        string? exchange,
        Timeframe timeframe,
        SignalAction action,
        decimal? price,
        DateTimeOffset? alertTime,
        string? alertId,
        long? window)
    {
        // Dividing by 1.000… drops trailing zeros, so "100.50" and 100.5 are one price.
        var normalizedPrice = price / 1.000000000000000000000000000000000m;

        // An unpriced alert hashes an empty price: the id comes from what was sent, not from a price filled in later.
        Span<char> text = stackalloc char[320];
        var written = 0;
        var ok = text.TryWrite(
            CultureInfo.InvariantCulture,
            $"{source}|{exchange}|{symbol.Value}|{timeframe.Seconds}|{(int)action}|{normalizedPrice}|{alertTime?.UtcTicks}|{alertId}|{window}",
            out written);
        if (!ok)
        {
            throw new InvalidOperationException("Signal identity fields exceed their validated lengths.");
        }

        Span<byte> utf8 = stackalloc byte[1024];
        var length = Encoding.UTF8.GetBytes(text[..written], utf8);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8[..length], hash);

        Span<char> id = stackalloc char[SignalPrefix.Length + (HashBytesKept * 2)];
        SignalPrefix.AsSpan().CopyTo(id);
        Convert.TryToHexStringLower(hash[..HashBytesKept], id[SignalPrefix.Length..], out _);
        return new string(id);
    }
}
