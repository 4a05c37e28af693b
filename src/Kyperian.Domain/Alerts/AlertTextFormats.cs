using System.Text.RegularExpressions;

namespace Kyperian.Domain.Alerts;

/// <summary>
/// The text (not JSON) messages traders send, each turned into the same raw fields a JSON body gives, so one table
/// gives them meaning. Tried in order; the first that fits the whole message wins.
/// </summary>
internal static partial class AlertTextFormats
{
    private static readonly char[] PairSeparators = [' ', '\t', '\r', '\n', ',', '|', ';', '&'];

    private static readonly (AlertFormat Format, Func<string, List<RawField>, bool> Read)[] Readers =
    [
        (AlertFormats.TradingViewDefault, TryTradingViewDefault),
        (AlertFormats.Alertatron, TryAlertatron),
        (AlertFormats.PineConnector, TryPineConnector),
        (AlertFormats.KeyValue, TryKeyValue),
    ];

    /// <returns>The format the text was read as, or null when it fits none.</returns>
    public static AlertFormat? TryRead(string text, AlertFormat? forced, List<RawField> fields)
    {
        foreach (var (format, read) in Readers)
        {
            if (forced is not null && forced != format)
            {
                continue;
            }

            fields.Clear();
            if (read(text, fields) && fields.Count > 0)
            {
                return format;
            }
        }

        fields.Clear();
        return null;
    }

    /// <summary>"[name: ]order buy @ 0.5 filled on BTCUSDT. New strategy position is 1": contracts, not a price.</summary>
    private static bool TryTradingViewDefault(string text, List<RawField> fields)
    {
        var match = DefaultStrategyMessage().Match(text);
        if (!match.Success)
        {
            return false;
        }

        var action = match.Groups["action"].Value;
        var ticker = match.Groups["ticker"].Value.TrimEnd('.');
        fields.Add(Text("strategy.order.action", $"order {action}", action));
        fields.Add(Text("strategy.order.contracts", "@ contracts", match.Groups["contracts"].Value));
        fields.Add(Text("ticker", "filled on", ticker));
        if (match.Groups["position"].Success)
        {
            fields.Add(Text("strategy.position_size", "new strategy position", match.Groups["position"].Value));
        }

        return true;
    }

    /// <summary>"MyKeys(XBTUSD) { cancel(which=all); market(side=buy, amount=100); } #bot".</summary>
    private static bool TryAlertatron(string text, List<RawField> fields)
    {
        var match = AlertatronScript().Match(text);
        if (!match.Success)
        {
            return false;
        }

        fields.Add(Text("keys", "keys", match.Groups["keys"].Value));
        fields.Add(Text("symbol", "(symbol)", match.Groups["symbol"].Value.Trim()));
        foreach (var command in match.Groups["commands"].Value.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var open = command.IndexOf('(');
            var name = open > 0 ? command[..open].Trim() : command;
            if (name.Equals("exitPosition", StringComparison.OrdinalIgnoreCase)
                || name.Equals("closePosition", StringComparison.OrdinalIgnoreCase))
            {
                fields.Add(Text("action", name + "()", "exit"));
                return true;
            }

            var side = AlertatronSide().Match(command);
            if (side.Success)
            {
                fields.Add(Text("action", $"{name}(side=)", side.Groups["side"].Value));
                return true;
            }
        }

        // A script with no order in it (only cancel or wait) is found, and the rules say what it lacks.
        return true;
    }

    /// <summary>"60123456789,buy,EURUSD,risk=1,sl=50": license id, command, symbol, then KEY=VALUE parameters.</summary>
    private static bool TryPineConnector(string text, List<RawField> fields)
    {
        var parts = SplitOutsideQuotes(text, ',');
        if (parts.Count < 3 || parts[0].Length < 6 || !parts[0].All(char.IsAsciiDigit)
            || parts[1].Contains('=') || parts[2].Contains('=') || parts[1].Length == 0 || parts[2].Length == 0)
        {
            return false;
        }

        fields.Add(Text("license", "license ID (1st item)", parts[0]));
        fields.Add(Text("command", "command (2nd item)", parts[1]));
        fields.Add(Text("symbol", "symbol (3rd item)", parts[2]));
        for (var i = 3; i < parts.Count; i++)
        {
            var equals = parts[i].IndexOf('=');
            if (equals <= 0)
            {
                return false;
            }

            var key = parts[i][..equals].Trim();
            fields.Add(Text(AlertFormats.NormalizeKey(key), Printable.Escape(key), parts[i][(equals + 1)..].Trim().Trim('"')));
        }

        return true;
    }

    /// <summary>"symbol=BTCUSDT action=buy price=100" with spaces, commas, pipes, semicolons, ampersands or new lines between.</summary>
    private static bool TryKeyValue(string text, List<RawField> fields)
    {
        foreach (var token in text.Split(PairSeparators, StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = token.IndexOf('=');
            if (equals <= 0 || !IsKey(token.AsSpan(0, equals)))
            {
                return false;
            }

            var key = token[..equals];
            fields.Add(Text(AlertFormats.NormalizeKey(key), Printable.Escape(key), token[(equals + 1)..].Trim('"')));
        }

        return fields.Count > 0;
    }

    private static bool IsKey(ReadOnlySpan<char> key)
    {
        foreach (var c in key)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    private static RawField Text(string key, string display, string value) =>
        value.Length > AlertReader.MaxFieldBytes
            ? new RawField(key, display, RawKind.TooLong, null, IsTopLevel: true)
            : new RawField(key, display, RawKind.String, value, IsTopLevel: true);

    private static List<string> SplitOutsideQuotes(string text, char separator)
    {
        var parts = new List<string>();
        var start = 0;
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '"')
            {
                quoted = !quoted;
            }
            else if (text[i] == separator && !quoted)
            {
                parts.Add(text[start..i].Trim());
                start = i + 1;
            }
        }

        parts.Add(text[start..].Trim());
        return parts;
    }

    [GeneratedRegex(
        @"(?:^|[\s:])order\s+(?<action>[A-Za-z_\-]+)\s+@\s+(?<contracts>[-+0-9.eE]+)\s+filled\s+on\s+(?<ticker>\S+?)\.?(?:\s+New\s+strategy\s+position\s+is\s+(?<position>[-+0-9.eE]+))?\s*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture | RegexOptions.NonBacktracking)]
    private static partial Regex DefaultStrategyMessage();

    [GeneratedRegex(
        @"^\s*(?<keys>[A-Za-z0-9_\-]+)\((?<symbol>[^)]+)\)\s*\{(?<commands>[^}]*)\}\s*(#\w+\s*)*$",
        RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture | RegexOptions.NonBacktracking)]
    private static partial Regex AlertatronScript();

    [GeneratedRegex(@"side\s*=\s*(?<side>buy|sell)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex AlertatronSide();
}
