using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Kyperian.Domain.Ports;

namespace Kyperian.Api.Endpoints.Monitoring;

/// <summary>
/// The opaque <c>cursor</c> of <c>GET /decisions</c> (and the event id of <c>GET /events</c>): the last decision a page
/// returned, as base64url of <c>ticks:decisionId</c>. Clients pass it back unchanged; its content is no contract.
/// </summary>
public static class DecisionCursor
{
    private const int MaxIdLength = 100;

    public static string Encode(DecisionPosition position) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(
            string.Create(CultureInfo.InvariantCulture, $"{position.DecidedAt.UtcTicks}:{position.DecisionId}")));

    public static bool TryDecode(string? cursor, out DecisionPosition position)
    {
        position = default;
        if (string.IsNullOrEmpty(cursor) || cursor.Length > 200)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[150];
        if (!Base64Url.IsValid(cursor) || Base64Url.GetMaxDecodedLength(cursor.Length) > bytes.Length
            || Base64Url.DecodeFromChars(cursor, bytes, out _, out var written) != System.Buffers.OperationStatus.Done)
        {
            return false;
        }

        var text = Encoding.UTF8.GetString(bytes[..written]);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0
            || !long.TryParse(text.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks)
        {
            return false;
        }

        var id = text[(colon + 1)..];
        if (id.Length is 0 or > MaxIdLength || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
        {
            return false;
        }

        position = new DecisionPosition(new DateTimeOffset(ticks, TimeSpan.Zero), id);
        return true;
    }
}
